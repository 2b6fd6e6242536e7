import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.js';
import { BanList, DigestServer, type DigestAlgorithm, type DigestCredentials } from '../auth/index.js';
import {
  createResponse,
  getCallId,
  getCSeq,
  getFrom,
  getTo,
  readableText,
  SipParseError,
  tryParseUri,
  uriEquals,
  type SipRequest,
  type SipResponse,
} from '../message/index.js';
import type { Remote } from '../transport/types.js';
import { BindingTable } from './binding-table.js';
import { planRegister, type ExpiryLimits, type PlannedContact } from './contact-plan.js';
import { SipRegistrarError } from './errors.js';
import type { Binding, BindingStore, CredentialLookup, RegistrarEvents } from './types.js';

/** User-Agent prefixes of clients seen to fail when any SHA-256 challenge is present. */
export const DEFAULT_MD5_ONLY_USER_AGENTS: readonly string[] = Object.freeze([
  'baresip v0.', 'baresip v1.', 'baresip v2.', ...Array.from({ length: 12 }, (_, i) => `baresip v3.${i}.`), 'sipp',
]);

export interface RegistrarDeps {
  clock: Clock;
  log: Logger;
  credentials: CredentialLookup;
  bindings: BindingStore;
  bans: BanList;
  /** The UA core's DigestServer, to share nonces with INVITE authentication; made from the options when absent. */
  digest?: DigestServer;
}

export interface RegistrarOptions {
  /** Digest realm (config `sip.realm`); extensions provisioned for another realm cannot register. */
  realm: string;
  /**
   * Request-URI hosts served (the box's addresses and names, case-insensitive); another host gets
   * 404. When absent, every host is served (the box is the only domain it serves).
   */
  domains?: readonly string[];
  /** Seconds; defaults 60, 3600, 3600. */
  minExpires?: number;
  maxExpires?: number;
  defaultExpires?: number;
  /** Contacts kept per extension; a new one beyond this evicts the least recently refreshed. Default 5. */
  maxBindingsPerAor?: number;
  /** How often start() sweeps expired bindings (ms). Default 30 s. */
  sweepIntervalMs?: number;
  /**
   * User-Agent prefixes (case-insensitive) offered MD5 alone: clients that give up on a 401 holding
   * any challenge they cannot answer instead of skipping it (RFC 8760 §2.4). Default
   * DEFAULT_MD5_ONLY_USER_AGENTS: baresip before 3.12 (libre gained SHA-256 in re PR #1103, 2024;
   * Debian 12's baresip 1.0.0 fails with "Function not implemented") and SIPp 3.6 ("authentication
   * must use MD5"), both seen here.
   */
  md5OnlyUserAgents?: readonly string[];
  /** Passed to the DigestServer made when deps.digest is absent. */
  algorithms?: readonly DigestAlgorithm[];
  nonceTtlMs?: number;
  allowNoQop?: boolean;
}

/**
 * The registrar of the agents' desk phones (RFC 3261 §10.3), for requests that passed
 * `validateMessage` and `checkRequest`. `handle` answers a REGISTER, or returns undefined when the
 * source is banned (no answer at all). Bindings keep the address the REGISTER came from, so calls
 * reach phones behind NAT; they are persisted through the BindingStore.
 */
export class Registrar extends EventEmitter<RegistrarEvents> {
  readonly digest: DigestServer;
  private readonly log: Logger;
  private readonly table: BindingTable;
  private readonly limits: ExpiryLimits;
  private readonly maxBindings: number;
  private readonly sweepMs: number;
  private readonly domains: ReadonlySet<string> | undefined;
  private readonly tagKey = randomBytes(16);
  private readonly warnedRealm = new Set<string>();
  private readonly md5Only: readonly string[];
  private timer: TimerHandle | undefined;

  constructor(private readonly deps: RegistrarDeps, private readonly opts: RegistrarOptions) {
    super();
    this.limits = { minExpires: opts.minExpires ?? 60, maxExpires: opts.maxExpires ?? 3600, defaultExpires: opts.defaultExpires ?? 3600 };
    this.maxBindings = opts.maxBindingsPerAor ?? 5;
    this.sweepMs = opts.sweepIntervalMs ?? 30_000;
    const { minExpires, maxExpires, defaultExpires } = this.limits;
    if (!(Number.isInteger(minExpires) && minExpires >= 1 && maxExpires >= minExpires && defaultExpires >= minExpires)) {
      throw new SipRegistrarError('SIP_REGISTRAR_BAD_OPTIONS', `registrar expiry limits must satisfy 1 <= minExpires (${minExpires}) <= defaultExpires (${defaultExpires}), maxExpires (${maxExpires})`);
    }
    if (!(this.maxBindings >= 1) || !(this.sweepMs > 0)) {
      throw new SipRegistrarError('SIP_REGISTRAR_BAD_OPTIONS', 'maxBindingsPerAor and sweepIntervalMs must be positive');
    }
    if (deps.digest !== undefined && deps.digest.realm !== opts.realm) {
      throw new SipRegistrarError('SIP_REGISTRAR_BAD_OPTIONS', `the DigestServer's realm "${deps.digest.realm}" is not the registrar's "${opts.realm}"`);
    }
    this.digest = deps.digest ?? new DigestServer(deps, {
      realm: opts.realm,
      ...(opts.algorithms ? { algorithms: opts.algorithms } : {}),
      ...(opts.nonceTtlMs !== undefined ? { nonceTtlMs: opts.nonceTtlMs } : {}),
      ...(opts.allowNoQop !== undefined ? { allowNoQop: opts.allowNoQop } : {}),
    });
    this.md5Only = (opts.md5OnlyUserAgents ?? DEFAULT_MD5_ONLY_USER_AGENTS).map((p) => p.toLowerCase()).filter((p) => p.length > 0);
    this.domains = opts.domains && new Set(opts.domains.map((d) => d.toLowerCase()));
    this.log = deps.log.child({ component: 'registrar' });
    this.table = new BindingTable(deps.bindings);
  }

  /** The answer to a REGISTER from `source`; undefined: drop it (banned source). */
  handle(req: SipRequest, source: Remote): SipResponse | undefined {
    if (this.deps.bans.isBanned(source.address)) return undefined;
    try {
      return this.process(req, source);
    } catch (err) {
      if (err instanceof SipParseError) return this.respond(req, 400, { reason: err.reason });
      this.log.error({ err }, 'REGISTER could not be processed');
      return this.respond(req, 500);
    }
  }

  /** Live bindings of an extension, most recently refreshed first ([] = not registered: do not ring, 480). */
  lookup(extension: string): Binding[] {
    return this.table.live(extension, this.deps.clock.now());
  }

  /** Every live binding (for keep-alives and status pages). */
  allBindings(): Binding[] {
    return this.table.allLive(this.deps.clock.now());
  }

  /** Extensions with at least one live binding ("phones registered"). */
  registeredExtensions(): string[] {
    return this.table.extensions(this.deps.clock.now());
  }

  /** Remove expired bindings (emitting `expired` for each) and prune the ban list; returns how many. */
  sweep(): number {
    const gone = this.table.purge(this.deps.clock.now());
    for (const b of gone) this.announceExpired(b);
    this.deps.bans.prune();
    return gone.length;
  }

  /** Sweep every sweepIntervalMs until stop(). */
  start(): void {
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.timer = this.deps.clock.setTimeout(tick, this.sweepMs);
      try {
        this.sweep();
      } catch (err) {
        this.log.error({ err }, 'sweeping expired registrations failed');
      }
    };
    this.timer = this.deps.clock.setTimeout(tick, this.sweepMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private process(req: SipRequest, source: Remote): SipResponse {
    if (req.method !== 'REGISTER') return this.respond(req, 405, { headers: [['Allow', 'REGISTER']] });
    // §10.3 step 1: the domain.
    if (this.domains !== undefined && (req.uri.kind !== 'sip' || !this.domains.has(req.uri.host.toLowerCase()))) {
      return this.respond(req, 404, { reason: 'Domain Not Served' });
    }
    // Steps 3-5: authenticate, then the authenticated user must be the address-of-record's.
    const to = getTo(req).uri;
    const extension = to.kind === 'sip' ? to.user : undefined;
    const verdict = this.digest.verify(req, source, {
      lookup: (user) => this.credentialsOf(user),
      ...(extension !== undefined ? { identity: extension } : {}),
    });
    switch (verdict.outcome) {
      case 'ok': break;
      case 'missing': return this.challenge(req, source, false);
      case 'stale': return this.challenge(req, source, true);
      case 'failed': {
        this.log.debug({ address: source.address, user: readableText(verdict.username).slice(0, 64) }, 'REGISTER authentication failed');
        if (this.deps.bans.recordFailure(source.address)) {
          this.log.warn({ address: source.address }, 'too many failed authentications: source banned');
        }
        return this.challenge(req, source, false);
      }
      case 'bad-request': return this.respond(req, 400, { reason: verdict.reason });
      case 'forbidden': return this.respond(req, 403, { reason: 'Not Allowed For This Address-of-Record' });
    }
    if (extension === undefined) return this.respond(req, 404);
    // Steps 6-7: the contacts.
    const plan = planRegister(req, this.limits);
    const now = this.deps.clock.now();
    for (const b of this.table.purge(now, extension)) this.announceExpired(b);
    switch (plan.kind) {
      case 'reject': return this.respond(req, plan.status, { reason: plan.reason, headers: plan.headers });
      case 'query': return this.ok(req, extension, now);
      case 'remove-all': return this.removeAll(req, extension, source, now);
      case 'update': return this.update(req, extension, source, plan.contacts, now);
    }
  }

  private removeAll(req: SipRequest, extension: string, source: Remote, now: number): SipResponse {
    const callId = getCallId(req);
    const cseq = getCSeq(req).seq;
    const existing = this.table.live(extension, now);
    if (existing.some((b) => b.callId === callId && cseq <= b.cseq)) return this.outOfOrder(req);
    for (const b of this.table.removeAll(extension)) {
      this.log.info({ extension, contact: b.contact }, 'unregistered (Contact: *)');
      this.emit('unregistered', { extension, contact: b.contact, source, reason: 'wildcard' });
    }
    return this.ok(req, extension, now);
  }

  private update(req: SipRequest, extension: string, source: Remote, contacts: PlannedContact[], now: number): SipResponse {
    const callId = getCallId(req);
    const cseq = getCSeq(req).seq;
    const userAgent = (req.headers.get('User-Agent') ?? '').trim().slice(0, 200);
    const existing = this.table.live(extension, now);
    const matched = contacts.map((c) => existing.find((b) => sameContact(b.contact, c)));
    // Step 7: a REGISTER older than the one that set a binding (same Call-ID) changes nothing.
    if (matched.some((b) => b !== undefined && b.callId === callId && cseq <= b.cseq)) return this.outOfOrder(req);
    const upserts: Binding[] = [];
    const removes: Array<{ binding: Binding }> = [];
    const registered: Array<{ binding: Binding; expires: number; refresh: boolean }> = [];
    contacts.forEach((c, i) => {
      const old = matched[i];
      if (c.expires === 0) {
        if (old !== undefined) removes.push({ binding: old });
        return;
      }
      const binding: Binding = {
        extension, contact: old?.contact ?? c.key, source: { ...source }, expiresAt: now + c.expires * 1000,
        callId, cseq, userAgent, updatedAt: now,
      };
      upserts.push(binding);
      registered.push({ binding, expires: c.expires, refresh: old !== undefined });
    });
    if (upserts.length > this.maxBindings) return this.respond(req, 403, { reason: 'Too Many Contacts' });
    // Over the per-extension limit: the least recently refreshed others make room.
    const kept = existing.filter((b) => !removes.some((r) => r.binding === b) && !upserts.some((u) => u.contact === b.contact));
    const evicted = kept.sort((a, b) => a.updatedAt - b.updatedAt).slice(0, Math.max(0, kept.length + upserts.length - this.maxBindings));
    this.table.commit(extension, upserts, [...removes.map((r) => r.binding.contact), ...evicted.map((b) => b.contact)]);
    for (const { binding } of removes) {
      this.log.info({ extension, contact: binding.contact, address: source.address }, 'unregistered');
      this.emit('unregistered', { extension, contact: binding.contact, source, reason: 'expires-0' });
    }
    for (const b of evicted) {
      this.log.info({ extension, contact: b.contact }, 'binding evicted: too many contacts for the extension');
      this.emit('unregistered', { extension, contact: b.contact, source: b.source, reason: 'evicted' });
    }
    for (const { binding, expires, refresh } of registered) {
      const fields = { extension, contact: binding.contact, source: `${source.transport}:${source.address}:${source.port}`, expires, userAgent };
      if (refresh) this.log.debug(fields, 'registration refreshed');
      else this.log.info(fields, 'registered');
      this.emit('registered', { extension, contact: binding.contact, source: binding.source, expires, userAgent, refresh });
    }
    const first = contacts[0];
    return this.ok(req, extension, now, first === undefined ? [] : [['Expires', String(first.expires)]]);
  }

  /** 200 OK listing every current binding with its remaining lifetime, and a Date (§10.3 step 8). */
  private ok(req: SipRequest, extension: string, now: number, extra: Array<[string, string]> = []): SipResponse {
    const headers: Array<[string, string]> = this.table.live(extension, now).map((b) => [
      'Contact', `<${b.contact}>;expires=${Math.max(1, Math.ceil((b.expiresAt - now) / 1000))}`,
    ]);
    headers.push(['Date', new Date(now).toUTCString()], ...extra);
    return this.respond(req, 200, { headers });
  }

  /** §10.3 step 7 gives no code for an out-of-order REGISTER; 500 as for a dialog's lower CSeq (§12.2.2). */
  private outOfOrder(req: SipRequest): SipResponse {
    return this.respond(req, 500, { reason: 'Out Of Order REGISTER' });
  }

  private challenge(req: SipRequest, source: Remote, stale: boolean, kind: 'www' | 'proxy' = 'www'): SipResponse {
    const ua = (req.headers.get('User-Agent') ?? '').toLowerCase();
    const md5Only = this.md5Only.some((p) => ua.startsWith(p));
    return this.digest.challenge(req, source, { kind, stale, toTag: this.toTag(req), ...(md5Only ? { algorithms: ['MD5'] as const } : {}) });
  }

  /**
   * Authenticate a phone's request other than REGISTER (an INVITE: toll fraud starts there) with
   * the registrar's nonces, bans and MD5-only list: the extension it proved to be, or the response
   * to send (407 challenge, 400, 403). Undefined: a banned source, to be dropped unanswered.
   */
  authenticate(req: SipRequest, source: Remote): { extension: string } | { response: SipResponse } | undefined {
    if (this.deps.bans.isBanned(source.address)) return undefined;
    const verdict = this.digest.verify(req, source, { kind: 'proxy', lookup: (user) => this.credentialsOf(user) });
    switch (verdict.outcome) {
      case 'ok': return { extension: readableText(verdict.username) };
      case 'missing': return { response: this.challenge(req, source, false, 'proxy') };
      case 'stale': return { response: this.challenge(req, source, true, 'proxy') };
      case 'failed':
        if (this.deps.bans.recordFailure(source.address)) this.log.warn({ address: source.address }, 'too many failed authentications: source banned');
        return { response: this.challenge(req, source, false, 'proxy') };
      case 'bad-request': return { response: this.respond(req, 400, { reason: verdict.reason }) };
      case 'forbidden': return { response: this.respond(req, 403) };
    }
  }

  private respond(req: SipRequest, status: number, o: { reason?: string; headers?: Array<[string, string]> } = {}): SipResponse {
    return createResponse(req, status, { ...o, toTag: this.toTag(req) });
  }

  /** A To tag derived from the request (RFC 3261 §8.2.6.2), the same for a retransmission. */
  private toTag(req: SipRequest): string {
    const fromTag = getFrom(req).params.get('tag') ?? '';
    return createHash('sha256').update(this.tagKey).update(`${getCallId(req)}\0${fromTag}\0${getCSeq(req).seq}`, 'latin1').digest('hex').slice(0, 16);
  }

  private credentialsOf(user: string): DigestCredentials | undefined {
    const c = this.deps.credentials(user);
    if (c === undefined || !c.enabled) return undefined;
    if (c.realm !== this.opts.realm) {
      if (!this.warnedRealm.has(user)) {
        this.warnedRealm.add(user);
        this.log.warn({ extension: user, realm: c.realm }, `extension was provisioned for another realm than "${this.opts.realm}": it cannot register until its password is set again (octoline setup --extension)`);
      }
      return undefined;
    }
    return c;
  }

  private announceExpired(b: Binding): void {
    this.log.info({ extension: b.extension, contact: b.contact }, 'registration expired');
    this.emit('expired', { extension: b.extension, contact: b.contact, source: b.source });
  }
}

function sameContact(stored: string, c: PlannedContact): boolean {
  if (stored === c.key) return true;
  const uri = tryParseUri(stored);
  return uri !== undefined && uriEquals(uri, c.uri);
}
