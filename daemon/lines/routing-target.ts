/**
 * Where an inbound call on a line goes: an agent extension (`1001`), a ring group (`group:sales`),
 * and, reserved for the next issues, a queue (`queue:NAME`) or a call flow (`flow:NAME`).
 */
export type RoutingTarget =
  | { kind: 'extension'; ext: string }
  | { kind: 'group' | 'queue' | 'flow'; name: string };

const EXT = /^[0-9]{2,8}$/;
const NAMED = /^(group|queue|flow):([a-z0-9][a-z0-9_-]{0,31})$/i;

/** Parse a target as written in the CLI and stored in `lines.target`; undefined when malformed. */
export function parseTarget(raw: string): RoutingTarget | undefined {
  const s = raw.trim();
  if (EXT.test(s)) return { kind: 'extension', ext: s };
  const m = NAMED.exec(s);
  if (!m?.[1] || !m[2]) return undefined;
  return { kind: m[1].toLowerCase() as 'group' | 'queue' | 'flow', name: m[2] };
}

export function formatTarget(t: RoutingTarget): string {
  return t.kind === 'extension' ? t.ext : `${t.kind}:${t.name}`;
}
