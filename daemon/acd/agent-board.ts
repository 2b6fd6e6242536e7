import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../../drivers/clock.js';
import type { EventBus } from '../events/bus.js';
import type { Store } from '../store/store.js';
import type { AgentAction, AgentRow, AgentStateName, AgentView } from './acd-types.js';
import { AcdError } from './errors.js';

export interface AgentBoardDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** The agent's phone has a live registration. */
  isRegistered(ext: string): boolean;
  /** The agent is on a call (any call: a personal one counts too). */
  isBusy(ext: string): boolean;
}

/** What the daemon knows of an agent beyond its stored row (since start). */
interface Live {
  state: AgentStateName;
  since: number;
  /** Queue offers ringing this agent now. */
  offering: number;
  wrapUntil: number;
  wrapTimer: NodeJS.Timeout | undefined;
  missedInARow: number;
  callsTaken: number;
  talkSeconds: number;
  idleSince: number;
}

/**
 * Agents' states (FEATURES.md 15): login/logout, pause with a reason, ringing, on call, wrap-up,
 * and registration (an unregistered phone is never offered a call). The stored row keeps what an
 * agent chose (logged in, paused) across restarts; the rest is derived live. Every change of the
 * derived state is an `agent.state` event with its reason; `available` tells the ACD to dispatch.
 *
 * A queue member with no stored row counts as logged in (a static member, as in Asterisk's
 * queues.conf): a fresh box answers calls without anyone dialling *45 first.
 */
export class AgentBoard extends EventEmitter<{ available: [ext: string] }> {
  private readonly live = new Map<string, Live>();

  constructor(private readonly deps: AgentBoardDeps) {
    super();
  }

  /** Extensions that are agents: members of a queue or with a stored agent row. */
  agents(): string[] {
    const { store } = this.deps;
    const exts = new Set<string>(store.agents.list().map((r) => r.ext));
    for (const q of store.queues.list()) for (const m of q.members) exts.add(m.ext);
    return [...exts].sort();
  }

  private row(ext: string): AgentRow {
    return this.deps.store.agents.get(ext) ?? { ext, loggedIn: true, paused: false, pauseReason: '', wrapUpS: null, updatedAt: 0 };
  }

  private liveOf(ext: string): Live {
    let l = this.live.get(ext);
    if (!l) {
      const now = this.deps.clock.now();
      l = { state: 'logged_out', since: now, offering: 0, wrapUntil: 0, wrapTimer: undefined, missedInARow: 0, callsTaken: 0, talkSeconds: 0, idleSince: now };
      l.state = this.compute(ext, l);
      this.live.set(ext, l);
    }
    return l;
  }

  private compute(ext: string, l: Live): AgentStateName {
    const row = this.row(ext);
    if (!row.loggedIn) return 'logged_out';
    if (!this.deps.isRegistered(ext)) return 'unregistered';
    if (this.deps.isBusy(ext)) return 'on_call';
    if (l.offering > 0) return 'ringing';
    if (this.deps.clock.now() < l.wrapUntil) return 'wrap_up';
    if (row.paused) return 'paused';
    return 'available';
  }

  /** Recompute one agent (or all) and publish what changed, with `reason`. */
  refresh(reason: string, only?: string): void {
    for (const ext of only !== undefined ? [only] : this.agents()) {
      const l = this.liveOf(ext);
      const next = this.compute(ext, l);
      if (next === l.state) continue;
      const previous = l.state;
      const now = this.deps.clock.now();
      if (previous === 'on_call' || previous === 'wrap_up' || previous === 'logged_out' || previous === 'unregistered' || previous === 'paused') {
        if (next === 'available') l.idleSince = now;
      }
      l.state = next;
      l.since = now;
      const row = this.row(ext);
      this.deps.bus.publish('agent.state', { extension: ext, state: next, previous, reason, ...(next === 'paused' ? { pauseReason: row.pauseReason } : {}) });
      if (next === 'available') this.emit('available', ext);
    }
  }

  state(ext: string): AgentStateName {
    return this.liveOf(ext).state;
  }

  /** May the ACD offer a call to `ext` now? (A fresh computation: events may lag a moment.) */
  isAvailable(ext: string): boolean {
    return this.compute(ext, this.liveOf(ext)) === 'available';
  }

  /** Logged in with a registered phone (paused, busy or not): counts for join/leave-when-empty and the wait estimate. */
  isLoggedIn(ext: string): boolean {
    return this.row(ext).loggedIn && this.deps.isRegistered(ext);
  }

  isPaused(ext: string): boolean {
    return this.row(ext).paused;
  }

  view(ext: string): AgentView {
    const l = this.liveOf(ext);
    const row = this.row(ext);
    const name = this.deps.store.extensions.get(ext)?.displayName ?? '';
    const queues = this.deps.store.queues.list().filter((q) => q.members.some((m) => m.ext === ext)).map((q) => q.name);
    return {
      ext, name, state: l.state, pauseReason: row.paused ? row.pauseReason : '', queues, since: l.since,
      callsTaken: l.callsTaken, missedInARow: l.missedInARow, registered: this.deps.isRegistered(ext),
    };
  }

  list(): AgentView[] {
    this.refresh('poll');
    return this.agents().map((e) => this.view(e));
  }

  /** login / logout / pause / unpause (CLI, API, desk-phone codes); `by` says who, for the event. */
  act(ext: string, action: AgentAction, reason = 'busy', by = 'api'): AgentView {
    if (!this.deps.store.extensions.get(ext)) throw new AcdError('AGENT_UNKNOWN', `there is no extension ${ext}`);
    this.liveOf(ext); // the state before the change, so the change itself is published
    const row = this.row(ext);
    const next: AgentRow = { ...row, updatedAt: this.deps.clock.now() };
    switch (action) {
      case 'login': next.loggedIn = true; next.paused = false; next.pauseReason = ''; break;
      case 'logout': next.loggedIn = false; next.paused = false; next.pauseReason = ''; break;
      case 'pause': next.loggedIn = true; next.paused = true; next.pauseReason = reason; break;
      case 'unpause': next.paused = false; next.pauseReason = ''; this.liveOf(ext).missedInARow = 0; break;
    }
    this.deps.store.agents.save(next);
    this.deps.log.info({ agentId: ext, action, reason, by }, 'agent action');
    this.refresh(`${action}${action === 'pause' ? `:${reason}` : ''} by ${by}`, ext);
    return this.view(ext);
  }

  /** *45: logged in → out, out → in. */
  toggle(ext: string, by: string): AgentView {
    return this.act(ext, this.row(ext).loggedIn ? 'logout' : 'login', undefined, by);
  }

  offering(ext: string, on: boolean): void {
    const l = this.liveOf(ext);
    l.offering = Math.max(0, l.offering + (on ? 1 : -1));
    this.refresh(on ? 'offered' : 'offer_ended', ext);
  }

  /** An offer rang out: after `autoPauseAfter` in a row the agent is paused (reason `no-answer`). */
  missed(ext: string, autoPauseAfter: number): void {
    const l = this.liveOf(ext);
    l.missedInARow += 1;
    if (autoPauseAfter > 0 && l.missedInARow >= autoPauseAfter && !this.row(ext).paused) {
      this.act(ext, 'pause', 'no-answer', 'auto');
    }
  }

  answered(ext: string): void {
    const l = this.liveOf(ext);
    l.missedInARow = 0;
    l.callsTaken += 1;
  }

  /** A queue call of `ext` ended after `talkS`: wrap-up for the agent's own seconds, else the queue's. */
  callEnded(ext: string, talkS: number, queueWrapUpS: number): void {
    const l = this.liveOf(ext);
    l.talkSeconds += talkS;
    const wrap = this.row(ext).wrapUpS ?? queueWrapUpS;
    if (wrap > 0) {
      l.wrapUntil = this.deps.clock.now() + wrap * 1000;
      if (l.wrapTimer) clearTimeout(l.wrapTimer);
      // The timer ends the wrap-up itself: a timer may fire before the wall clock reaches wrapUntil.
      l.wrapTimer = setTimeout(() => {
        l.wrapUntil = 0;
        this.refresh('wrap_up_done', ext);
      }, wrap * 1000);
      l.wrapTimer.unref();
    }
    this.refresh('call_ended', ext);
  }

  /** Figures the strategies sort by. */
  stats(ext: string): { idleSince: number; callsTaken: number; talkSeconds: number } {
    const l = this.liveOf(ext);
    return { idleSince: l.idleSince, callsTaken: l.callsTaken, talkSeconds: l.talkSeconds };
  }

  stop(): void {
    for (const l of this.live.values()) if (l.wrapTimer) clearTimeout(l.wrapTimer);
  }
}
