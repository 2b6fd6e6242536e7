import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { AgentControl, SupervisorControl } from '../acd/acd-types.js';
import { DaemonError } from '../errors.js';
import { agentRoutes } from './agent-routes.js';
import { requireApiAuth } from './api-auth.js';
import { healthRoutes } from './health-routes.js';
import { statusRoutes } from './status-routes.js';
import { webRoutes } from './web-routes.js';
import type { BoxStatus } from './status-schema.js';

export interface HttpDeps {
  log: Logger;
  status: () => BoxStatus;
  ready: () => boolean;
  localToken: () => string | undefined;
  webDir: string;
  /** The ACD's agents: GET /api/v1/agents and POST /api/v1/agents/:ext/:action when given. */
  agents?: AgentControl;
  /** Listen/whisper/barge and three-way: POST /api/v1/supervise and /api/v1/agents/:ext/conference when given. */
  supervisor?: SupervisorControl;
}

export function buildHttpServer(deps: HttpDeps) {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Per-request lines would drown the call logs; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
  });
  requireApiAuth(app, { localToken: deps.localToken });
  void app.register(healthRoutes, { ready: deps.ready });
  void app.register(statusRoutes, { status: deps.status });
  if (deps.agents || deps.supervisor) {
    void app.register(agentRoutes, { agents: deps.agents, supervisor: deps.supervisor });
  }
  void app.register(webRoutes, { webDir: deps.webDir });
  return app;
}

/** Listen, turning a taken port into a one-line error that names it. */
export type HttpApp = ReturnType<typeof buildHttpServer>;

export async function listenHttp(app: HttpApp, opts: { bind: string; port: number }): Promise<void> {
  try {
    await app.listen({ host: opts.bind, port: opts.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${opts.bind}:${opts.port}/tcp`;
    if (code === 'EADDRINUSE') {
      throw new DaemonError('HTTP_PORT_IN_USE', `HTTP port ${where} is already in use (another octoline or web server?); free it or set http.port`, { cause: err });
    }
    throw new DaemonError('HTTP_BIND_FAILED', `cannot listen on HTTP ${where}: ${code ?? (err as Error).message}; check http.bind`, { cause: err });
  }
}
