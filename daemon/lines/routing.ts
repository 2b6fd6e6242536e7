import type { Store } from '../store/store.js';
import type { LineDirection } from '../store/lines-repo.js';
import { LinesError } from './errors.js';
import { formatTarget, parseTarget } from './routing-target.js';

const DIRECTIONS: readonly LineDirection[] = ['in', 'out', 'both'];

function existingLine(store: Store, line: number): void {
  if (!Number.isInteger(line) || !store.lines.get(line)) {
    const known = store.lines.list().map((l) => l.id).join(', ') || 'none; run octoline setup';
    throw new LinesError('LINE_NOT_FOUND', `there is no line ${line} (lines: ${known})`);
  }
}

/**
 * Route inbound calls on `line` to `target` (`1001`, `group:NAME`; `queue:` and `flow:` are
 * reserved). An extension must exist. Written to the store, which the call engine reads on each
 * call, so a running daemon needs no restart. Returns the stored form.
 */
export function routeLine(store: Store, line: number, target: string): string {
  existingLine(store, line);
  const t = parseTarget(target);
  if (!t) {
    throw new LinesError('LINE_BAD_TARGET', `"${target}" is not a target: use an extension (1001) or group:NAME (queue:NAME and flow:NAME are reserved)`);
  }
  if (t.kind === 'extension' && !store.extensions.get(t.ext)) {
    throw new LinesError('LINE_TARGET_NOT_FOUND', `extension ${t.ext} does not exist; add it with octoline setup --extension ${t.ext}`);
  }
  const stored = formatTarget(t);
  store.lines.setTarget(line, stored);
  return stored;
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
