import type { Command } from 'commander';
import type { AgentAction, AgentRow, AgentView, QueueSettings, SuperviseMode } from '../acd/acd-types.js';
import { AcdError } from '../acd/errors.js';
import { loadConfig, resolveConfigPath } from '../config/index.js';
import type { Store } from '../store/store.js';
import { formatBoxTime } from './box-time.js';
import { daemonAnswers, getFromDaemon, postToDaemon } from './daemon-client.js';
import { CliError } from './errors.js';
import { withStore } from './lines-command.js';
import { run } from './run.js';

const ACTIONS: readonly AgentAction[] = ['login', 'logout', 'pause', 'unpause'];
const MODES: readonly SuperviseMode[] = ['listen', 'whisper', 'barge'];
/** Supervise and conference ring a phone first: the daemon answers once it rings. */
const RING_TIMEOUT_MS = 10_000;

const bad = (msg: string): never => {
  throw new CliError('AGENTS_BAD_FLAG', msg);
};

/** The same rule as the API's (daemon/http/agent-routes.ts): it ends up in logs and on the wallboard. */
function parseReason(v: string): string {
  return /^[a-z0-9 _-]{1,32}$/.test(v) ? v : bad(`--reason: "${v}" must be 1-32 characters of a-z, 0-9, space, _ and - (e.g. lunch, meeting)`);
}

function parseMode(v: string): SuperviseMode {
  return MODES.find((m) => m === v) ?? bad(`--mode: "${v}" is not a mode: use listen, whisper or barge`);
}

interface Flags { config?: string }

export function registerAgents(program: Command): void {
  const agents = program.command('agents').description('ACD agents: log in and out, pause (示忙) and unpause, list their states; supervisor listen/whisper/barge');

  agents.command('list')
    .description('list the agents with their state, pause reason and queues (from the database when the daemon is not running)')
    .option('--json', 'print the agents as JSON (for scripts)')
    .option('-c, --config <path>', 'config file of the box')
    .action((flags: Flags & { json?: boolean }) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const live = await daemonAnswers(config);
      const views = live ? await getFromDaemon<AgentView[]>(config, '/api/v1/agents') : withStore(flags.config, storedViews);
      if (flags.json) return void process.stdout.write(`${JSON.stringify(views, null, 2)}\n`);
      if (!live) process.stderr.write('daemon not running: states from the database\n');
      process.stdout.write(table(views, config.box.time_zone));
    }));

  for (const action of ACTIONS) {
    agents.command(action)
      .description(DESCRIPTIONS[action])
      .argument('<ext>', 'the agent\'s extension, e.g. 1001')
      .option('--reason <reason>', 'why (pause): lunch, meeting, … (default busy)', parseReason)
      .option('-c, --config <path>', 'config file of the box')
      .action((ext: string, flags: Flags & { reason?: string }) => run(async () => {
        const config = loadConfig(resolveConfigPath(flags.config));
        if (await daemonAnswers(config)) {
          const v = await postToDaemon<AgentView>(config, `/api/v1/agents/${encodeURIComponent(ext)}/${action}`, { reason: flags.reason, by: 'cli' });
          return void process.stdout.write(`✓ agent ${v.ext}: ${stateText(v)}\n`);
        }
        const v = withStore(flags.config, (s) => saveOffline(s, ext, action, flags.reason));
        process.stdout.write(`✓ agent ${v.ext}: ${stateText(v)}; saved; applies when octoline starts\n`);
      }));
  }

  agents.command('wrapup')
    .description('the agent\'s own wrap-up seconds after each queue call (overrides the queue\'s), or "queue" to use the queue\'s again')
    .argument('<ext>', 'the agent\'s extension, e.g. 1001')
    .argument('<seconds>', '0-3600, or queue', parseWrapUp)
    .option('-c, --config <path>', 'config file of the box')
    .action((ext: string, wrap: number | null, flags: Flags) => run(async () => {
      const v = withStore(flags.config, (s) => saveWrapUp(s, ext, wrap));
      process.stdout.write(`✓ agent ${ext}: wrap-up ${v === null ? 'of each queue' : `${v} s`} (applies after the next call)\n`);
    }));

  agents.command('spy')
    .description('ring SUPERVISOR\'s phone; once answered it joins the call AGENT is on (needs the daemon; keys 4/5/6 switch modes)')
    .argument('<supervisor>', 'the supervisor\'s extension')
    .argument('<agent>', 'the agent\'s extension')
    .option('--mode <mode>', 'listen (silent), whisper (heard by the agent only) or barge (heard by everyone)', parseMode, 'listen')
    .option('-c, --config <path>', 'config file of the box')
    .action((supervisor: string, agent: string, flags: Flags & { mode: SuperviseMode }) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const { callId } = await postToDaemon<{ callId: string }>(config, '/api/v1/supervise', { supervisor, agent, mode: flags.mode }, RING_TIMEOUT_MS);
      process.stdout.write(`✓ ringing ${supervisor}: once answered, ${MODE_TEXT[flags.mode]} ${agent}'s call (call ${callId})\n`);
    }));

  agents.command('conference')
    .description('ring TARGET\'s phone; once answered it joins the call AGENT is on, everyone hearing everyone (needs the daemon)')
    .argument('<agent>', 'the agent\'s extension')
    .argument('<target>', 'the extension to add')
    .option('-c, --config <path>', 'config file of the box')
    .action((agent: string, target: string, flags: Flags) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const { callId } = await postToDaemon<{ callId: string }>(config, `/api/v1/agents/${encodeURIComponent(agent)}/conference`, { target }, RING_TIMEOUT_MS);
      process.stdout.write(`✓ ringing ${target}: once answered, it joins ${agent}'s call (call ${callId})\n`);
    }));
}

const DESCRIPTIONS: Record<AgentAction, string> = {
  login: 'log agent EXT in: queue calls are offered to it',
  logout: 'log agent EXT out: no more queue calls',
  pause: 'pause agent EXT (示忙): logged in, but no queue calls until unpause',
  unpause: 'unpause agent EXT (示闲): queue calls are offered again',
};

const MODE_TEXT: Record<SuperviseMode, string> = { listen: 'it listens silently to', whisper: 'it whispers to the agent on', barge: 'it barges into' };

const stateText = (v: AgentView) => (v.state === 'paused' ? `paused (${v.pauseReason || 'busy'})` : v.state);

/**
 * What the daemon will start from (daemon/acd/agent-board.ts): the stored row; a queue member
 * without one is a static member, logged in.
 */
function storedState(row: AgentRow | undefined, member: boolean): AgentView['state'] {
  if (!(row ? row.loggedIn : member)) return 'logged_out';
  return row?.paused ? 'paused' : 'available';
}

/** The agents (queue members, or with a stored state) as `GET /api/v1/agents` shows them, from the database alone (registration unknown: false). */
function storedViews(store: Store): AgentView[] {
  const queues = store.queues.list();
  return store.extensions.list()
    .filter((e) => store.agents.get(e.ext) !== undefined || queuesOf(queues, e.ext).length > 0)
    .map((e) => storedView(store.agents.get(e.ext), e.ext, e.displayName, queuesOf(queues, e.ext)));
}

const queuesOf = (queues: QueueSettings[], ext: string) => queues.filter((q) => q.members.some((m) => m.ext === ext)).map((q) => q.name);

function storedView(row: AgentRow | undefined, ext: string, name: string, queues: string[]): AgentView {
  const state = storedState(row, queues.length > 0);
  return {
    ext, name, state, pauseReason: state === 'paused' ? row?.pauseReason ?? '' : '', queues,
    since: row?.updatedAt ?? 0, callsTaken: 0, missedInARow: 0, registered: false,
  };
}

function parseWrapUp(v: string): number | null {
  if (v.trim().toLowerCase() === 'queue') return null;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 3600 ? n : bad(`wrap-up: "${v}" must be 0-3600 seconds, or queue`);
}

/** The agent's own wrap-up, read by the running daemon at each call's end (no restart). */
function saveWrapUp(store: Store, ext: string, wrapUpS: number | null, now = Date.now()): number | null {
  if (!store.extensions.get(ext)) throw new AcdError('AGENT_UNKNOWN', `there is no extension ${ext}`);
  const member = queuesOf(store.queues.list(), ext).length > 0;
  const before = store.agents.get(ext) ?? { ext, loggedIn: member, paused: false, pauseReason: '', wrapUpS: null, updatedAt: now };
  store.agents.save({ ...before, wrapUpS, updatedAt: now });
  return wrapUpS;
}

/** The daemon is not running: the action is written to the agent's row, which the ACD reads when it starts. */
function saveOffline(store: Store, ext: string, action: AgentAction, reason: string | undefined, now = Date.now()): AgentView {
  const e = store.extensions.get(ext);
  if (!e) {
    const known = store.extensions.list().map((x) => x.ext).join(', ') || 'none yet';
    throw new AcdError('AGENT_UNKNOWN', `there is no extension ${ext} (extensions: ${known})`);
  }
  const member = queuesOf(store.queues.list(), ext).length > 0;
  const before = store.agents.get(ext) ?? { ext, loggedIn: member, paused: false, pauseReason: '', wrapUpS: null, updatedAt: now };
  const row: AgentRow = { ...before, ...applied(action, reason), updatedAt: now };
  store.agents.save(row);
  return storedView(row, ext, e.displayName, queuesOf(store.queues.list(), ext));
}

/** Pausing a logged-out agent logs it in paused: `pause` never answers "logged_out". */
function applied(action: AgentAction, reason: string | undefined): Pick<AgentRow, 'paused' | 'pauseReason'> & { loggedIn?: boolean } {
  switch (action) {
    case 'login': return { loggedIn: true, paused: false, pauseReason: '' };
    case 'logout': return { loggedIn: false, paused: false, pauseReason: '' };
    case 'pause': return { loggedIn: true, paused: true, pauseReason: reason ?? 'busy' };
    case 'unpause': return { paused: false, pauseReason: '' };
  }
}

function table(views: AgentView[], tz: string): string {
  if (views.length === 0) return 'No agents yet: add extensions with octoline setup --extension 1001 …\n';
  const head = ['EXT', 'NAME', 'STATE', 'REASON', 'QUEUES', 'SINCE'];
  const body = views.map((v) => [
    v.ext, v.name || '-', v.state, v.pauseReason || '-', v.queues.join(',') || '-', v.since > 0 ? formatBoxTime(v.since, tz) : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return `${[head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
