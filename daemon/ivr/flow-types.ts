/**
 * The call-flow model (issue 5): a flow is a JSON document of named nodes; the caller starts at
 * `start` and each node names where to go next. The JSON Schema in flows/flow.schema.json is the
 * contract for files and the future visual editor; these types mirror it for the engine.
 *
 * Conventions: every `next`-like field is a node id of the same flow; prompts are prompt ids of
 * the generated sounds (`menu.main`, `num.5`, …) or `upload:NAME` for an owner upload; `${var}` in
 * strings (URLs, bodies, `set` values, `say` values, prompt refs) is replaced by the call's variables.
 */

export type NodeId = string;

/**
 * A prompt: a generated id (`welcome`), an upload (`upload:spring-promo`). It may hold `${var}`
 * (`order.status.${order_status}`), resolved during the call; a result that names no prompt takes
 * the node's `on_error`.
 */
export type PromptRef = string;

export type Language = 'zh-CN' | 'en';

interface NodeBase {
  /** Shown in the editor and in `simulate`'s path. */
  label?: string;
  /** Where to go when this node fails (missing prompt, failed lookup); default: the flow's `on_error`. */
  on_error?: NodeId;
}

export interface PlayNode extends NodeBase {
  type: 'play';
  prompts: PromptRef[];
  /** A digit stops the prompt and is kept for the next menu/collect (default true). */
  barge_in?: boolean;
  next: NodeId;
}

export interface MenuNode extends NodeBase {
  type: 'menu';
  prompts: PromptRef[];
  /** Digit (0-9 * #) → node. */
  options: Record<string, NodeId>;
  /** Seconds to wait for a digit after the prompt (default 5). */
  timeout_s?: number;
  /** Replays after a timeout or an invalid digit before `on_fail` (default 2). */
  retries?: number;
  invalid_prompts?: PromptRef[];
  timeout_prompts?: PromptRef[];
  /** After the retries (default: the flow's `on_error`). */
  on_fail?: NodeId;
}

export interface CollectNode extends NodeBase {
  type: 'collect';
  prompts: PromptRef[];
  /** Variable to store the digits in. */
  into: string;
  min_digits?: number;
  max_digits: number;
  /** Ends input early (default '#'). */
  terminator?: string;
  /** Seconds between digits (default 5). */
  timeout_s?: number;
  retries?: number;
  invalid_prompts?: PromptRef[];
  next: NodeId;
  on_fail?: NodeId;
}

/** Weekly hours: `mon-fri 09:00-18:00`, days as `mon`..`sun` lists or ranges. */
export interface WeeklyRule {
  days: string;
  from: string;
  to: string;
}

export interface TimeSwitchNode extends NodeBase {
  type: 'time_switch';
  /** Checked in order; the first match wins. Dates are box-time-zone calendar dates (YYYY-MM-DD). */
  rules: Array<
    | { kind: 'holiday'; calendar: string; next: NodeId }
    | { kind: 'date_range'; from: string; to: string; next: NodeId }
    | { kind: 'weekly'; hours: WeeklyRule[]; next: NodeId }
  >;
  /** No rule matched. */
  otherwise: NodeId;
}

export interface CallerMatchNode extends NodeBase {
  type: 'caller_match';
  rules: Array<
    | { kind: 'vip'; next: NodeId }
    | { kind: 'blacklist'; next: NodeId }
    | { kind: 'customer_tag'; tag: string; next: NodeId }
    | { kind: 'prefix'; prefixes: string[]; next: NodeId }
    | { kind: 'anonymous'; next: NodeId }
  >;
  otherwise: NodeId;
}

export interface PinCheckNode extends NodeBase {
  type: 'pin_check';
  prompts: PromptRef[];
  /** Where the expected PIN comes from: the VIP list entry of the caller, or a variable. */
  source: 'vip' | { variable: string };
  max_attempts?: number;
  next: NodeId;
  on_fail: NodeId;
}

export interface HttpLookupNode extends NodeBase {
  type: 'http_lookup';
  method: 'GET' | 'POST';
  /** Templated: `http://127.0.0.1:8090/orders/${order_no}`. */
  url: string;
  /** POST body template (JSON text). */
  body?: string;
  timeout_ms?: number;
  /** Variable ← dotted JSON path of the answer (`status` ← `order.status`). */
  assign: Record<string, string>;
  next: NodeId;
  /** Time-out, HTTP error, bad JSON, missing field: `on_error` (or the flow's). */
}

export type SayKind = 'digits' | 'number' | 'amount' | 'date' | 'time';

export interface SayNode extends NodeBase {
  type: 'say';
  kind: SayKind;
  /** Templated value: `${order_amount}`, `2026-12-25`, `18:30`, `1234.5`. */
  value: string;
  /** Spoken before / after the value. */
  before?: PromptRef[];
  after?: PromptRef[];
  language?: Language;
  next: NodeId;
}

export interface SetNode extends NodeBase {
  type: 'set';
  values: Record<string, string>;
  next: NodeId;
}

export interface GotoNode extends NodeBase {
  type: 'goto';
  target: NodeId;
}

export interface RouteNode extends NodeBase {
  type: 'route';
  /**
   * `1001`, `group:sales`, `external:02155550123` (permission-checked), `queue:NAME` (the ACD issue),
   * `flow:NAME` (continue in another flow from its `start`, e.g. main → `flow:after-hours`).
   */
  target: string;
  /** Rung but not answered / busy: default hang up. */
  on_no_answer?: NodeId;
}

/**
 * Hands the caller to an ACD queue (`octoline queues add NAME`); the ACD engine plays the waiting
 * music and announcements and offers the call to the queue's agents.
 */
export interface QueueNode extends NodeBase {
  type: 'queue';
  /** The queue's name (`sales`), or `${var}`. */
  queue: string;
  /** Extra priority 0-9 for callers reaching this node (a VIP branch); added to the caller's VIP level. Default 0. */
  priority?: number;
  /**
   * Where the flow goes on when the queue gives the caller back (overflow with no queue-level
   * overflow target, the queue does not exist, or it refuses new callers): default the error branch.
   */
  on_overflow?: NodeId;
}

export interface VoicemailNode extends NodeBase {
  type: 'voicemail';
  /** The mailbox: an extension, or a group/queue name (`group:sales`). */
  mailbox: string;
  greeting?: PromptRef[];
  max_seconds?: number;
  next?: NodeId;
}

export interface CallbackRequestNode extends NodeBase {
  type: 'callback_request';
  prompts?: PromptRef[];
  /** Ask for another number than the caller ID (default: use the caller ID). */
  ask_number?: boolean;
  next: NodeId;
}

export interface SurveyNode extends NodeBase {
  type: 'survey';
  prompts: PromptRef[];
  /** Stored on the call as `survey.<name>`: a digit 1..5. */
  name: string;
  next: NodeId;
}

export interface HangupNode extends NodeBase {
  type: 'hangup';
  prompts?: PromptRef[];
}

export type FlowNode =
  | PlayNode | MenuNode | CollectNode | TimeSwitchNode | CallerMatchNode | PinCheckNode | HttpLookupNode
  | SayNode | SetNode | GotoNode | RouteNode | QueueNode | VoicemailNode | CallbackRequestNode | SurveyNode | HangupNode;

export type NodeType = FlowNode['type'];

export interface HolidayCalendar {
  /** Dates (YYYY-MM-DD) with an optional name: `{ "2026-10-01": "National Day" }`. */
  dates: Record<string, string>;
}

export interface Flow {
  /** `[a-z0-9][a-z0-9_-]{0,31}`, the name lines point at (`flow:main`). */
  name: string;
  description?: string;
  language: Language;
  start: NodeId;
  /** The safe default on errors: an apology and a human (`route`), never dead air. */
  on_error: NodeId;
  nodes: Record<NodeId, FlowNode>;
  /** Holiday calendars used by `time_switch` nodes. */
  calendars?: Record<string, HolidayCalendar>;
}
