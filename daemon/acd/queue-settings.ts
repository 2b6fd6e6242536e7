import type { Store } from '../store/store.js';
import { formatTarget, parseTarget } from '../lines/routing-target.js';
import { isPlausibleNumber, normalizeNumber } from '../lines/phone-number.js';
import { MAILBOX_NAME } from '../ivr/voicemail-box.js';
import { isStrategy, QUEUE_DEFAULTS, STRATEGIES, type QueueMember, type QueueSettings, type VipRow } from './acd-types.js';
import { AcdError } from './errors.js';

/**
 * The installer's side of the ACD: queues and VIP callers as typed on the CLI (`octoline queues add`,
 * `octoline vip add`), checked and written to the store. The daemon reads them on each call.
 */

/** `octoline queues add` options as typed; an absent one keeps the queue's value (or the default). */
export interface QueueFlags {
  strategy?: string;
  /** `1001,1002` or with penalty tiers `1001:0,1002:1`; the order is the order for `linear`. */
  members?: string;
  ringTimeout?: string;
  retry?: string;
  maxWait?: string;
  /** A target, `callback`, or `hangup`/'' (a goodbye). */
  overflow?: string;
  maxLength?: string;
  joinEmpty?: string;
  leaveEmpty?: string;
  wrapUp?: string;
  /** Seconds, or `never` (-1); 0 = only on entry. */
  announceEvery?: string;
  announcePosition?: string;
  announceWait?: string;
  /** A digit, `*`, `#`, or `none`. */
  callbackDigit?: string;
  stickyDays?: string;
  stickyWait?: string;
  autoPause?: string;
  language?: string;
}

export interface QueueChange {
  queue: QueueSettings;
  /** false when an existing queue was updated. */
  created: boolean;
}

type NumericSetting = 'ringTimeoutS' | 'retryS' | 'maxWaitS' | 'maxLength' | 'wrapUpS' | 'announceEveryS' | 'stickyDays' | 'stickyWaitS' | 'autoPauseAfter';
type BooleanSetting = 'joinEmpty' | 'leaveEmpty' | 'announcePosition' | 'announceWait';

/** `text` is the allowed values as the refusal says them (default `MIN-MAX unit`). */
interface Range { field: NumericSetting; flag: string; min: number; max: number; text: string }

/** The ranges of the numeric settings; migration 008's CHECKs are the same. */
const RANGES: Readonly<Partial<Record<keyof QueueFlags, Range>>> = {
  ringTimeout: { field: 'ringTimeoutS', flag: '--ring-timeout', min: 5, max: 120, text: '5-120 seconds' },
  retry: { field: 'retryS', flag: '--retry', min: 0, max: 60, text: '0-60 seconds' },
  maxWait: { field: 'maxWaitS', flag: '--max-wait', min: 0, max: 86_400, text: '0-86400 seconds' },
  maxLength: { field: 'maxLength', flag: '--max-length', min: 0, max: 100, text: '0-100 callers' },
  wrapUp: { field: 'wrapUpS', flag: '--wrap-up', min: 0, max: 3600, text: '0-3600 seconds' },
  announceEvery: { field: 'announceEveryS', flag: '--announce-every', min: -1, max: 3600, text: '0-3600 seconds (0 = on entry only) or never' },
  stickyDays: { field: 'stickyDays', flag: '--sticky-days', min: 0, max: 365, text: '0-365 days' },
  stickyWait: { field: 'stickyWaitS', flag: '--sticky-wait', min: 0, max: 300, text: '0-300 seconds' },
  autoPause: { field: 'autoPauseAfter', flag: '--auto-pause', min: 0, max: 20, text: '0-20 missed offers in a row' },
};

const BOOLEANS: ReadonlyArray<[keyof QueueFlags, BooleanSetting, string]> = [
  ['joinEmpty', 'joinEmpty', '--join-empty'],
  ['leaveEmpty', 'leaveEmpty', '--leave-empty'],
  ['announcePosition', 'announcePosition', '--announce-position'],
  ['announceWait', 'announceWait', '--announce-wait'],
];

/** As in a `queue:NAME` routing target; names are case-insensitive and stored lower-case. */
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export function queueName(raw: string): string {
  const name = raw.trim().toLowerCase();
  if (!NAME.test(name)) throw new AcdError('QUEUE_BAD_NAME', `"${raw}" is not a queue name: 1-32 letters, digits, - or _, starting with a letter or digit`);
  return name;
}

const bad = (message: string) => new AcdError('QUEUE_BAD_SETTING', message);

function numberIn(raw: string, r: Range): number {
  const s = raw.trim().toLowerCase();
  const n = r.field === 'announceEveryS' && s === 'never' ? -1 : /^-?[0-9]{1,6}$/.test(s) ? Number(s) : NaN;
  if (!(n >= r.min && n <= r.max)) throw bad(`${r.flag} must be ${r.text}, not "${raw}"`);
  return n;
}

function yesNo(raw: string, flag: string): boolean {
  const s = raw.trim().toLowerCase();
  if (s === 'yes' || s === 'no') return s === 'yes';
  throw bad(`${flag} must be yes or no, not "${raw}"`);
}

function strategy(raw: string): QueueSettings['strategy'] {
  const s = raw.trim().toLowerCase();
  if (isStrategy(s)) return s;
  throw bad(`--strategy must be one of ${STRATEGIES.join(', ')}, not "${raw}"`);
}

function callbackDigit(raw: string): string {
  const s = raw.trim().toLowerCase();
  if (s === 'none') return '';
  if (/^[0-9*#]$/.test(s)) return s;
  throw bad(`--callback-digit must be one digit (0-9, * or #) or none, not "${raw}"`);
}

function language(raw: string): QueueSettings['language'] {
  const s = raw.trim().toLowerCase();
  if (s === 'zh-cn') return 'zh-CN';
  if (s === 'en') return 'en';
  throw bad(`--language must be zh-CN or en, not "${raw}"`);
}

function member(store: Store, entry: string, position: number): QueueMember {
  const [ext = '', penalty = '0', extra] = entry.split(':').map((p) => p.trim());
  if (extra !== undefined || !/^[0-9]$/.test(penalty)) {
    throw new AcdError('QUEUE_BAD_MEMBER', `--members: "${entry}" is not EXT or EXT:PENALTY with a penalty 0-9 (1001,1002:1)`);
  }
  if (!store.extensions.get(ext)) throw new AcdError('QUEUE_BAD_MEMBER', `--members: no extension ${ext}; add it with octoline setup --extension ${ext}`);
  return { ext, penalty: Number(penalty), position };
}

function members(store: Store, csv: string): QueueMember[] {
  const entries = csv.split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (entries.length === 0) throw new AcdError('QUEUE_BAD_MEMBER', '--members: give at least one extension (1001,1002 or 1001:0,1002:1)');
  const list = entries.map((e, i) => member(store, e, i));
  const twice = list.find((m, i) => list.findIndex((o) => o.ext === m.ext) !== i);
  if (twice) throw new AcdError('QUEUE_BAD_MEMBER', `--members: extension ${twice.ext} is listed twice`);
  return list;
}

const OVERFLOW_KINDS = 'EXT, group:NAME, queue:NAME, flow:NAME, voicemail:MAILBOX, callback or hangup';

/** Where callers go when they leave the queue unserved; must exist now (a route to nothing would drop them). */
function overflow(store: Store, queue: string, raw: string): string {
  const s = raw.trim();
  const lower = s.toLowerCase();
  if (lower === '' || lower === 'hangup') return '';
  if (lower === 'callback') return 'callback';
  if (lower.startsWith('voicemail:')) {
    const mailbox = s.slice('voicemail:'.length);
    if (!MAILBOX_NAME.test(mailbox)) throw bad(`--overflow: "${mailbox}" is not a mailbox name: 1-64 letters, digits, _ . : or - (usually 1001 or group:NAME)`);
    return `voicemail:${mailbox}`;
  }
  const t = parseTarget(s);
  if (!t) throw bad(`--overflow: "${raw}" is not a target: use ${OVERFLOW_KINDS}`);
  if (t.kind === 'extension') {
    if (!store.extensions.get(t.ext)) throw bad(`--overflow: extension ${t.ext} does not exist`);
    return t.ext;
  }
  const name = t.name.toLowerCase();
  const exists = { group: () => store.ringGroups.get(name), queue: () => store.queues.get(name), flow: () => store.flows.get(name) }[t.kind];
  if (t.kind === 'queue' && name === queue) throw bad(`--overflow: queue ${queue} cannot overflow to itself`);
  if (!exists()) throw bad(`--overflow: ${t.kind === 'group' ? 'ring group' : t.kind} ${name} does not exist`);
  return formatTarget({ kind: t.kind, name });
}

/** The settings with the given flags applied over `base`; each flag is checked. */
function applyFlags(store: Store, base: QueueSettings, f: QueueFlags): QueueSettings {
  const q: QueueSettings = { ...base };
  if (f.strategy !== undefined) q.strategy = strategy(f.strategy);
  if (f.members !== undefined) q.members = members(store, f.members);
  for (const [key, r] of Object.entries(RANGES) as Array<[keyof QueueFlags, Range]>) {
    const raw = f[key];
    if (raw !== undefined) q[r.field] = numberIn(raw, r);
  }
  for (const [key, field, flag] of BOOLEANS) {
    const raw = f[key];
    if (raw !== undefined) q[field] = yesNo(raw, flag);
  }
  if (f.overflow !== undefined) q.overflow = overflow(store, q.name, f.overflow);
  if (f.callbackDigit !== undefined) q.callbackDigit = callbackDigit(f.callbackDigit);
  if (f.language !== undefined) q.language = language(f.language);
  return q;
}

/**
 * Create queue `name` from QUEUE_DEFAULTS and the flags (`--members` required), or update an
 * existing one: only the flags given change (`--members` replaces the member list). Nothing is
 * written when a flag is refused.
 */
export function addQueue(store: Store, name: string, flags: QueueFlags, now = Date.now()): QueueChange {
  const n = queueName(name);
  const existing = store.queues.get(n);
  if (!existing && flags.members === undefined) {
    throw new AcdError('QUEUE_BAD_MEMBER', `--members: a new queue needs its agents' extensions (octoline queues add ${n} --members 1001,1002)`);
  }
  const queue = applyFlags(store, existing ?? { ...QUEUE_DEFAULTS, name: n, members: [] }, flags);
  store.queues.upsert(queue, now);
  return { queue, created: !existing };
}

export function getQueue(store: Store, name: string): QueueSettings {
  const n = queueName(name);
  const q = store.queues.get(n);
  if (!q) throw notFound(store, n);
  return q;
}

function notFound(store: Store, name: string): AcdError {
  const known = store.queues.list().map((q) => q.name).join(', ') || 'none';
  return new AcdError('QUEUE_NOT_FOUND', `there is no queue ${name} (queues: ${known})`);
}

/** Flows whose current version sends callers to the queue (a queue node or a `queue:NAME` route). */
function flowsUsing(store: Store, name: string): string[] {
  const usesQueue = (node: unknown): boolean => {
    if (typeof node !== 'object' || node === null) return false;
    const n = node as { type?: unknown; queue?: unknown; target?: unknown };
    return (n.type === 'queue' && n.queue === name) || n.target === `queue:${name}`;
  };
  return store.flows.list().map((f) => f.name).filter((flow) => {
    const doc = JSON.parse(store.flows.get(flow)?.json ?? '{}') as { nodes?: Record<string, unknown> };
    return Object.values(doc.nodes ?? {}).some(usesQueue);
  });
}

/** What still sends callers to `queue:NAME`: lines (target or fallback), other queues' overflow, flows. */
function usersOf(store: Store, name: string): string[] {
  const target = `queue:${name}`;
  const lines = store.lines.list().filter((l) => l.target === target || l.fallback === target).map((l) => `line ${l.id}`);
  const queues = store.queues.list().filter((q) => q.overflow === target).map((q) => `queue ${q.name} (overflow)`);
  return [...lines, ...queues, ...flowsUsing(store, name).map((f) => `flow ${f}`)];
}

/** Remove a queue nothing routes or overflows to (callers sent to a missing queue would be dropped). */
export function removeQueue(store: Store, name: string): string {
  const n = getQueue(store, name).name;
  const users = usersOf(store, n);
  if (users.length > 0) {
    throw new AcdError('QUEUE_IN_USE', `${users.join(', ')} still ${users.length === 1 ? 'sends' : 'send'} callers to queue:${n}; point ${users.length === 1 ? 'it' : 'them'} elsewhere first`);
  }
  store.queues.remove(n);
  return n;
}

// ---- VIP callers ----

/** `octoline vip add` options as typed; an absent one keeps the VIP's value (or the default). */
export interface VipFlags {
  name?: string;
  /** 1-9; higher is served first. */
  level?: string;
  /** 4-8 digits, or `none`. */
  pin?: string;
}

export const VIP_DEFAULT_LEVEL = 5;

function vipNumber(raw: string): string {
  if (!isPlausibleNumber(raw)) throw new AcdError('VIP_BAD_NUMBER', `"${raw}" is not a phone number (digits, spaces, dashes, a leading +)`);
  return normalizeNumber(raw);
}

function vipLevel(raw: string): number {
  const s = raw.trim();
  if (/^[1-9]$/.test(s)) return Number(s);
  throw new AcdError('VIP_BAD_SETTING', `--level must be 1-9 (higher is served first), not "${raw}"`);
}

function vipPin(raw: string): string | null {
  const s = raw.trim();
  if (s.toLowerCase() === 'none') return null;
  if (/^[0-9]{4,8}$/.test(s)) return s;
  throw new AcdError('VIP_BAD_SETTING', '--pin must be 4-8 digits, or none');
}

function vipName(raw: string): string {
  const s = raw.trim();
  if (s.length <= 64) return s;
  throw new AcdError('VIP_BAD_SETTING', '--name must be at most 64 characters');
}

/** Add a VIP caller, or change the given fields of one already listed. Returns the stored row. */
export function addVip(store: Store, number: string, flags: VipFlags = {}, now = Date.now()): VipRow {
  const norm = vipNumber(number);
  const base: VipRow = store.vip.get(norm) ?? { number: norm, name: '', level: VIP_DEFAULT_LEVEL, pin: null, createdAt: now };
  const row: VipRow = {
    ...base,
    ...(flags.name !== undefined ? { name: vipName(flags.name) } : {}),
    ...(flags.level !== undefined ? { level: vipLevel(flags.level) } : {}),
    ...(flags.pin !== undefined ? { pin: vipPin(flags.pin) } : {}),
  };
  store.vip.add(row);
  return row;
}

/** Take a number (any formatting) off the VIP list; returns its normalised form. */
export function removeVip(store: Store, number: string): string {
  const norm = normalizeNumber(number);
  if (norm === '' || !store.vip.remove(norm)) throw new AcdError('VIP_NOT_FOUND', `${number.trim()} is not a VIP caller (octoline vip list shows them)`);
  return norm;
}
