import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Deliberately public: load balancers, systemd watchdogs and `octoline doctor` ask it. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ ready: () => boolean }> = async (app, opts) => {
  app.get('/healthz', {
    schema: {
      response: {
        200: Type.Object({ ok: Type.Literal(true), service: Type.Literal('octoline') }),
        503: Type.Object({ ok: Type.Literal(false), service: Type.Literal('octoline') }),
      },
    },
  }, async (_req, reply) => {
    if (!opts.ready()) return reply.code(503).send({ ok: false, service: 'octoline' });
    return { ok: true as const, service: 'octoline' as const };
  });
};
