import type { Store } from '../store/store.js';
import { isRecordPolicy, type LineDirection, type RecordPolicy } from '../store/lines-repo.js';
import { LinesError } from './errors.js';
import { formatTarget, parseTarget, type RoutingTarget } from './routing-target.js';

const DIRECTIONS: readonly LineDirection[] = ['in', 'out', 'both'];

function existingLine(store: Store, line: number): void {
  if (!Number.isInteger(line) || !store.lines.get(line)) {
    const known = store.lines.list().map((l) => l.id).join(', ') || 'none; run octoline setup';
    throw new LinesError('LINE_NOT_FOUND', `there is no line ${line} (lines: ${known})`);
  }
}

/**
 * A target as typed, checked against the store: an extension, ring group, queue or flow must exist
 * (a call routed to nothing would ring nobody). Names are case-insensitive and stored lower-case.
 */
function existingTarget(store: Store, target: string): RoutingTarget {
  const t = parseTarget(target);
  if (!t) {
    throw new LinesError('LINE_BAD_TARGET', `"${target}" is not a target: use an extension (1001), group:NAME, queue:NAME or flow:NAME`);
  }
  if (t.kind === 'extension' && !store.extensions.get(t.ext)) {
    throw new LinesError('LINE_TARGET_NOT_FOUND', `extension ${t.ext} does not exist; add it with octoline setup --extension ${t.ext}`);
  }
  if (t.kind === 'flow') return existingFlow(store, t.name);
  if (t.kind === 'queue') return existingQueue(store, t.name);
  if (t.kind !== 'group') return t;
  const name = t.name.toLowerCase();
  if (!store.ringGroups.get(name)) {
    throw new LinesError('LINE_TARGET_NOT_FOUND', `ring group ${name} does not exist; add it with octoline groups add ${name} --members EXT,EXT`);
  }
  return { kind: 'group', name };
}

function existingQueue(store: Store, raw: string): RoutingTarget {
  const name = raw.toLowerCase();
  if (!store.queues.get(name)) {
    const known = store.queues.list().map((q) => q.name).join(', ') || 'none';
    throw new LinesError('LINE_TARGET_NOT_FOUND', `queue ${name} does not exist (queues: ${known}); add it with octoline queues add ${name} --members EXT,EXT`);
  }
  return { kind: 'queue', name };
}

/** Flow names are lower-case (flows/flow.schema.json); a line may only point at a stored flow. */
function existingFlow(store: Store, raw: string): RoutingTarget {
  const name = raw.toLowerCase();
  if (!store.flows.get(name)) {
    const known = store.flows.list().map((f) => f.name).join(', ') || 'none';
    throw new LinesError('LINE_TARGET_NOT_FOUND', `flow ${name} does not exist (flows: ${known}); import it with octoline flows import FILE`);
  }
  return { kind: 'flow', name };
}

/**
 * Route inbound calls on `line` to `target` (`1001`, `group:NAME`, `queue:NAME`, `flow:NAME`).
 * An extension, group, queue or flow must exist. Written to the store, which the call engine reads
 * on each call, so a running daemon needs no restart. Returns the stored form.
 */
export function routeLine(store: Store, line: number, target: string): string {
  existingLine(store, line);
  const stored = formatTarget(existingTarget(store, target));
  store.lines.setTarget(line, stored);
  return stored;
}

/**
 * Where a call on `line` goes when its target does not answer within calls.ring_timeout_s:
 * a target as for routeLine, or `hangup` (stored as ''). Returns the stored form.
 */
export function setLineFallback(store: Store, line: number, target: string): string {
  existingLine(store, line);
  const stored = target.trim().toLowerCase() === 'hangup' ? '' : formatTarget(existingTarget(store, target));
  store.lines.setFallback(line, stored);
  return stored;
}

/** Record calls on `line`: off, from the first ring, or from the answer. */
export function setLineRecord(store: Store, line: number, record: string): RecordPolicy {
  existingLine(store, line);
  if (!isRecordPolicy(record)) throw new LinesError('LINE_BAD_RECORD', `"${record}" is not a recording policy: use off, ring or answer`);
  store.lines.setRecord(line, record);
  return record;
}

export function isLineDirection(s: string): s is LineDirection {
  return (DIRECTIONS as readonly string[]).includes(s);
}

/** Which way calls may use `line`: in (inbound only), out (outbound only) or both. */
export function setLineDirection(store: Store, line: number, direction: string): LineDirection {
  existingLine(store, line);
  if (!isLineDirection(direction)) throw new LinesError('LINE_BAD_DIRECTION', `"${direction}" is not a direction: use in, out or both`);
  store.lines.setDirection(line, direction);
  return direction;
}
