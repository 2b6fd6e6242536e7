import type { FastifyError } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AgentControl, SupervisorControl } from '../acd/acd-types.js';
import { AcdError, type AcdErrorCode } from '../acd/errors.js';
import { ErrorSchema } from './error-schema.js';

// Unions of literals spelled out: the type provider infers with its own TypeBox, from the schema's shape.
const State = Type.Union([
  Type.Literal('logged_out'), Type.Literal('available'), Type.Literal('ringing'), Type.Literal('on_call'),
  Type.Literal('wrap_up'), Type.Literal('paused'), Type.Literal('unregistered'),
], { description: 'unregistered = logged in but the phone is not registered (never offered a call)' });
const Action = Type.Union([Type.Literal('login'), Type.Literal('logout'), Type.Literal('pause'), Type.Literal('unpause')]);
const Mode = Type.Union([Type.Literal('listen'), Type.Literal('whisper'), Type.Literal('barge')],
  { description: 'listen: silent; whisper: heard by the agent; barge: heard by everyone' });
const Ext = Type.String({ pattern: '^[0-9]{1,16}$', description: 'an extension, e.g. 1001' });

export const AgentViewSchema = Type.Object({
  ext: Type.String(),
  name: Type.String(),
  state: State,
  pauseReason: Type.String({ description: "why paused; '' when not paused" }),
  queues: Type.Array(Type.String(), { description: 'queues the agent is a member of' }),
  since: Type.Integer({ description: 'UTC epoch ms of the last state change' }),
  callsTaken: Type.Integer({ description: 'queue calls answered since the daemon started' }),
  missedInARow: Type.Integer({ description: 'unanswered offers in a row' }),
  registered: Type.Boolean(),
});

const ActParams = Type.Object({ ext: Ext, action: Action });
const ActBody = Type.Object({
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9 _-]+$', description: 'pause reason (default busy): lunch, meeting, …' })),
  by: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9_.@-]+$', description: 'who asked, for the log (default api)' })),
});
const SuperviseBody = Type.Object({ supervisor: Ext, agent: Ext, mode: Mode });
const ConferenceParams = Type.Object({ ext: Ext });
const ConferenceBody = Type.Object({ target: Ext });
const Started = Type.Object({ callId: Type.String({ description: 'the call ringing the supervisor or target' }) });

/** How the ACD's refusals answer; any other error stays a 500 from the server's own handler. */
const STATUS_OF: Partial<Record<AcdErrorCode, number>> = { AGENT_UNKNOWN: 404, SUPERVISE_FORBIDDEN: 403, SUPERVISE_NO_CALL: 409 };

/** Messages a person can act on, for the fields whose schema message would be cryptic. */
const HINTS: Record<string, string> = {
  '/action': 'action must be login, logout, pause or unpause',
  '/reason': 'reason must be 1-32 characters of a-z, 0-9, space, _ and -',
  '/by': 'by must be 1-32 characters of a-z, 0-9, _ . @ and -',
  '/mode': 'mode must be listen, whisper or barge',
  '/ext': 'ext must be an extension (digits)',
  '/supervisor': 'supervisor must be an extension (digits)',
  '/agent': 'agent must be an extension (digits)',
  '/target': 'target must be an extension (digits)',
};

function badRequestMessage(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return err.message;
  const missing = first.keyword === 'required' ? (first.params as { missingProperty?: string }).missingProperty : undefined;
  return (missing ? HINTS[`/${missing}`] : HINTS[first.instancePath]) ?? err.message;
}

export interface AgentRoutesOptions {
  agents?: AgentControl;
  supervisor?: SupervisorControl;
}

/**
 * Agents (list, login/logout/pause/unpause) and the supervisor's actions on their calls. Only the
 * parts whose engine is given are registered, so a daemon without the ACD answers 404.
 */
export const agentRoutes: FastifyPluginAsyncTypebox<AgentRoutesOptions> = async (app, opts) => {
  app.setErrorHandler(async (err: FastifyError, _req, reply) => {
    const status = err instanceof AcdError ? STATUS_OF[err.code] : undefined;
    if (status !== undefined) return reply.code(status).send({ code: err.code, message: err.message });
    const clientError = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500;
    if (clientError) return reply.code(err.statusCode ?? 400).send({ code: 'BAD_REQUEST', message: badRequestMessage(err) });
    throw err;
  });
  const refusals = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
  const { agents, supervisor } = opts;

  if (agents) {
    app.get('/api/v1/agents', {
      schema: { response: { 200: Type.Array(AgentViewSchema), 401: ErrorSchema } },
    }, async () => agents.list());

    app.post('/api/v1/agents/:ext/:action', {
      schema: { params: ActParams, body: ActBody, response: { 200: AgentViewSchema, ...refusals } },
      // `curl -X POST …/login` sends no body at all: that is an empty one, not a bad one.
      preValidation: async (req) => { req.body ??= {}; },
    }, async (req) => agents.act(req.params.ext, req.params.action, req.body.reason, req.body.by ?? 'api'));
  }

  if (supervisor) {
    app.post('/api/v1/supervise', {
      schema: { body: SuperviseBody, response: { 202: Started, ...refusals } },
    }, async (req, reply) => reply.code(202).send(await supervisor.supervise(req.body.supervisor, req.body.agent, req.body.mode)));

    app.post('/api/v1/agents/:ext/conference', {
      schema: { params: ConferenceParams, body: ConferenceBody, response: { 202: Started, ...refusals } },
    }, async (req, reply) => reply.code(202).send(await supervisor.conference(req.params.ext, req.body.target)));
  }
};
