import type { Logger } from 'pino';
import type { Clock } from '../../drivers/clock.js';
import { errorMessage } from '../../drivers/coded-error.js';
import type { BoxEvent, EventBus } from '../events/bus.js';
import { normalizeNumber } from '../lines/phone-number.js';
import type { Store } from '../store/store.js';
import type { AgentAction, AgentControl, AgentView, QueueSettings } from './acd-types.js';
import { AgentBoard, type AgentBoardDeps } from './agent-board.js';
import { WaitEstimator } from './expected-wait.js';
import { pickAgents, type Candidate, type StrategyMemo } from './strategies.js';
import { WaitingList } from './waiting-list.js';

/** Why a caller leaves a queue without an agent. */
export type OverflowReason = 'max_wait' | 'full' | 'empty' | 'no_queue';

export type OfferResult =
  /** `ext` took the call; `onEnd` is called once when it ends, with the talk seconds (wrap-up starts). */
  | { result: 'answered'; ext: string; onEnd(fn: (talkS: number) => void): void }
  | { result: 'no_answer'; missed: string[] }
  /** The caller is gone (hung up, or the call failed): nothing more to offer. */
  | { result: 'gone' };

/**
 * A caller waiting in a queue, as the ACD sees it: the call engine implements it for a live caller
 * on hold (daemon/calls/queue-call.ts) and for a callback that keeps the caller's place.
 */
export interface QueueEntry {
  /** The call id of the caller (a callback keeps the id of the call that asked for it). */
  readonly id: string;
  /** The caller's number, normalised (VIP, sticky agent). */
  readonly caller: string;
  readonly kind: 'live' | 'callback';
  /** Ring `exts` (together) for `timeoutMs`. */
  offer(exts: string[], timeoutMs: number): Promise<OfferResult>;
  /** Say position and expected wait. */
  announce(position: number, expectedS: number): void;
  /** The queue gives the caller back: continue at `target` ('' = the flow's own way on). */
  leave(reason: OverflowReason, target: string): void;
  /** A callback can be served only with a free line. */
  ready?(): boolean;
}

interface Waiting {
  id: string;
  entry: QueueEntry;
  queue: string;
  priority: number;
  joinedAt: number;
  positionAtJoin: number;
  tried: Set<string>;
  offering: boolean;
  /** Max wait passed while an offer rang: overflow once it ends unanswered. */
  overflowDue: boolean;
  sticky: string | undefined;
  stickyUntil: number;
  timers: NodeJS.Timeout[];
  retry: NodeJS.Timeout | undefined;
}

export type JoinResult = { joined: true; position: number } | { joined: false; reason: OverflowReason; target: string };

/** The ACD needs what its agent board needs: store, events, clock, log, registration and busy lookups. */
export type AcdDeps = AgentBoardDeps;

const STATE_TRIGGERS = /^(call\.(offered|answered|ended|transferred|picked_up)|phone\.)/;

/**
 * The ACD (FEATURES.md 13-15): callers wait in fair queues (VIPs first, then who came first), an
 * agent is chosen by the queue's strategy (a repeat caller's last agent first, for a while), offers
 * ring out and move on, a caller overflows after the max wait, and every step is an event the
 * wallboard and reports read. Media is the call engine's: the ACD only decides and tells entries.
 */
export class Acd implements AgentControl {
  readonly board: AgentBoard;
  private readonly lists = new Map<string, WaitingList<Waiting>>();
  private readonly byId = new Map<string, Waiting>();
  private readonly memos = new Map<string, StrategyMemo>();
  private readonly estimators = new Map<string, WaitEstimator>();
  private dispatching = false;
  private again = false;
  private readonly onBusEvent = (ev: BoxEvent): void => {
    if (STATE_TRIGGERS.test(ev.type)) this.board.refresh(ev.type);
    if (ev.type === 'agent.state') this.checkEmpty();
    // A call's end may free a line a waiting callback needs, while agents sit idle.
    if (ev.type === 'call.ended') this.dispatch();
  };

  constructor(private readonly deps: AcdDeps) {
    this.board = new AgentBoard(deps);
    this.board.on('available', () => this.dispatch());
  }

  start(): void {
    this.deps.bus.on('event', this.onBusEvent);
    this.board.refresh('start');
  }

  stop(): void {
    this.deps.bus.off('event', this.onBusEvent);
    for (const w of this.byId.values()) this.clearTimers(w);
    this.board.stop();
  }

  // AgentControl (CLI, API)

  list(): AgentView[] {
    return this.board.list();
  }

  act(ext: string, action: AgentAction, reason?: string, by?: string): AgentView {
    return this.board.act(ext, action, reason, by);
  }

  /** Callers waiting now, in service order (wallboard, tests). */
  waiting(queue: string): Array<{ id: string; position: number; priority: number; waitS: number; callback: boolean }> {
    const now = this.deps.clock.now();
    return (this.lists.get(queue)?.ordered() ?? []).map((w, i) => ({
      id: w.id, position: i + 1, priority: w.priority, waitS: Math.round((now - w.joinedAt) / 1000), callback: w.entry.kind === 'callback',
    }));
  }

  /** Queue `entry` in `queueName` with `priority` (a flow's); a VIP caller's level is added. */
  join(entry: QueueEntry, queueName: string, priority = 0): JoinResult {
    const { store, bus, clock } = this.deps;
    const q = store.queues.get(queueName);
    if (!q) return this.refuse(entry, queueName, 'no_queue', '');
    const list = this.listOf(q.name);
    if (q.maxLength > 0 && list.size >= q.maxLength) return this.refuse(entry, q.name, 'full', q.overflow);
    if (!q.joinEmpty && !q.members.some((m) => this.board.isLoggedIn(m.ext))) return this.refuse(entry, q.name, 'empty', q.overflow);
    const now = clock.now();
    const vip = entry.caller === '' ? undefined : store.vip.get(normalizeNumber(entry.caller));
    const w: Waiting = {
      id: entry.id, entry, queue: q.name, priority: priority + (vip?.level ?? 0), joinedAt: now, positionAtJoin: 0,
      tried: new Set(), offering: false, overflowDue: false, sticky: undefined, stickyUntil: 0, timers: [], retry: undefined,
    };
    this.findSticky(w, q, now);
    list.add(w);
    this.byId.set(w.id, w);
    w.positionAtJoin = list.position(w.id) ?? list.size;
    bus.publish('queue.joined', {
      queue: q.name, position: w.positionAtJoin, priority: w.priority, ...(vip ? { vip: vip.level } : {}), ...(w.sticky ? { sticky: w.sticky } : {}),
    }, w.id);
    this.armTimers(w, q);
    this.dispatch();
    // Announced after the dispatch: a caller answered at once hears no "you are number 1".
    if (this.byId.has(w.id) && !w.offering && q.announceEveryS >= 0) this.announce(w, q);
    return { joined: true, position: w.positionAtJoin };
  }

  /** The caller hung up while waiting. */
  abandoned(id: string): void {
    const w = this.byId.get(id);
    if (!w) return;
    const position = this.positionNow(w);
    this.remove(id);
    this.deps.bus.publish('queue.abandoned', {
      queue: w.queue, waitS: this.waitS(w), position, positionAtJoin: w.positionAtJoin,
    }, w.id);
    this.dispatch();
  }

  /**
   * The caller asked to be called back: `callback` takes the live entry's place (same join time and
   * priority), so the box rings an agent and dials the caller when their turn comes.
   */
  keepPlaceForCallback(id: string, callback: QueueEntry, number: string): boolean {
    const w = this.byId.get(id);
    if (!w) return false;
    this.clearTimers(w);
    const position = this.positionNow(w);
    w.entry = callback;
    w.tried.clear();
    w.sticky = undefined;
    this.listOf(w.queue).add(w);
    this.deps.bus.publish('queue.callback_requested', { queue: w.queue, number, position, waitS: this.waitS(w) }, w.id);
    this.dispatch();
    return true;
  }

  private refuse(entry: QueueEntry, queue: string, reason: OverflowReason, target: string): JoinResult {
    this.deps.bus.publish('queue.overflow', { queue, reason, target, waitS: 0 }, entry.id);
    return { joined: false, reason, target };
  }

  private listOf(name: string): WaitingList<Waiting> {
    let l = this.lists.get(name);
    if (!l) {
      l = new WaitingList<Waiting>();
      this.lists.set(name, l);
    }
    return l;
  }

  /** The agent who last spoke with this caller, if a member logged in: theirs alone for `stickyWaitS`. */
  private findSticky(w: Waiting, q: QueueSettings, now: number): void {
    if (q.stickyDays <= 0 || w.entry.caller === '') return;
    const ext = this.deps.store.calls.lastAgentFor(normalizeNumber(w.entry.caller), now - q.stickyDays * 86_400_000);
    if (ext === undefined || !q.members.some((m) => m.ext === ext) || !this.board.isLoggedIn(ext)) return;
    w.sticky = ext;
    w.stickyUntil = now + q.stickyWaitS * 1000;
    // The timer ends the sticky wait itself: timers may fire a millisecond before the clock says so.
    this.later(w, q.stickyWaitS * 1000, () => {
      w.stickyUntil = 0;
      this.dispatch();
    });
  }

  private armTimers(w: Waiting, q: QueueSettings): void {
    if (q.maxWaitS > 0 && w.entry.kind === 'live') this.later(w, q.maxWaitS * 1000, () => this.maxWait(w));
    if (q.announceEveryS > 0) {
      const every = (): void => {
        if (!w.offering) this.announce(w, this.deps.store.queues.get(w.queue) ?? q);
        this.later(w, q.announceEveryS * 1000, every);
      };
      this.later(w, q.announceEveryS * 1000, every);
    }
  }

  private later(w: Waiting, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      w.timers = w.timers.filter((x) => x !== t);
      if (this.byId.get(w.id) === w) fn();
    }, ms);
    t.unref();
    w.timers.push(t);
  }

  private clearTimers(w: Waiting): void {
    for (const t of w.timers) clearTimeout(t);
    w.timers = [];
    if (w.retry) clearTimeout(w.retry);
    w.retry = undefined;
  }

  private announce(w: Waiting, q: QueueSettings): void {
    if (w.entry.kind !== 'live' || (!q.announcePosition && !q.announceWait)) return;
    const position = this.positionNow(w);
    const agents = q.members.filter((m) => this.board.isLoggedIn(m.ext) && !this.board.isPaused(m.ext)).length;
    const expectedS = this.estimatorOf(q.name).expectedS(position, agents);
    this.deps.bus.publish('queue.position', { queue: q.name, position, expectedS }, w.id);
    w.entry.announce(position, expectedS);
  }

  private estimatorOf(queue: string): WaitEstimator {
    let e = this.estimators.get(queue);
    if (!e) {
      e = new WaitEstimator();
      this.estimators.set(queue, e);
    }
    return e;
  }

  private maxWait(w: Waiting): void {
    if (w.offering) {
      w.overflowDue = true;
      return;
    }
    this.overflow(w, 'max_wait');
  }

  private overflow(w: Waiting, reason: OverflowReason): void {
    const q = this.deps.store.queues.get(w.queue);
    const target = q?.overflow ?? '';
    const position = this.positionNow(w);
    this.remove(w.id);
    this.deps.bus.publish('queue.overflow', { queue: w.queue, reason, target, waitS: this.waitS(w), position }, w.id);
    w.entry.leave(reason, target);
    this.dispatch();
  }

  /** Leave-when-empty: the last member logged out, so waiting callers go to the overflow. */
  private checkEmpty(): void {
    for (const [name, list] of this.lists) {
      if (list.size === 0) continue;
      const q = this.deps.store.queues.get(name);
      if (!q?.leaveEmpty || q.members.some((m) => this.board.isLoggedIn(m.ext))) continue;
      for (const w of list.ordered()) if (w.entry.kind === 'live' && !w.offering) this.overflow(w, 'empty');
    }
  }

  private remove(id: string): Waiting | undefined {
    const w = this.byId.get(id);
    if (!w) return undefined;
    this.byId.delete(id);
    this.lists.get(w.queue)?.remove(id);
    this.clearTimers(w);
    return w;
  }

  private positionNow(w: Waiting): number {
    return this.lists.get(w.queue)?.position(w.id) ?? w.positionAtJoin;
  }

  private waitS(w: Waiting): number {
    return Math.round((this.deps.clock.now() - w.joinedAt) / 100) / 10;
  }

  /**
   * Match waiting callers with available agents, queue by queue, in service order: the first caller
   * picks first. Decisions are synchronous; offers run on their own and dispatch again when done.
   */
  dispatch(): void {
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.again = false;
        const ringing = new Set<string>();
        for (const [name, list] of this.lists) {
          if (list.size === 0) continue;
          const q = this.deps.store.queues.get(name);
          if (q) this.dispatchQueue(q, list, ringing);
        }
      } while (this.again);
    } catch (err) {
      this.deps.log.error({ err: errorMessage(err) }, 'queue dispatch failed');
    } finally {
      this.dispatching = false;
    }
  }

  private dispatchQueue(q: QueueSettings, list: WaitingList<Waiting>, taken: Set<string>): void {
    const now = this.deps.clock.now();
    for (const w of list.ordered()) {
      if (w.offering) continue;
      if (w.entry.kind === 'callback' && w.entry.ready?.() === false) continue;
      const free = q.members.filter((m) => !taken.has(m.ext) && this.board.isAvailable(m.ext));
      if (free.length === 0) return; // nobody for the callers behind either
      const exts = this.choose(w, q, free, now);
      if (exts.length === 0) continue;
      for (const e of exts) taken.add(e);
      void this.offer(w, q, exts);
    }
  }

  /** Sticky agent first (or wait for them), else the strategy over the agents this caller has not tried. */
  private choose(w: Waiting, q: QueueSettings, free: QueueSettings['members'], now: number): string[] {
    if (w.sticky !== undefined && now < w.stickyUntil) {
      if (free.some((m) => m.ext === w.sticky)) return [w.sticky];
      if (this.board.isLoggedIn(w.sticky) && !this.board.isPaused(w.sticky)) return [];
    }
    const untried = free.filter((m) => !w.tried.has(m.ext));
    if (untried.length === 0) {
      this.scheduleRetry(w, q);
      return [];
    }
    const candidates: Candidate[] = untried.map((m) => ({ ext: m.ext, penalty: m.penalty, position: m.position, ...this.board.stats(m.ext) }));
    return pickAgents(q.strategy, candidates, this.memoOf(q.name));
  }

  /** Everyone free was tried: after `retryS`, start over. */
  private scheduleRetry(w: Waiting, q: QueueSettings): void {
    if (w.retry) return;
    w.retry = setTimeout(() => {
      w.retry = undefined;
      w.tried.clear();
      this.dispatch();
    }, q.retryS * 1000);
    w.retry.unref();
  }

  private memoOf(queue: string): StrategyMemo {
    let m = this.memos.get(queue);
    if (!m) {
      m = {};
      this.memos.set(queue, m);
    }
    return m;
  }

  private async offer(w: Waiting, q: QueueSettings, exts: string[]): Promise<void> {
    const { bus } = this.deps;
    const { board } = this;
    w.offering = true;
    for (const ext of exts) {
      board.offering(ext, true);
      bus.publish('agent.offered', { queue: q.name, extension: ext, ...(w.entry.kind === 'callback' ? { callback: true } : {}), ...(ext === w.sticky ? { sticky: true } : {}) }, w.id);
    }
    const timeoutMs = (w.sticky !== undefined && exts.length === 1 && exts[0] === w.sticky ? Math.min(q.ringTimeoutS, Math.max(1, q.stickyWaitS)) : q.ringTimeoutS) * 1000;
    let r: OfferResult;
    try {
      r = await w.entry.offer(exts, timeoutMs);
    } catch (err) {
      this.deps.log.warn({ callId: w.id, err: errorMessage(err) }, 'queue offer failed');
      r = { result: 'no_answer', missed: [] };
    }
    w.offering = false;
    try {
      if (this.byId.get(w.id) === w) this.settle(w, q, exts, r);
    } finally {
      // Freed only once settled: an agent who let it ring must count as tried (and be paused) before
      // the board says it is available again, or the next dispatch offers it the same caller at once.
      for (const ext of exts) board.offering(ext, false);
    }
    this.dispatch();
  }

  private settle(w: Waiting, q: QueueSettings, exts: string[], r: OfferResult): void {
    const { bus } = this.deps;
    if (r.result === 'gone') {
      // A live caller hung up while phones rang; a callback that failed was listed for follow-up.
      if (w.entry.kind === 'live') this.abandoned(w.id);
      else this.remove(w.id);
      return;
    }
    if (r.result === 'answered') {
      const waitS = this.waitS(w);
      this.remove(w.id);
      this.board.answered(r.ext);
      if (w.entry.kind === 'live') this.estimatorOf(q.name).answered(waitS * 1000, w.positionAtJoin);
      bus.publish('queue.answered', {
        queue: q.name, extension: r.ext, waitS, positionAtJoin: w.positionAtJoin, ...(w.entry.kind === 'callback' ? { callback: true } : {}),
        ...(r.ext === w.sticky ? { sticky: true } : {}),
      }, w.id);
      r.onEnd((talkS) => this.board.callEnded(r.ext, talkS, this.deps.store.queues.get(q.name)?.wrapUpS ?? q.wrapUpS));
      return;
    }
    for (const ext of exts) {
      if (r.missed.includes(ext)) {
        bus.publish('agent.no_answer', { queue: q.name, extension: ext }, w.id);
        this.board.missed(ext, q.autoPauseAfter);
      }
      w.tried.add(ext);
    }
    if (w.sticky !== undefined && exts.includes(w.sticky)) w.stickyUntil = 0;
    if (w.overflowDue) this.overflow(w, 'max_wait');
  }
}
