import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokensEqual } from '../auth/local-token.js';

/**
 * Every /api route needs a credential. Today that is the box-local CLI token; web sessions and
 * API tokens for integrations arrive with the users issue and plug in here.
 */
type HookHost = { addHook(name: 'onRequest', fn: (req: FastifyRequest, reply: FastifyReply) => Promise<void>): unknown };

export function requireApiAuth(app: HookHost, opts: { localToken: () => string | undefined }): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/')) return;
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const want = opts.localToken();
    if (given && want && tokensEqual(given, want)) return;
    await reply.code(401).header('www-authenticate', 'Bearer realm="octoline"')
      .send({ code: 'UNAUTHORIZED', message: 'authentication required' });
  });
}
