import t, { type Test } from 'tap';
import { testLogger } from '../../test/helpers/log.js';
import type { AgentAction, AgentControl, AgentView, SuperviseMode, SupervisorControl } from '../acd/acd-types.js';
import { AcdError } from '../acd/errors.js';
import { buildHttpServer, type HttpDeps } from './server.js';
import type { BoxStatus } from './status-schema.js';

// The HTTP layer alone: a small ACD stand-in below it records what the routes asked for, so each
// test checks the status, the body and that a refused request reached nothing.

const TOKEN = 'test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

const view = (ext: string, name: string): AgentView => ({
  ext, name, state: 'logged_out', pauseReason: '', queues: ['sales'], since: 1_700_000_000_000, callsTaken: 0, missedInARow: 0, registered: true,
});

class FakeAgents implements AgentControl {
  readonly acts: { ext: string; action: AgentAction; reason: string | undefined; by: string | undefined }[] = [];
  private readonly views = new Map([['1001', view('1001', 'Alice')], ['1002', view('1002', 'Bob')]]);
  failWith: Error | undefined;

  list(): AgentView[] {
    return [...this.views.values()];
  }

  act(ext: string, action: AgentAction, reason?: string, by?: string): AgentView {
    if (this.failWith) throw this.failWith;
    const v = this.views.get(ext);
    if (!v) throw new AcdError('AGENT_UNKNOWN', `there is no extension ${ext}`);
    this.acts.push({ ext, action, reason, by });
    const next: AgentView = action === 'pause' ? { ...v, state: 'paused', pauseReason: reason ?? 'busy' }
      : { ...v, state: action === 'logout' ? 'logged_out' : 'available', pauseReason: '' };
    this.views.set(ext, next);
    return next;
  }
}

class FakeSupervisor implements SupervisorControl {
  readonly started: string[] = [];

  async supervise(supervisor: string, agent: string, mode: SuperviseMode): Promise<{ callId: string }> {
    if (supervisor !== '1009') throw new AcdError('SUPERVISE_FORBIDDEN', `${supervisor} is not a supervisor`);
    this.onCall(agent);
    this.started.push(`${mode} ${supervisor}→${agent}`);
    return { callId: `sup-${this.started.length}` };
  }

  async conference(agent: string, target: string): Promise<{ callId: string }> {
    if (target === '1999') throw new AcdError('AGENT_UNKNOWN', 'there is no extension 1999');
    this.onCall(agent);
    this.started.push(`conference ${agent}+${target}`);
    return { callId: `conf-${this.started.length}` };
  }

  private onCall(agent: string): void {
    if (agent !== '1001') throw new AcdError('SUPERVISE_NO_CALL', `${agent} is on no call`);
  }
}

const STATUS = {} as BoxStatus;

function app(t: Test, extra: Partial<HttpDeps> = {}) {
  const a = buildHttpServer({ log: testLogger(), status: () => STATUS, ready: () => true, localToken: () => TOKEN, webDir: '/nonexistent', ...extra });
  t.teardown(() => a.close());
  return a;
}

function withAcd(t: Test) {
  const agents = new FakeAgents();
  const supervisor = new FakeSupervisor();
  return { agents, supervisor, http: app(t, { agents, supervisor }) };
}

t.test('every agent route needs the token', async (t) => {
  const { agents, supervisor, http } = withAcd(t);
  const requests = [
    { method: 'GET' as const, url: '/api/v1/agents' },
    { method: 'POST' as const, url: '/api/v1/agents/1001/pause', payload: { reason: 'lunch' } },
    { method: 'POST' as const, url: '/api/v1/supervise', payload: { supervisor: '1009', agent: '1001', mode: 'listen' } },
    { method: 'POST' as const, url: '/api/v1/agents/1001/conference', payload: { target: '1002' } },
  ];
  for (const r of requests) {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }]) {
      const res = await http.inject({ ...r, headers });
      t.equal(res.statusCode, 401, `${r.method} ${r.url}`);
      t.same(res.json(), { code: 'UNAUTHORIZED', message: 'authentication required' });
    }
  }
  t.same(agents.acts, [], 'nothing was done');
  t.same(supervisor.started, [], 'no call was started');
});

t.test('the agents are listed as the ACD sees them', async (t) => {
  const { http } = withAcd(t);
  const res = await http.inject({ method: 'GET', url: '/api/v1/agents', headers: auth });
  t.equal(res.statusCode, 200);
  t.same(res.json(), [view('1001', 'Alice'), view('1002', 'Bob')]);
});

t.test('an agent is logged in, paused with a reason, unpaused and logged out', async (t) => {
  const { agents, http } = withAcd(t);
  const post = (url: string, payload?: object) => http.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });

  const login = await post('/api/v1/agents/1001/login');
  t.equal(login.statusCode, 200, 'no body is fine');
  t.match(login.json(), { ext: '1001', state: 'available' });
  const pause = await post('/api/v1/agents/1001/pause', { reason: 'lunch break', by: 'cli' });
  t.equal(pause.statusCode, 200);
  t.same(pause.json(), { ...view('1001', 'Alice'), state: 'paused', pauseReason: 'lunch break' }, 'the view after the action');
  t.equal((await post('/api/v1/agents/1001/unpause', {})).json().state, 'available');
  t.equal((await post('/api/v1/agents/1001/logout', {})).json().state, 'logged_out');
  t.same(agents.acts, [
    { ext: '1001', action: 'login', reason: undefined, by: 'api' },
    { ext: '1001', action: 'pause', reason: 'lunch break', by: 'cli' },
    { ext: '1001', action: 'unpause', reason: undefined, by: 'api' },
    { ext: '1001', action: 'logout', reason: undefined, by: 'api' },
  ]);
});

t.test('an unknown agent is 404 and a bad action or reason is 400, doing nothing', async (t) => {
  const { agents, http } = withAcd(t);
  const post = (url: string, payload: object = {}) => http.inject({ method: 'POST', url, headers: auth, payload });

  const unknown = await post('/api/v1/agents/1999/login');
  t.equal(unknown.statusCode, 404);
  t.same(unknown.json(), { code: 'AGENT_UNKNOWN', message: 'there is no extension 1999' });

  const cases: [string, object, RegExp][] = [
    ['/api/v1/agents/1001/dance', {}, /^action must be login, logout, pause or unpause$/],
    ['/api/v1/agents/1001/pause', { reason: 'Lunch' }, /^reason must be 1-32 characters/],
    ['/api/v1/agents/1001/pause', { reason: '' }, /^reason must be 1-32 characters/],
    ['/api/v1/agents/1001/pause', { reason: 'x'.repeat(33) }, /^reason must be 1-32 characters/],
    ['/api/v1/agents/1001/pause', { reason: 'lunch; rm -rf' }, /^reason must be 1-32 characters/],
    ['/api/v1/agents/10x1/pause', {}, /^ext must be an extension/],
  ];
  for (const [url, payload, message] of cases) {
    const res = await post(url, payload);
    t.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}`);
    t.match(res.json(), { code: 'BAD_REQUEST', message }, `${url} ${JSON.stringify(payload)}`);
  }
  const broken = await http.inject({ method: 'POST', url: '/api/v1/agents/1001/pause', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"reason":' });
  t.equal(broken.statusCode, 400, 'malformed JSON');
  t.equal(broken.json().code, 'BAD_REQUEST');
  t.same(agents.acts, [], 'nothing was done');
});

t.test('an engine failure is a 500, not a refusal', async (t) => {
  const { agents, http } = withAcd(t);
  agents.failWith = new Error('database is locked');
  const res = await http.inject({ method: 'POST', url: '/api/v1/agents/1001/login', headers: auth, payload: {} });
  t.equal(res.statusCode, 500);
});

t.test('a supervisor listens, whispers or barges into an agent\'s call', async (t) => {
  const { supervisor, http } = withAcd(t);
  const post = (payload: object) => http.inject({ method: 'POST', url: '/api/v1/supervise', headers: auth, payload });

  const ok = await post({ supervisor: '1009', agent: '1001', mode: 'whisper' });
  t.equal(ok.statusCode, 202);
  t.same(ok.json(), { callId: 'sup-1' });

  const forbidden = await post({ supervisor: '1002', agent: '1001', mode: 'listen' });
  t.equal(forbidden.statusCode, 403);
  t.same(forbidden.json(), { code: 'SUPERVISE_FORBIDDEN', message: '1002 is not a supervisor' });
  const noCall = await post({ supervisor: '1009', agent: '1002', mode: 'barge' });
  t.equal(noCall.statusCode, 409);
  t.same(noCall.json(), { code: 'SUPERVISE_NO_CALL', message: '1002 is on no call' });

  for (const [payload, message] of [
    [{ supervisor: '1009', agent: '1001', mode: 'shout' }, /^mode must be listen, whisper or barge$/],
    [{ supervisor: '1009', agent: '1001' }, /^mode must be listen, whisper or barge$/],
    [{ supervisor: '1009', mode: 'listen' }, /^agent must be an extension/],
  ] as const) {
    const res = await post(payload);
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.match(res.json(), { code: 'BAD_REQUEST', message }, JSON.stringify(payload));
  }
  t.same(supervisor.started, ['whisper 1009→1001'], 'only the allowed one started a call');
});

t.test('an agent adds a third party to the call', async (t) => {
  const { supervisor, http } = withAcd(t);
  const post = (ext: string, payload: object) => http.inject({ method: 'POST', url: `/api/v1/agents/${ext}/conference`, headers: auth, payload });

  const ok = await post('1001', { target: '1002' });
  t.equal(ok.statusCode, 202);
  t.same(ok.json(), { callId: 'conf-1' });
  t.equal((await post('1002', { target: '1001' })).statusCode, 409, 'agent on no call');
  const unknown = await post('1001', { target: '1999' });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().code, 'AGENT_UNKNOWN');
  const bad = await post('1001', {});
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { code: 'BAD_REQUEST', message: /^target must be an extension/ });
  t.same(supervisor.started, ['conference 1001+1002']);
});

t.test('without the ACD the routes do not exist', async (t) => {
  const http = app(t);
  t.equal((await http.inject({ method: 'GET', url: '/api/v1/agents', headers: auth })).statusCode, 404);
  t.equal((await http.inject({ method: 'POST', url: '/api/v1/supervise', headers: auth, payload: {} })).statusCode, 404);
  const agentsOnly = app(t, { agents: new FakeAgents() });
  t.equal((await agentsOnly.inject({ method: 'GET', url: '/api/v1/agents', headers: auth })).statusCode, 200);
  t.equal((await agentsOnly.inject({ method: 'POST', url: '/api/v1/supervise', headers: auth, payload: {} })).statusCode, 404);
});
