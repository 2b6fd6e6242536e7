/**
 * The ACD's domain (queues, agents, VIP callers), shared by its engine (daemon/acd), the store's
 * repositories (which import these types, never the engine), the CLI and the HTTP API.
 */

/** How a queue picks the agent(s) to offer a call to (FEATURES.md 13). */
export type Strategy =
  | 'ring-all' | 'longest-idle' | 'round-robin' | 'fewest-calls' | 'least-talk' | 'random' | 'linear';
export const STRATEGIES: readonly Strategy[] = ['ring-all', 'longest-idle', 'round-robin', 'fewest-calls', 'least-talk', 'random', 'linear'];

export function isStrategy(s: unknown): s is Strategy {
  return typeof s === 'string' && (STRATEGIES as readonly string[]).includes(s);
}

/** A queue as stored (`queues` row), with its members. */
export interface QueueSettings {
  /** `[a-z0-9][a-z0-9_-]{0,31}`: what lines and flows route to as `queue:NAME`. */
  name: string;
  strategy: Strategy;
  /** Seconds an offer rings one agent (or every agent with ring-all) before it moves on. */
  ringTimeoutS: number;
  /** Seconds between a round of offers that nobody answered and the next one. */
  retryS: number;
  /** Longest wait before the caller overflows; 0 = no limit. */
  maxWaitS: number;
  /**
   * Where a caller goes after `maxWaitS`, when the queue is full, or when nobody can take calls:
   * `1001`, `group:NAME`, `queue:NAME`, `flow:NAME`, `voicemail:MAILBOX`, `callback`; '' = hang up
   * politely (a goodbye).
   */
  overflow: string;
  /** Most callers waiting at once; 0 = no limit. A full queue sends newcomers to `overflow`. */
  maxLength: number;
  /** May a caller join while no member is logged in? false = straight to `overflow`. */
  joinEmpty: boolean;
  /** Do waiting callers leave (to `overflow`) when the last member logs out? */
  leaveEmpty: boolean;
  /** Seconds an agent rests after each call of this queue (an agent's own setting wins). */
  wrapUpS: number;
  /** Seconds between position / expected-wait announcements; 0 = only on entry; -1 = never. */
  announceEveryS: number;
  announcePosition: boolean;
  announceWait: boolean;
  /** The digit that asks for a callback keeping the caller's place; '' = no callback offer. */
  callbackDigit: string;
  /** Days a caller is remembered for the agent who last spoke to them; 0 = no sticky agent. */
  stickyDays: number;
  /** Seconds the caller waits for that agent alone before the queue's strategy applies. */
  stickyWaitS: number;
  /** Unanswered offers in a row that pause an agent (reason `no-answer`); 0 = never. */
  autoPauseAfter: number;
  /** Language of the announcements when the caller did not come through a flow. */
  language: 'zh-CN' | 'en';
  members: QueueMember[];
}

export interface QueueMember {
  ext: string;
  /** Tier: 0 is offered first; a higher tier only when no lower one has an available agent. */
  penalty: number;
  /** Order for `linear` (the member list's order). */
  position: number;
}

/** Defaults of a new queue (`octoline queues add` without options). */
export const QUEUE_DEFAULTS: Omit<QueueSettings, 'name' | 'members'> = {
  strategy: 'ring-all', ringTimeoutS: 15, retryS: 5, maxWaitS: 300, overflow: '', maxLength: 0,
  joinEmpty: true, leaveEmpty: false, wrapUpS: 10, announceEveryS: 60, announcePosition: true,
  announceWait: true, callbackDigit: '1', stickyDays: 7, stickyWaitS: 15, autoPauseAfter: 3, language: 'zh-CN',
};

/** What is stored of an agent (`agents` row): the part of its state that survives a restart. */
export interface AgentRow {
  ext: string;
  loggedIn: boolean;
  paused: boolean;
  /** Why paused (示忙): `lunch`, `meeting`, `no-answer` (auto-pause), …; '' when not paused. */
  pauseReason: string;
  /** Wrap-up seconds of this agent, overriding the queue's; null = the queue's. */
  wrapUpS: number | null;
  updatedAt: number;
}

/**
 * An agent's state as the wallboard shows it. `unregistered` is a logged-in agent whose phone is not
 * registered: never offered a call.
 */
export type AgentStateName = 'logged_out' | 'available' | 'ringing' | 'on_call' | 'wrap_up' | 'paused' | 'unregistered';

/** One agent as `octoline agents list --json` and GET /api/v1/agents give it. */
export interface AgentView {
  ext: string;
  name: string;
  state: AgentStateName;
  pauseReason: string;
  /** Queues this agent is a member of. */
  queues: string[];
  /** Epoch ms of the last state change. */
  since: number;
  /** Calls answered from a queue since the daemon started. */
  callsTaken: number;
  /** Unanswered offers in a row. */
  missedInARow: number;
  registered: boolean;
}

/** A VIP caller (`vip` row): jumps ahead of normal callers; the PIN opens a flow's VIP channel. */
export interface VipRow {
  /** Digits as the caller ID arrives, normalised (`+`, digits). */
  number: string;
  name: string;
  /** Queue priority: 1..9, higher is served first; normal callers are 0. */
  level: number;
  /** The PIN a `pin_check` node with source `vip` asks for; null = none. */
  pin: string | null;
  createdAt: number;
}

export type AgentAction = 'login' | 'logout' | 'pause' | 'unpause';

/** What the CLI and the HTTP API may do to agents in the running daemon (the ACD implements it). */
export interface AgentControl {
  list(): AgentView[];
  /** Applies the action; `reason` for pause (default `busy`). Throws AcdError AGENT_UNKNOWN for a non-extension. */
  act(ext: string, action: AgentAction, reason?: string, by?: string): AgentView;
}

/** Why a supervisor joins an agent's call: silent, heard by the agent only, or heard by everyone. */
export type SuperviseMode = 'listen' | 'whisper' | 'barge';

/** Supervisor actions started from the API (the box rings the supervisor's phone first). */
export interface SupervisorControl {
  /**
   * Rings `supervisor`'s phone; once answered it joins the call `agent` is on, in `mode` (DTMF 4/5/6 switch modes
   * later). Throws AcdError SUPERVISE_FORBIDDEN (not a supervisor), SUPERVISE_NO_CALL (the agent is on no call).
   */
  supervise(supervisor: string, agent: string, mode: SuperviseMode): Promise<{ callId: string }>;
  /** Agent-initiated three-way: rings `target` (an extension) and adds it to the agent's call, everyone hearing everyone. */
  conference(agent: string, target: string): Promise<{ callId: string }>;
}
