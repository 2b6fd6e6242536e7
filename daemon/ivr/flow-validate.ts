import { checkFlowSchema } from './flow-schema.js';
import { givesCallerATurn, nodeEdges, nodePrompts } from './flow-graph.js';
import { duplicateKeys } from './json-duplicate-keys.js';
import { SayError, sayPrompts } from './say.js';
import type { Flow, FlowNode, Language, NodeId, QueueNode, SayNode, TimeSwitchNode } from './flow-types.js';

/** Stable codes of validation findings (docs/ivr.md lists them); findings are reported, not thrown. */
export type FlowFindingCode =
  | 'FLOW_JSON'
  | 'FLOW_DUPLICATE_KEY'
  | 'FLOW_SCHEMA'
  | 'FLOW_MISSING_NODE'
  | 'FLOW_UNREACHABLE'
  | 'FLOW_MISSING_PROMPT'
  | 'FLOW_MENU_NO_OPTIONS'
  | 'FLOW_MENU_NO_FAIL'
  | 'FLOW_LOOP_WITHOUT_INPUT'
  | 'FLOW_BAD_TARGET'
  | 'FLOW_UNKNOWN_TARGET'
  | 'FLOW_BAD_TIME_RANGE'
  | 'FLOW_OVERNIGHT_HOURS'
  | 'FLOW_BAD_DATE'
  | 'FLOW_MISSING_CALENDAR'
  | 'FLOW_BAD_DIGIT_RANGE'
  | 'FLOW_BAD_URL'
  | 'FLOW_BAD_SAY_VALUE';

export interface FlowFinding {
  level: 'error' | 'warning';
  /** JSON Pointer into the flow (`/nodes/menu/options/1`); `/` for the flow as a whole. */
  path: string;
  code: FlowFindingCode;
  message: string;
}

/** What the validator may ask about the box; the optional checks are skipped when absent. */
export interface FlowValidationContext {
  promptExists(ref: string, lang: Language): boolean;
  flowExists?(name: string): boolean;
  extensionExists?(ext: string): boolean;
  groupExists?(name: string): boolean;
  queueExists?(name: string): boolean;
}

export interface FlowValidation {
  /** No errors (warnings allowed). */
  ok: boolean;
  /** Set when the JSON matches the schema (even if graph checks found errors). */
  flow?: Flow;
  findings: FlowFinding[];
}

const error = (path: string, code: FlowFindingCode, message: string): FlowFinding => ({ level: 'error', path, code, message });
const warning = (path: string, code: FlowFindingCode, message: string): FlowFinding => ({ level: 'warning', path, code, message });

function result(findings: FlowFinding[], flow?: Flow): FlowValidation {
  return { ok: !findings.some((f) => f.level === 'error'), ...(flow ? { flow } : {}), findings };
}

/**
 * A flow file's text: not JSON or a key given twice (two `"1"` options, two nodes of one id — JSON
 * keeps only the last) is an error before the checks of validateFlow. `name` replaces the file's
 * own name (one file imported under another name).
 */
export function validateFlowText(text: string, ctx: FlowValidationContext, name?: string): FlowValidation {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return result([error('/', 'FLOW_JSON', `not valid JSON: ${(err as Error).message}`)]);
  }
  if (name !== undefined && typeof json === 'object' && json !== null && !Array.isArray(json)) json = { ...json, name };
  const dups = duplicateKeys(text).map((p) => error(p, 'FLOW_DUPLICATE_KEY', /\/options\/[^/]+$/.test(p)
    ? `digit ${p.split('/').at(-1)} is given twice in the menu's options; only the last would count`
    : `"${p.split('/').at(-1)}" is given twice; only the last would count`));
  const v = validateFlow(json, ctx);
  return result([...dups, ...v.findings], v.flow);
}

/** Schema errors first (and then nothing else), then the checks of the graph and its references. */
export function validateFlow(json: unknown, ctx: FlowValidationContext): FlowValidation {
  const schema = checkFlowSchema(json);
  if ('problems' in schema) return result(schema.problems.map((p) => error(p.path, 'FLOW_SCHEMA', p.message)));
  const flow = schema.flow;
  const findings = [
    ...rootChecks(flow),
    ...Object.entries(flow.nodes).flatMap(([id, node]) => nodeChecks(flow, id, node, ctx)),
    ...unreachable(flow),
    ...loopsWithoutInput(flow),
  ];
  return result(findings, flow);
}

const nodePath = (id: NodeId, field?: string): string => `/nodes/${id}${field ? `/${field}` : ''}`;

function rootChecks(flow: Flow): FlowFinding[] {
  return [
    ...(['start', 'on_error'] as const).filter((k) => !flow.nodes[flow[k]])
      .map((k) => error(`/${k}`, 'FLOW_MISSING_NODE', `${k} names node "${flow[k]}", which is not in nodes`)),
    ...calendarDates(flow),
  ];
}

function nodeChecks(flow: Flow, id: NodeId, node: FlowNode, ctx: FlowValidationContext): FlowFinding[] {
  const missingNodes = nodeEdges(node).filter((e) => !flow.nodes[e.to])
    .map((e) => error(nodePath(id, e.field), 'FLOW_MISSING_NODE', `points at node "${e.to}", which is not in nodes`));
  // A templated ref (`order.status.${status}`) is only known during the call; a miss there takes on_error.
  const missingPrompts = nodePrompts(node, flow.language).filter((p) => !p.ref.includes('${') && !ctx.promptExists(p.ref, p.lang))
    .map((p) => error(nodePath(id, p.field), 'FLOW_MISSING_PROMPT', p.ref.startsWith('upload:')
      ? `prompt ${p.ref} has not been uploaded`
      : `prompt ${p.ref} does not exist in ${p.lang} (see sounds/build/${p.lang}/ and docs/sounds.md)`));
  return [...missingNodes, ...missingPrompts, ...typeChecks(flow, id, node, ctx)];
}

function typeChecks(flow: Flow, id: NodeId, node: FlowNode, ctx: FlowValidationContext): FlowFinding[] {
  switch (node.type) {
    case 'menu': {
      const out: FlowFinding[] = [];
      if (Object.keys(node.options).length === 0) out.push(error(nodePath(id, 'options'), 'FLOW_MENU_NO_OPTIONS', 'the menu has no options: a caller could never leave it by a key'));
      if (node.on_fail === undefined) {
        out.push(warning(nodePath(id), 'FLOW_MENU_NO_FAIL', `no on_fail: after the retries the caller goes to the flow's on_error ("${flow.on_error}")`));
      }
      return out;
    }
    case 'collect':
      return (node.min_digits ?? 1) > node.max_digits
        ? [error(nodePath(id, 'min_digits'), 'FLOW_BAD_DIGIT_RANGE', `min_digits ${node.min_digits ?? 1} is more than max_digits ${node.max_digits}`)]
        : [];
    case 'time_switch':
      return timeChecks(flow, id, node);
    case 'http_lookup':
      return urlOk(node.url) ? [] : [error(nodePath(id, 'url'), 'FLOW_BAD_URL', `"${node.url}" is not an http:// or https:// URL (\${var} placeholders allowed)`)];
    case 'say':
      return sayChecks(flow, id, node, ctx);
    case 'route':
      return targetChecks(nodePath(id, 'target'), node.target, ctx);
    case 'queue':
      return queueChecks(id, node, ctx);
    case 'voicemail':
      return mailboxChecks(nodePath(id, 'mailbox'), node.mailbox, ctx);
    default:
      return [];
  }
}

// ---- route targets and mailboxes ----

type TargetKind = 'extension' | 'group' | 'queue' | 'flow' | 'external';
const TARGET = /^(?:([0-9]{2,8})|(group|queue|flow):([a-z0-9][a-z0-9_-]{0,31})|external:(\+?[0-9]{3,20}))$/;
/** A mailbox is any such name; usually the target it stands for (`1001`, `group:sales`). */
const MAILBOX = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

function parseFlowTarget(raw: string): { kind: TargetKind; name: string } | undefined {
  const m = TARGET.exec(raw);
  if (!m) return undefined;
  if (m[1]) return { kind: 'extension', name: m[1] };
  if (m[4]) return { kind: 'external', name: m[4] };
  return { kind: m[2] as 'group' | 'queue' | 'flow', name: m[3] ?? '' };
}

// A templated target or mailbox (`${agent}`) is only known during the call.
function targetChecks(path: string, raw: string, ctx: FlowValidationContext): FlowFinding[] {
  if (raw.includes('${')) return [];
  const t = parseFlowTarget(raw);
  if (!t) return [error(path, 'FLOW_BAD_TARGET', `"${raw}" is not an extension (1001), group:NAME, queue:NAME, flow:NAME or external:NUMBER`)];
  return knownTarget(path, raw, t, ctx, 'a call sent there would fail');
}

function mailboxChecks(path: string, raw: string, ctx: FlowValidationContext): FlowFinding[] {
  if (raw.includes('${')) return [];
  if (!MAILBOX.test(raw)) return [error(path, 'FLOW_BAD_TARGET', `"${raw}" is not a mailbox name: 1-64 of letters, digits, _ . : - (usually 1001 or group:NAME)`)];
  const t = parseFlowTarget(raw);
  return t ? knownTarget(path, raw, t, ctx, 'messages left there would reach no one') : [];
}

function knownTarget(path: string, raw: string, t: { kind: TargetKind; name: string }, ctx: FlowValidationContext, effect: string): FlowFinding[] {
  const known = t.kind === 'extension' ? ctx.extensionExists?.(t.name)
    : t.kind === 'group' ? ctx.groupExists?.(t.name)
      : t.kind === 'flow' ? ctx.flowExists?.(t.name)
        : t.kind === 'queue' ? ctx.queueExists?.(t.name) : undefined;
  if (known !== false) return [];
  const how = t.kind === 'extension' ? `octoline setup --extension ${t.name}`
    : t.kind === 'group' ? `octoline groups add ${t.name} --members EXT,…`
      : t.kind === 'queue' ? `octoline queues add ${t.name}` : `octoline flows import FILE`;
  return [warning(path, 'FLOW_UNKNOWN_TARGET', `${raw} does not exist on this box yet (${how}); ${effect}`)];
}

/** The schema checked the name's shape; a templated one (`${queue}`) is only known during the call. */
function queueChecks(id: NodeId, node: QueueNode, ctx: FlowValidationContext): FlowFinding[] {
  if (node.queue.includes('${')) return [];
  const goes = node.on_overflow === undefined ? 'the error branch' : `on_overflow ("${node.on_overflow}")`;
  return knownTarget(nodePath(id, 'queue'), `queue ${node.queue}`, { kind: 'queue', name: node.queue }, ctx, `callers sent there go to ${goes}`);
}

// ---- time rules ----

/** YYYY-MM-DD that is a real calendar day (the schema only checks the shape). */
function realDate(s: string): boolean {
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function timeChecks(flow: Flow, id: NodeId, node: TimeSwitchNode): FlowFinding[] {
  return node.rules.flatMap((rule, i): FlowFinding[] => {
    const at = (field: string) => nodePath(id, `rules/${i}/${field}`);
    if (rule.kind === 'holiday') {
      return flow.calendars?.[rule.calendar] ? [] : [error(at('calendar'), 'FLOW_MISSING_CALENDAR', `calendar "${rule.calendar}" is not in the flow's calendars`)];
    }
    if (rule.kind === 'date_range') {
      const bad = (['from', 'to'] as const).filter((k) => !realDate(rule[k])).map((k) => error(at(k), 'FLOW_BAD_DATE', `${rule[k]} is not a day of the calendar`));
      if (bad.length === 0 && rule.from > rule.to) bad.push(error(at('from'), 'FLOW_BAD_TIME_RANGE', `the range starts (${rule.from}) after it ends (${rule.to})`));
      return bad;
    }
    // The engine reads to <= from as a span over midnight (22:00-02:00): legal, but as often a typo.
    return rule.hours.flatMap((h, j) => (h.from < h.to ? [] : [warning(at(`hours/${j}/to`), 'FLOW_OVERNIGHT_HOURS', h.from === h.to
      ? `${h.from}-${h.to} covers the whole day`
      : `${h.from}-${h.to} ends before it starts, so it runs over midnight into the next day`)]));
  });
}

function calendarDates(flow: Flow): FlowFinding[] {
  return Object.entries(flow.calendars ?? {}).flatMap(([name, cal]) => Object.keys(cal.dates).filter((d) => !realDate(d))
    .map((d) => error(`/calendars/${name}/dates/${d}`, 'FLOW_BAD_DATE', `${d} is not a day of the calendar`)));
}

// ---- values ----

const PLACEHOLDER = /\$\{[a-z_][a-z0-9_]{0,31}\}/g;

function urlOk(url: string): boolean {
  try {
    const u = new URL(url.replace(PLACEHOLDER, 'x'));
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A literal value must be speakable, from fragments that exist; a templated one is only known during the call. */
function sayChecks(flow: Flow, id: NodeId, node: SayNode, ctx: FlowValidationContext): FlowFinding[] {
  if (node.value.includes('${')) return [];
  const lang = node.language ?? flow.language;
  let fragments: string[];
  try {
    fragments = sayPrompts(node.kind, node.value, lang);
  } catch (err) {
    return [error(nodePath(id, 'value'), 'FLOW_BAD_SAY_VALUE', err instanceof SayError ? err.message : `"${node.value}" cannot be said as ${node.kind}`)];
  }
  const missing = [...new Set(fragments)].filter((f) => !ctx.promptExists(f, lang));
  return missing.length === 0 ? [] : [error(nodePath(id, 'value'), 'FLOW_MISSING_PROMPT', `saying "${node.value}" needs ${missing.join(', ')}, missing in ${lang}`)];
}

// ---- graph ----

function unreachable(flow: Flow): FlowFinding[] {
  const seen = new Set<NodeId>();
  const todo = [flow.start, flow.on_error].filter((id) => flow.nodes[id]);
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    const node = flow.nodes[id];
    if (node) todo.push(...nodeEdges(node).map((e) => e.to).filter((to) => flow.nodes[to] && !seen.has(to)));
  }
  return Object.keys(flow.nodes).filter((id) => !seen.has(id))
    .map((id) => warning(nodePath(id), 'FLOW_UNREACHABLE', 'no path from start or on_error leads here'));
}

/**
 * Cycles among nodes that never give the caller a turn (see givesCallerATurn): Tarjan's strongly
 * connected components of that sub-graph; a component of two or more nodes, or one pointing at
 * itself, would spin forever.
 */
function loopsWithoutInput(flow: Flow): FlowFinding[] {
  const ids = Object.entries(flow.nodes).filter(([, n]) => !givesCallerATurn(n)).map(([id]) => id);
  const inSub = new Set(ids);
  const next = (id: NodeId): NodeId[] => {
    const node = flow.nodes[id];
    return node ? nodeEdges(node).map((e) => e.to).filter((to) => inSub.has(to)) : [];
  };
  return stronglyConnected(ids, next)
    .filter((c) => c.length > 1 || next(c[0] ?? '').includes(c[0] ?? ''))
    .map((c) => error(nodePath(c[0] ?? ''), 'FLOW_LOOP_WITHOUT_INPUT',
      `loop without input: ${c.join(', ')} lead back to each other without ever waiting for a digit (add a menu, collect or barge-in prompt)`));
}

function stronglyConnected(ids: NodeId[], next: (id: NodeId) => NodeId[]): NodeId[][] {
  const index = new Map<NodeId, number>();
  const low = new Map<NodeId, number>();
  const stack: NodeId[] = [];
  const onStack = new Set<NodeId>();
  const out: NodeId[][] = [];
  const visit = (v: NodeId): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const comp: NodeId[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      comp.push(w);
      if (w === v) break;
    }
    out.push(comp.reverse());
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return out;
}
