/**
 * `octoline flows simulate`: walks a flow with a FlowRunner the way the call engine would, but with
 * scripted digits and a fixed clock. Prompts finish at once, each scripted digit is pressed when the
 * flow waits for one, and when the digits run out every wait times out. The walk stops at a route,
 * a queue, voicemail or hangup (or after `maxSteps` node entries), and reports the path node by node.
 */
import { CodedError, errorMessage } from '../../drivers/coded-error.js';
import type { Flow, Language } from './flow-types.js';
import { FlowRunner, type LookupResult, type RunnerAction } from './flow-runner.js';

export type SimulateErrorCode = 'SIMULATE_BAD_DIGIT';

export class SimulateError extends CodedError<SimulateErrorCode> {}

export interface LookupRequest {
  method: 'GET' | 'POST';
  body?: string;
  timeoutMs: number;
}

export interface SimulateOptions {
  /** Keys in order; an entry of several keys (`"1234#"`) is pressed key by key. */
  digits: string[];
  /** The clock the time switches see. */
  at: Date;
  caller: string;
  timeZone: string;
  /** Default: the flow's language. */
  language?: Language;
  line?: number;
  /** Default: every prompt exists. */
  promptExists?: (ref: string) => boolean;
  /** Default: none, every lookup fails ("no lookup in simulation"). */
  lookup?: (url: string, request: LookupRequest) => Promise<LookupResult>;
  isVip?: (number: string) => boolean;
  isBlacklisted?: (number: string) => boolean;
  customerTags?: (number: string) => string[];
  vipPin?: (number: string) => string | undefined;
  /** Node entries before giving up (default 200). */
  maxSteps?: number;
}

export interface SimulationStep {
  node: string;
  type: string;
  /** What happened there, `; `-separated: `play menu.main; wait 5s; digit 1`. */
  detail: string;
}

export interface Simulation {
  steps: SimulationStep[];
  /** `route group:sales`, `queue sales (priority 0)`, `voicemail 1000`, `hangup`, `stopped after 200 steps`. */
  outcome: string;
}

const DEFAULT_MAX_STEPS = 200;

export async function simulateFlow(flow: Flow, opts: SimulateOptions): Promise<Simulation> {
  const keys = opts.digits.flatMap((d) => [...d.trim()]);
  const badKey = keys.find((k) => !/^[0-9*#A-D]$/.test(k));
  if (badKey !== undefined) throw new SimulateError('SIMULATE_BAD_DIGIT', `bad digit "${badKey}": use 0-9, *, # (A-D)`);
  const runner = new FlowRunner(flow, {
    caller: opts.caller, line: opts.line, now: () => opts.at, timeZone: opts.timeZone, language: opts.language ?? flow.language,
    isVip: opts.isVip ?? (() => false), isBlacklisted: opts.isBlacklisted ?? (() => false),
    customerTags: opts.customerTags ?? (() => []), vipPin: opts.vipPin ?? (() => undefined),
    promptExists: opts.promptExists ?? (() => true),
  });
  const path = new PathRecorder();
  const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
  let actions = runner.start();
  for (;;) {
    path.record(actions);
    if (path.steps.length > maxSteps) return { steps: path.steps.slice(0, maxSteps), outcome: `stopped after ${maxSteps} steps` };
    const last = actions.filter((a) => a.kind !== 'event').at(-1);
    switch (last?.kind) {
      case 'route': return { steps: path.steps, outcome: `route ${last.target}` };
      case 'queue': return { steps: path.steps, outcome: queued(last) };
      case 'voicemail': return { steps: path.steps, outcome: `voicemail ${last.mailbox}` };
      case 'hangup': return { steps: path.steps, outcome: 'hangup' };
      case 'play': actions = runner.promptDone(); break;
      case 'wait': {
        const key = keys.shift();
        actions = key === undefined ? runner.timeout() : runner.digit(key);
        break;
      }
      case 'lookup': {
        const result = await lookup(opts, last);
        path.note(result.ok ? 'answer ok' : `failed: ${result.reason}`);
        actions = runner.lookupDone(result);
        break;
      }
      default: return { steps: path.steps, outcome: 'stuck: the flow waits for nothing' };
    }
  }
}

async function lookup(opts: SimulateOptions, a: Extract<RunnerAction, { kind: 'lookup' }>): Promise<LookupResult> {
  if (!opts.lookup) return { ok: false, reason: 'no lookup in simulation' };
  try {
    return await opts.lookup(a.url, a.body === undefined ? { method: a.method, timeoutMs: a.timeoutMs } : { method: a.method, body: a.body, timeoutMs: a.timeoutMs });
  } catch (err) {
    return { ok: false, reason: errorMessage(err) };
  }
}

/** Turns runner actions into one step per node entered, with what happened there. */
class PathRecorder {
  readonly steps: SimulationStep[] = [];
  private details: string[] = [];

  record(actions: RunnerAction[]): void {
    for (const a of actions) {
      if (a.kind === 'event' && a.type === 'ivr.entered') {
        this.details = [];
        this.steps.push({ node: String(a.data.node), type: String(a.data.type), detail: '' });
        continue;
      }
      const text = describe(a);
      if (text) this.note(text);
    }
  }

  note(text: string): void {
    const step = this.steps.at(-1);
    if (!step) return;
    this.details.push(text);
    step.detail = this.details.join('; ');
  }
}

const queued = (a: Extract<RunnerAction, { kind: 'queue' }>): string => `queue ${a.queue} (priority ${a.priority})`;

function describe(a: RunnerAction): string | undefined {
  switch (a.kind) {
    case 'play': return `play ${a.prompts.join(', ')}${a.bargeIn ? '' : ' (no barge-in)'}`;
    case 'wait': return `wait ${a.timeoutMs / 1000}s`;
    case 'stop_play': return 'barge-in';
    case 'lookup': return `${a.method} ${a.url}`;
    case 'route': return `route ${a.target}`;
    case 'queue': return queued(a);
    case 'voicemail': return `voicemail ${a.mailbox} (max ${a.maxSeconds}s)`;
    case 'callback': return `callback request ${a.number}`;
    case 'survey': return `survey ${a.name} = ${a.score}`;
    case 'hangup': return 'hangup';
    case 'event': return describeEvent(a.type, a.data);
  }
}

function describeEvent(type: string, data: Record<string, unknown>): string | undefined {
  switch (type) {
    case 'ivr.digit': return `${data.ignored ? 'ignored ' : ''}digit ${data.masked ? '•' : String(data.digit)}`;
    case 'ivr.timeout': return 'timeout';
    case 'ivr.invalid': return 'invalid';
    case 'ivr.branch': return `→ ${String(data.to)} (${String(data.why)})`;
    case 'ivr.error': return `error: ${String(data.reason)}`;
    case 'ivr.pin': return data.ok ? 'PIN ok' : `PIN not ok${data.reason ? ` (${String(data.reason)})` : ''}`;
    default: return undefined;
  }
}
