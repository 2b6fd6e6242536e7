/**
 * The IVR interpreter: one FlowRunner per call walks a Flow. It is pure and synchronous: every input
 * (start, a digit, a prompt finished, a timer fired, a lookup answered, a route failed) returns the
 * actions the call engine must perform next, so it never blocks and is unit-testable without media.
 *
 * The engine's side of the contract (docs/ivr.md "How a flow runs"):
 * - `play`: play the prompts in order, then call promptDone(). After a `stop_play` the stopped prompt
 *   gets no promptDone().
 * - `wait`: start a timer of timeoutMs; a digit() cancels it; each new `wait` starts a fresh one; when
 *   it fires call timeout().
 * - `lookup` → lookupDone(), `route` → routeFailed() if it fails, `queue` → routeFailed() if the
 *   queue gives the caller back, `voicemail` → voicemailDone().
 * Every state either plays, waits with a timeout, looks up (with a timeout), routes, queues or hangs
 * up: no dead air. Errors take the node's `on_error`, then the flow's, then the safe default (an
 * apology and the operator, see `SAFE_DEFAULT_TARGET`).
 */
import { errorMessage } from '../../drivers/coded-error.js';
import type {
  CallbackRequestNode, CallerMatchNode, CollectNode, Flow, FlowNode, HttpLookupNode, Language, MenuNode, NodeId,
  PinCheckNode, PromptRef, QueueNode, SayNode, SurveyNode, TimeSwitchNode, VoicemailNode,
} from './flow-types.js';
import { sayPrompts } from './say.js';
import { timeSwitchTarget } from './time-rules.js';

export interface RunnerContext {
  caller: string;
  callerName?: string;
  line?: number;
  now(): Date;
  timeZone: string;
  language: Language;
  isVip(number: string): boolean;
  isBlacklisted(number: string): boolean;
  customerTags(number: string): string[];
  vipPin(number: string): string | undefined;
  promptExists(ref: string): boolean;
  /** Where the safe default routes the caller (default `group:operator`), e.g. the line's ring target. */
  fallbackTarget?: string;
}

export type RunnerAction =
  | { kind: 'play'; prompts: string[]; bargeIn: boolean }
  | { kind: 'wait'; timeoutMs: number }
  | { kind: 'stop_play' }
  | { kind: 'lookup'; method: 'GET' | 'POST'; url: string; body?: string; timeoutMs: number }
  | { kind: 'route'; target: string; onNoAnswer?: string }
  /** Put the caller into an ACD queue; `priority` (0-9) is the node's, the ACD adds the caller's VIP level. */
  | { kind: 'queue'; queue: string; priority: number }
  | { kind: 'voicemail'; mailbox: string; maxSeconds: number }
  | { kind: 'callback'; number: string }
  | { kind: 'survey'; name: string; score: number }
  | { kind: 'event'; type: string; data: Record<string, unknown> }
  | { kind: 'hangup' };

export type LookupResult = { ok: true; json: unknown } | { ok: false; reason: string };
export type RouteFailure = 'no_answer' | 'busy' | 'failed';

/** Where a caller goes when the flow and its error branches are broken. */
export const SAFE_DEFAULT_TARGET = 'group:operator';
/** Pseudo node id of the safe default in events. */
export const SAFE_DEFAULT_NODE = '(safe default)';
/** Node entries without waiting for the caller or the engine before a flow counts as looping. */
export const MAX_INSTANT_STEPS = 100;

const DEFAULT_TIMEOUT_S = 5;
const DEFAULT_RETRIES = 2;
const DEFAULT_LOOKUP_TIMEOUT_MS = 5000;
const DEFAULT_VOICEMAIL_SECONDS = 120;
const DIGIT = /^[0-9*#A-D]$/;
/** A prompt ref after `${var}` filling (`order.status.${status}`): no paths, no spaces. */
const PROMPT_REF = /^(upload:)?[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** A queue name after `${var}` filling, as `octoline queues add` accepts it. */
const QUEUE_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const ANONYMOUS = new Set(['', 'anonymous', 'unknown', 'restricted', 'private', 'unavailable']);

/** A node to enter now, or null: wait for the engine's next call. */
type Next = NodeId | null;

interface DigitInput {
  timeoutMs: number;
  onDigit(d: string): Next;
  onTimeout(): Next;
}

type Awaiting =
  | { kind: 'nothing' }
  | { kind: 'prompt'; bargeIn: boolean; then: () => Next }
  | { kind: 'digits'; input: DigitInput }
  | { kind: 'lookup'; node: HttpLookupNode }
  | { kind: 'route'; onNoAnswer: NodeId | undefined; safe: boolean }
  | { kind: 'queue'; queue: string; onOverflow: NodeId | undefined }
  | { kind: 'voicemail'; next: NodeId | undefined }
  | { kind: 'done' };

interface CollectSpec {
  prompts: PromptRef[];
  min: number;
  max: number;
  terminator: string;
  timeoutMs: number;
  retries: number;
  invalidPrompts: PromptRef[];
  onDone(digits: string): Next;
  onFail(): Next;
}

export function isAnonymousCaller(caller: string): boolean {
  return ANONYMOUS.has(caller.trim().toLowerCase()) || !/\d/.test(caller);
}

/** `order.items.0.status` in a parsed JSON answer; only strings, numbers and booleans are values. */
export function jsonPathValue(json: unknown, path: string): string | undefined {
  let at: unknown = json;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'string' || typeof at === 'number' || typeof at === 'boolean' ? String(at) : undefined;
}

const seconds = (s: number | undefined, fallback: number): number => Math.round((s ?? fallback) * 1000);
const jsonEscape = (s: string): string => JSON.stringify(s).slice(1, -1);

export class FlowRunner {
  /** The call's variables: `caller`, `caller_name`, `line`, and whatever set/collect/lookup stored. */
  readonly vars: Record<string, string>;
  private current: NodeId = '';
  private awaiting: Awaiting = { kind: 'nothing' };
  private started = false;
  private out: RunnerAction[] = [];
  private buffer: string[] = [];
  private steps = 0;
  /** Error branches taken since the caller last gave a good answer: none is taken twice. */
  private readonly triedErrorTargets = new Set<NodeId>();

  constructor(private readonly flow: Flow, private readonly ctx: RunnerContext) {
    this.vars = { caller: ctx.caller };
    if (ctx.callerName !== undefined) this.vars.caller_name = ctx.callerName;
    if (ctx.line !== undefined) this.vars.line = String(ctx.line);
  }

  /** True once the runner has hung up: it will produce no more actions. */
  get done(): boolean {
    return this.awaiting.kind === 'done';
  }

  /** The node the caller is in (for logs). */
  get node(): NodeId {
    return this.current;
  }

  start(): RunnerAction[] {
    if (this.started) return [];
    this.started = true;
    return this.drive(() => this.flow.start);
  }

  digit(d: string): RunnerAction[] {
    if (!DIGIT.test(d)) return [];
    return this.drive(() => this.onDigit(d));
  }

  promptDone(): RunnerAction[] {
    const a = this.awaiting;
    if (a.kind !== 'prompt') return [];
    this.awaiting = { kind: 'nothing' };
    return this.drive(a.then);
  }

  timeout(): RunnerAction[] {
    const a = this.awaiting;
    if (a.kind !== 'digits') return [];
    this.awaiting = { kind: 'nothing' };
    return this.drive(() => {
      this.emit('ivr.timeout', { node: this.current });
      return a.input.onTimeout();
    });
  }

  lookupDone(r: LookupResult): RunnerAction[] {
    const a = this.awaiting;
    if (a.kind !== 'lookup') return [];
    this.awaiting = { kind: 'nothing' };
    return this.drive(() => this.lookupAnswer(a.node, r));
  }

  /** A `route` was not answered or not placed, or a `queue` gave the caller back. */
  routeFailed(reason: RouteFailure): RunnerAction[] {
    const a = this.awaiting;
    if (a.kind !== 'route' && a.kind !== 'queue') return [];
    this.awaiting = { kind: 'nothing' };
    return this.drive(() => {
      this.emit('ivr.route_failed', { node: this.current, reason });
      if (a.kind === 'queue') return a.onOverflow ?? this.fail(`queue ${a.queue} gave the caller back (${reason})`);
      if (a.safe) return this.hangup();
      if (reason === 'failed') return this.fail('route failed');
      if (a.onNoAnswer !== undefined) return a.onNoAnswer;
      return this.playThen(this.existing(['transfer.failed', 'goodbye']), false, () => this.hangup());
    });
  }

  voicemailDone(): RunnerAction[] {
    const a = this.awaiting;
    if (a.kind !== 'voicemail') return [];
    this.awaiting = { kind: 'nothing' };
    return this.drive(() => a.next ?? this.playThen(this.existing(['vm.saved']), false, () => this.hangup()));
  }

  // --- the loop --------------------------------------------------------------------------------

  /** Runs one input to the next wait: enters nodes until one needs the engine or the caller. */
  private drive(first: () => Next): RunnerAction[] {
    this.out = [];
    this.steps = 0;
    let next = this.guard(first);
    while (next !== null) {
      const id = next;
      next = this.guard(() => this.enter(id));
    }
    return this.out;
  }

  /** A thrown error (bad say value, bad time rule) is a flow error, never a stuck call. */
  private guard(step: () => Next): Next {
    try {
      return step();
    } catch (err) {
      return this.fail(errorMessage(err));
    }
  }

  private enter(id: NodeId): Next {
    if (++this.steps > MAX_INSTANT_STEPS) {
      this.steps = 0;
      return this.fail('loop without input');
    }
    const node = this.flow.nodes[id];
    if (!node) return this.fail(`no node "${id}"`);
    this.current = id;
    this.awaiting = { kind: 'nothing' };
    this.emit('ivr.entered', { node: id, type: node.type });
    return this.dispatch(node);
  }

  private dispatch(node: FlowNode): Next {
    switch (node.type) {
      case 'play': return this.playThen(node.prompts, node.barge_in ?? true, () => node.next);
      case 'menu': return this.menu(node);
      case 'collect': return this.collect(node);
      case 'time_switch': return this.timeSwitch(node);
      case 'caller_match': return this.callerMatch(node);
      case 'pin_check': return this.pinCheck(node);
      case 'http_lookup': return this.lookup(node);
      case 'say': return this.say(node);
      case 'set':
        for (const [name, value] of Object.entries(node.values)) this.vars[name] = this.fill(value);
        return node.next;
      case 'goto': return node.target;
      case 'route': return this.routeTo(this.fill(node.target), node.on_no_answer, false);
      case 'queue': return this.enqueue(node);
      case 'voicemail': return this.voicemail(node);
      case 'callback_request': return this.callback(node);
      case 'survey': return this.survey(node);
      case 'hangup': return this.playThen(node.prompts ?? [], false, () => this.hangup());
    }
  }

  private onDigit(d: string): Next {
    const a = this.awaiting;
    const masked = this.flow.nodes[this.current]?.type === 'pin_check';
    const event = masked ? { node: this.current, masked: true } : { node: this.current, digit: d };
    switch (a.kind) {
      case 'prompt':
        if (!a.bargeIn) {
          this.emit('ivr.digit', { ...event, ignored: true });
          return null;
        }
        this.emit('ivr.digit', event);
        this.out.push({ kind: 'stop_play' });
        this.buffer.push(d);
        this.awaiting = { kind: 'nothing' };
        return a.then();
      case 'digits':
        this.emit('ivr.digit', event);
        this.awaiting = { kind: 'nothing' };
        return a.input.onDigit(d);
      case 'lookup':
        // Not kept: a buffered digit would skip the `say` of the answer that usually follows.
        this.emit('ivr.digit', { ...event, ignored: true });
        return null;
      default:
        return null; // ringing, recording or gone: not the IVR's digit
    }
  }

  // --- building blocks -------------------------------------------------------------------------

  /** Plays prompts, then `then`; a missing prompt is a flow error; a typed-ahead digit skips a barge-in prompt. */
  private playThen(templates: PromptRef[], bargeIn: boolean, then: () => Next): Next {
    const prompts = templates.map((p) => this.fill(p));
    const bad = prompts.find((p) => !PROMPT_REF.test(p) || p.includes('..'));
    if (bad !== undefined) return this.fail(`bad prompt "${bad}"`);
    const missing = prompts.find((p) => !this.ctx.promptExists(p));
    if (missing !== undefined) return this.fail(`missing prompt ${missing}`);
    if (prompts.length === 0 || (bargeIn && this.buffer.length > 0)) return then();
    this.out.push({ kind: 'play', prompts, bargeIn });
    this.awaiting = { kind: 'prompt', bargeIn, then };
    return null;
  }

  /** Prompts (barge-in), then digits into `input`. */
  private ask(prompts: PromptRef[], input: DigitInput): Next {
    return this.playThen(prompts, true, () => this.listen(input));
  }

  /** Next digit for `input`: a buffered one now, else wait for one with a timeout. */
  private listen(input: DigitInput): Next {
    const d = this.buffer.shift();
    if (d !== undefined) return input.onDigit(d);
    this.out.push({ kind: 'wait', timeoutMs: input.timeoutMs });
    this.awaiting = { kind: 'digits', input };
    return null;
  }

  /** Digits until max, the terminator or a timeout; too few → retry with the invalid/timeout prompts. */
  private collectDigits(spec: CollectSpec): Next {
    let got = '';
    let failures = 0;
    const retry = (prompts: PromptRef[]): Next => {
      got = '';
      this.buffer = [];
      if (++failures > spec.retries) return spec.onFail();
      return this.ask([...prompts, ...spec.prompts], input);
    };
    const finish = (timedOut: boolean): Next => {
      if (got.length >= spec.min) return spec.onDone(got);
      if (timedOut && got === '') return retry(['menu.timeout']);
      this.emit('ivr.invalid', { node: this.current, digits: got.length });
      return retry(spec.invalidPrompts);
    };
    const input: DigitInput = {
      timeoutMs: spec.timeoutMs,
      onDigit: (d) => {
        if (d === spec.terminator) return finish(false);
        got += d;
        return got.length >= spec.max ? finish(false) : this.listen(input);
      },
      onTimeout: () => finish(true),
    };
    return this.ask(spec.prompts, input);
  }

  private routeTo(target: string, onNoAnswer: NodeId | undefined, safe: boolean): Next {
    this.emit('ivr.exit', { node: this.current, to: target });
    this.out.push(onNoAnswer === undefined ? { kind: 'route', target } : { kind: 'route', target, onNoAnswer });
    this.awaiting = { kind: 'route', onNoAnswer, safe };
    return null;
  }

  private hangup(): Next {
    this.emit('ivr.exit', { node: this.current, to: 'hangup' });
    this.out.push({ kind: 'hangup' });
    this.awaiting = { kind: 'done' };
    return null;
  }

  /**
   * A flow error: the node's on_error, else the flow's, each taken at most once until the caller
   * answers something; then the safe default. So a broken error branch cannot loop.
   */
  private fail(reason: string): Next {
    this.emit('ivr.error', { node: this.current, reason });
    const node = this.flow.nodes[this.current];
    for (const target of [node?.on_error, this.flow.on_error]) {
      if (target === undefined || this.triedErrorTargets.has(target) || !this.flow.nodes[target]) continue;
      this.triedErrorTargets.add(target);
      return target;
    }
    return this.safeDefault();
  }

  /** Apology (`error.operator`) and a human; if that route fails too, hang up. */
  private safeDefault(): Next {
    this.current = SAFE_DEFAULT_NODE;
    this.buffer = [];
    this.emit('ivr.entered', { node: SAFE_DEFAULT_NODE, type: 'route' });
    const target = this.ctx.fallbackTarget ?? SAFE_DEFAULT_TARGET;
    return this.playThen(this.existing(['error.operator']), false, () => this.routeTo(target, undefined, true));
  }

  /** The caller answered something valid: error branches may be taken again. */
  private accepted(): void {
    this.triedErrorTargets.clear();
  }

  private existing(prompts: PromptRef[]): PromptRef[] {
    return prompts.filter((p) => this.ctx.promptExists(p));
  }

  private emit(type: string, data: Record<string, unknown>): void {
    this.out.push({ kind: 'event', type, data });
  }

  /** `${var}` → the call variable (unknown → empty), passed through `encode` (URL, JSON string). */
  private fill(template: string, encode: (s: string) => string = (s) => s): string {
    return template.replace(/\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g, (_, name: string) => encode(this.vars[name] ?? ''));
  }

  // --- node types ------------------------------------------------------------------------------

  private menu(node: MenuNode): Next {
    const retries = node.retries ?? DEFAULT_RETRIES;
    let failures = 0;
    const retry = (prompts: PromptRef[]): Next => {
      this.buffer = [];
      if (++failures > retries) return node.on_fail ?? this.fail(`no valid choice after ${failures} tries`);
      return this.ask([...prompts, ...node.prompts], input);
    };
    const input: DigitInput = {
      timeoutMs: seconds(node.timeout_s, DEFAULT_TIMEOUT_S),
      onDigit: (d) => {
        const target = node.options[d];
        if (target !== undefined) {
          this.accepted();
          return target;
        }
        this.emit('ivr.invalid', { node: this.current, digit: d });
        return retry(node.invalid_prompts ?? ['menu.invalid']);
      },
      onTimeout: () => retry(node.timeout_prompts ?? ['menu.timeout']),
    };
    return this.ask(node.prompts, input);
  }

  private collect(node: CollectNode): Next {
    return this.collectDigits({
      prompts: node.prompts,
      min: node.min_digits ?? 1,
      max: node.max_digits,
      terminator: node.terminator ?? '#',
      timeoutMs: seconds(node.timeout_s, DEFAULT_TIMEOUT_S),
      retries: node.retries ?? DEFAULT_RETRIES,
      invalidPrompts: node.invalid_prompts ?? ['menu.invalid'],
      onDone: (digits) => {
        this.vars[node.into] = digits;
        this.accepted();
        return node.next;
      },
      onFail: () => node.on_fail ?? this.fail(`no valid input for ${node.into}`),
    });
  }

  private timeSwitch(node: TimeSwitchNode): Next {
    const { next, rule } = timeSwitchTarget(node, this.ctx.now(), this.ctx.timeZone, this.flow.calendars ?? {});
    const why = rule === undefined ? 'otherwise' : `rule ${rule + 1}: ${node.rules[rule]?.kind}`;
    this.emit('ivr.branch', { node: this.current, to: next, why });
    return next;
  }

  private callerMatch(node: CallerMatchNode): Next {
    const caller = this.ctx.caller;
    const index = node.rules.findIndex((rule) => {
      switch (rule.kind) {
        case 'vip': return this.ctx.isVip(caller);
        case 'blacklist': return this.ctx.isBlacklisted(caller);
        case 'customer_tag': return this.ctx.customerTags(caller).includes(rule.tag);
        case 'prefix': return rule.prefixes.some((p) => caller.startsWith(p));
        case 'anonymous': return isAnonymousCaller(caller);
      }
    });
    const rule = node.rules[index];
    const next = rule ? rule.next : node.otherwise;
    this.emit('ivr.branch', { node: this.current, to: next, why: rule ? `rule ${index + 1}: ${rule.kind}` : 'otherwise' });
    return next;
  }

  private pinCheck(node: PinCheckNode): Next {
    const pin = node.source === 'vip' ? this.ctx.vipPin(this.ctx.caller) : this.vars[node.source.variable];
    if (!pin) {
      this.emit('ivr.pin', { node: this.current, ok: false, reason: 'no PIN' });
      return node.on_fail;
    }
    const maxAttempts = node.max_attempts ?? 3;
    let attempts = 0;
    const wrong = (): Next => {
      this.emit('ivr.pin', { node: this.current, ok: false, attempt: ++attempts });
      if (attempts >= maxAttempts) return this.playThen(this.existing(['pin.locked']), false, () => node.on_fail);
      return attempt(['pin.wrong', ...node.prompts]);
    };
    const attempt = (prompts: PromptRef[]): Next => this.collectDigits({
      prompts, min: 1, max: pin.length, terminator: '#', timeoutMs: seconds(undefined, DEFAULT_TIMEOUT_S),
      retries: 0, invalidPrompts: [],
      onDone: (digits) => {
        if (digits !== pin) return wrong();
        this.emit('ivr.pin', { node: this.current, ok: true });
        this.accepted();
        return node.next;
      },
      onFail: wrong,
    });
    return attempt(node.prompts);
  }

  private lookup(node: HttpLookupNode): Next {
    const body = node.body === undefined ? undefined : this.fill(node.body, jsonEscape);
    const url = this.fill(node.url, encodeURIComponent);
    const timeoutMs = node.timeout_ms ?? DEFAULT_LOOKUP_TIMEOUT_MS;
    this.out.push(body === undefined ? { kind: 'lookup', method: node.method, url, timeoutMs } : { kind: 'lookup', method: node.method, url, body, timeoutMs });
    this.awaiting = { kind: 'lookup', node };
    return null;
  }

  private lookupAnswer(node: HttpLookupNode, r: LookupResult): Next {
    if (!r.ok) return this.fail(`lookup failed: ${r.reason}`);
    const values: Record<string, string> = {};
    for (const [name, path] of Object.entries(node.assign)) {
      const value = jsonPathValue(r.json, path);
      if (value === undefined) return this.fail(`lookup answer has no ${path}`);
      values[name] = value;
    }
    Object.assign(this.vars, values);
    return node.next;
  }

  private say(node: SayNode): Next {
    const words = sayPrompts(node.kind, this.fill(node.value), node.language ?? this.ctx.language);
    return this.playThen([...(node.before ?? []), ...words, ...(node.after ?? [])], true, () => node.next);
  }

  /** Like a route: the ACD owns the caller until it gives them back (routeFailed). */
  private enqueue(node: QueueNode): Next {
    const queue = this.fill(node.queue);
    // A variable that names no queue (empty, a typo) is a queue that does not exist: the overflow path.
    if (!QUEUE_NAME.test(queue)) {
      const reason = `bad queue name "${queue}"`;
      if (node.on_overflow === undefined) return this.fail(reason);
      this.emit('ivr.error', { node: this.current, reason });
      return node.on_overflow;
    }
    const priority = node.priority ?? 0;
    this.emit('ivr.exit', { node: this.current, to: `queue:${queue}`, priority });
    this.out.push({ kind: 'queue', queue, priority });
    this.awaiting = { kind: 'queue', queue, onOverflow: node.on_overflow };
    return null;
  }

  private voicemail(node: VoicemailNode): Next {
    const greeting = node.greeting ?? ['vm.greeting', 'vm.instructions'];
    return this.playThen([...greeting, 'beep'], false, () => {
      this.out.push({ kind: 'voicemail', mailbox: this.fill(node.mailbox), maxSeconds: node.max_seconds ?? DEFAULT_VOICEMAIL_SECONDS });
      this.awaiting = { kind: 'voicemail', next: node.next };
      return null;
    });
  }

  /** The caller ID, or a typed number when asked for or when the caller ID cannot be called back. */
  private callback(node: CallbackRequestNode): Next {
    const store = (number: string): void => {
      this.out.push({ kind: 'callback', number });
    };
    if (!node.ask_number && !isAnonymousCaller(this.ctx.caller)) {
      store(this.ctx.caller);
      return this.playThen(node.prompts ?? [], true, () => node.next);
    }
    // Asked on purpose: the node's prompts are the question. No usable caller ID: ask, then its prompts.
    const anonymous = !node.ask_number;
    return this.collectDigits({
      prompts: anonymous ? ['callback.enter-number'] : node.prompts ?? ['callback.enter-number'], min: 3, max: 20, terminator: '#',
      timeoutMs: seconds(undefined, DEFAULT_TIMEOUT_S), retries: DEFAULT_RETRIES, invalidPrompts: ['menu.invalid'],
      onDone: (digits) => {
        this.accepted();
        this.vars.callback_number = digits;
        store(digits);
        return anonymous ? this.playThen(node.prompts ?? [], true, () => node.next) : node.next;
      },
      onFail: () => this.fail('no callback number entered'),
    });
  }

  private survey(node: SurveyNode): Next {
    let failures = 0;
    const retry = (prompts: PromptRef[]): Next => {
      this.buffer = [];
      // Not answering a survey is no error: the flow just goes on.
      if (++failures > DEFAULT_RETRIES) return node.next;
      return this.ask([...prompts, ...node.prompts], input);
    };
    const input: DigitInput = {
      timeoutMs: seconds(undefined, DEFAULT_TIMEOUT_S),
      onDigit: (d) => {
        if (!/^[1-5]$/.test(d)) {
          this.emit('ivr.invalid', { node: this.current, digit: d });
          return retry(['menu.invalid']);
        }
        this.accepted();
        this.out.push({ kind: 'survey', name: node.name, score: Number(d) });
        return node.next;
      },
      onTimeout: () => retry(['menu.timeout']),
    };
    return this.ask(node.prompts, input);
  }
}
