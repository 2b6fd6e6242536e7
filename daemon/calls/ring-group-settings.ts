import { CodedError } from '../../drivers/coded-error.js';
import type { Store } from '../store/store.js';
import { RING_STRATEGIES, type RingGroup, type RingStrategy } from '../store/ring-groups-repo.js';

export type RingGroupErrorCode =
  | 'GROUP_BAD_NAME'
  | 'GROUP_BAD_STRATEGY'
  | 'GROUP_NO_MEMBERS'
  | 'GROUP_MEMBER_NOT_FOUND'
  | 'GROUP_NOT_FOUND'
  | 'GROUP_IN_USE';

export class RingGroupError extends CodedError<RingGroupErrorCode> {}

/** As in a `group:NAME` routing target; names are case-insensitive and stored lower-case. */
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

function groupName(raw: string): string {
  const name = raw.trim().toLowerCase();
  if (!NAME.test(name)) throw new RingGroupError('GROUP_BAD_NAME', `"${raw}" is not a group name: 1-32 letters, digits, - or _, starting with a letter or digit`);
  return name;
}

const isStrategy = (s: string): s is RingStrategy => (RING_STRATEGIES as readonly string[]).includes(s);

function strategy(s: string): RingStrategy {
  if (isStrategy(s)) return s;
  throw new RingGroupError('GROUP_BAD_STRATEGY', `--strategy: "${s}" is not a strategy: use ring-all or linear`);
}

function members(store: Store, csv: string): string[] {
  const exts = [...new Set(csv.split(',').map((m) => m.trim()).filter((m) => m !== ''))];
  if (exts.length === 0) throw new RingGroupError('GROUP_NO_MEMBERS', '--members: give at least one extension (1001,1002)');
  const missing = exts.filter((e) => !store.extensions.get(e));
  if (missing.length > 0) {
    throw new RingGroupError('GROUP_MEMBER_NOT_FOUND', `--members: no extension ${missing.join(', ')}; add it with octoline setup --extension ${missing[0]}`);
  }
  return exts;
}

/**
 * Create ring group `name`, or replace its members (and strategy, when given; a new group rings
 * all). Members ring in the order given. Returns the stored group.
 */
export function addRingGroup(store: Store, name: string, memberList: string, strategyName?: string): RingGroup {
  const n = groupName(name);
  const s = strategyName !== undefined ? strategy(strategyName) : store.ringGroups.get(n)?.strategy ?? 'ring-all';
  const group: RingGroup = { name: n, strategy: s, members: members(store, memberList) };
  store.ringGroups.upsert(group);
  return group;
}

/** Remove a ring group no line routes or falls back to (a line routed to nothing rings nobody). */
export function removeRingGroup(store: Store, name: string): void {
  const n = groupName(name);
  if (!store.ringGroups.get(n)) throw new RingGroupError('GROUP_NOT_FOUND', `there is no ring group ${n} (octoline groups list shows them)`);
  const target = `group:${n}`;
  const users = store.lines.list().filter((l) => l.target === target || l.fallback === target).map((l) => l.id);
  if (users.length > 0) {
    throw new RingGroupError('GROUP_IN_USE', `line ${users.join(', ')} still routes to ${target}; route it elsewhere first (octoline lines route / lines fallback)`);
  }
  store.ringGroups.remove(n);
}
