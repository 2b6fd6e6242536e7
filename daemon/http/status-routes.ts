import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { StatusSchema, type BoxStatus } from './status-schema.js';
import { ErrorSchema } from './error-schema.js';

export const statusRoutes: FastifyPluginAsyncTypebox<{ status: () => BoxStatus }> = async (app, opts) => {
  app.get('/api/v1/status', {
    schema: { response: { 200: StatusSchema, 401: ErrorSchema } },
  }, async () => opts.status());
};
