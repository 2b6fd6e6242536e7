import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

/** The web page (a placeholder until the web issue): static files from web/, no CDN. */
export const webRoutes: FastifyPluginAsync<{ webDir: string }> = async (app, opts) => {
  app.get('/', async (_req, reply) => {
    const html = await readFile(join(opts.webDir, 'index.html'), 'utf8');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
};
