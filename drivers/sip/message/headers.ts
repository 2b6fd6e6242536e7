import { SipBuildError } from './errors.js';
import { isToken } from './text.js';

/** Compact forms (RFC 3261 §7.3.3 and the extensions that registered one). */
const COMPACT: Record<string, string> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

/** Canonical spelling of the header names we know; others keep the spelling they arrived with. */
const CANONICAL: Record<string, string> = {};
for (const name of [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow',
  'Allow-Events', 'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact',
  'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type',
  'CSeq', 'Date', 'Error-Info', 'Event', 'Expires', 'From', 'Identity', 'Identity-Info',
  'In-Reply-To', 'Max-Forwards', 'Min-Expires', 'Min-SE', 'MIME-Version', 'Organization', 'Path',
  'P-Asserted-Identity', 'P-Preferred-Identity', 'Priority', 'Privacy', 'Proxy-Authenticate',
  'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason', 'Record-Route', 'Refer-To',
  'Referred-By', 'Reject-Contact', 'Replaces', 'Reply-To', 'Request-Disposition', 'Require',
  'Retry-After', 'Route', 'RSeq', 'Server', 'Service-Route', 'Session-Expires', 'SIP-ETag',
  'SIP-If-Match', 'Subject', 'Subscription-State', 'Supported', 'Timestamp', 'To', 'Unsupported',
  'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
]) {
  CANONICAL[name.toLowerCase()] = name;
}

/**
 * Headers whose value is a comma-separated list, so that "Via: a, b" equals two Via fields
 * (RFC 3261 §7.3.1). Not here on purpose: WWW-Authenticate, Authorization, Proxy-Authenticate and
 * Proxy-Authorization (commas separate their parameters, §7.3.1 last paragraph), Date, Subject,
 * and any header we do not know (we cannot tell where its commas belong).
 */
const LIST_HEADERS = new Set([
  'accept', 'accept-contact', 'accept-encoding', 'accept-language', 'alert-info', 'allow',
  'allow-events', 'call-info', 'contact', 'content-encoding', 'content-language', 'error-info',
  'in-reply-to', 'p-asserted-identity', 'p-preferred-identity', 'path', 'privacy', 'proxy-require',
  'reason', 'record-route', 'reject-contact', 'require', 'route', 'service-route', 'supported',
  'unsupported', 'via', 'warning',
]);

/** Lower-case full name used as the lookup key: "V" and "via" both give "via". */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return (lower.length === 1 ? COMPACT[lower] : undefined) ?? lower;
}

/** Canonical full name for writing: "v" gives "Via", "cseq" gives "CSeq", unknown names as given. */
export function canonicalName(name: string): string {
  const key = headerKey(name);
  return CANONICAL[key] ?? name;
}

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}

/**
 * Split a list value at top-level commas: commas inside a quoted-string (with its \" escapes) or
 * between < and > do not count. Elements are trimmed; empty ones are kept so that the typed parser
 * can reject them (RFC 4475 §3.1.2.1 badinv01).
 */
export function splitList(value: string): string[] {
  if (value.indexOf(',') < 0) return [value.trim()];
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92) i++;
      else if (c === 34) inQuote = false;
    } else if (c === 34) {
      inQuote = true;
    } else if (c === 60) {
      inAngle = true;
    } else if (c === 62) {
      inAngle = false;
    } else if (c === 44 && !inAngle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out;
}

/** One header field line: canonical name, lookup key and unfolded value. */
export interface HeaderField {
  readonly name: string;
  readonly key: string;
  readonly value: string;
}

/**
 * The header fields of a message, in order, with case-insensitive and compact-form lookup. Typed
 * views (Via, From, CSeq, ...) are cached per header and dropped whenever that header changes.
 */
export class SipHeaders {
  private readonly fields: HeaderField[];
  private cache: Map<string, unknown> | undefined;

  constructor(fields: HeaderField[] = []) {
    this.fields = fields;
  }

  /** Build from `[name, value]` pairs, checking names and values (for application-built messages). */
  static from(pairs: Iterable<readonly [string, string]>): SipHeaders {
    const h = new SipHeaders();
    for (const [name, value] of pairs) h.append(name, value);
    return h;
  }

  get size(): number {
    return this.fields.length;
  }

  [Symbol.iterator](): IterableIterator<HeaderField> {
    return this.fields[Symbol.iterator]();
  }

  /** All fields in order (read-only view). */
  all(): readonly HeaderField[] {
    return this.fields;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.fields.some((f) => f.key === key);
  }

  /** Number of field lines with this name (not of list elements). */
  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const f of this.fields) if (f.key === key) n++;
    return n;
  }

  /** Value of the first field with this name. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const f of this.fields) if (f.key === key) return f.value;
    return undefined;
  }

  /** Values of every field with this name, one per field line. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const f of this.fields) if (f.key === key) out.push(f.value);
    return out;
  }

  /**
   * Every element of this header: for list headers the comma lists are split, so one field with
   * "a, b" and two fields "a" and "b" give the same answer; other headers give one entry per field.
   */
  list(name: string): string[] {
    const key = headerKey(name);
    if (!LIST_HEADERS.has(key)) return this.getAll(key);
    const out: string[] = [];
    for (const f of this.fields) if (f.key === key) for (const v of splitList(f.value)) out.push(v);
    return out;
  }

  /** Add a field at the end. */
  append(name: string, value: string): this {
    this.fields.push(makeField(name, value));
    this.invalidate(headerKey(name));
    return this;
  }

  /** Add a field before every other field (e.g. a new topmost Via, RFC 3261 §16.6 step 8). */
  prepend(name: string, value: string): this {
    this.fields.unshift(makeField(name, value));
    this.invalidate(headerKey(name));
    return this;
  }

  /** Replace every field with this name by one field (placed where the first one was). */
  set(name: string, value: string): this {
    const field = makeField(name, value);
    const idx = this.fields.findIndex((f) => f.key === field.key);
    this.delete(name);
    if (idx < 0) this.fields.push(field);
    else this.fields.splice(Math.min(idx, this.fields.length), 0, field);
    this.invalidate(field.key);
    return this;
  }

  delete(name: string): this {
    const key = headerKey(name);
    for (let i = this.fields.length - 1; i >= 0; i--) {
      if (this.fields[i]?.key === key) this.fields.splice(i, 1);
    }
    this.invalidate(key);
    return this;
  }

  /** A deep copy (the typed cache is not carried over). */
  clone(): SipHeaders {
    return new SipHeaders(this.fields.slice());
  }

  /** Cached typed view of header `key`, computed by `parse` on first use. */
  typed<T>(key: string, parse: () => T): T {
    const hit = this.cache?.get(key);
    if (hit !== undefined) return hit as T;
    const value = parse();
    (this.cache ??= new Map()).set(key, value);
    return value;
  }

  private invalidate(key: string): void {
    this.cache?.delete(key);
  }
}

/** Field for application-given name/value: the name must be a token, the value one line. */
function makeField(name: string, value: string): HeaderField {
  if (!isToken(name)) throw new SipBuildError('SIP_INVALID_NAME', `bad header name ${JSON.stringify(name)}`);
  if (/[\r\n]/.test(value)) {
    throw new SipBuildError('SIP_INVALID_VALUE', `header ${name} value holds CR or LF`);
  }
  return { name: canonicalName(name), key: headerKey(name), value };
}
