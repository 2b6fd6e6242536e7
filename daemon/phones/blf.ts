import type { Logger } from 'pino';
import type { Clock } from '../../drivers/clock.js';
import { getTo, mediaRangeCovers, parseMediaType, type SipResponse } from '../../drivers/sip/message/index.js';
import { planExpires, type ExpiryPolicy, type IncomingSubscribe, type Subscription } from '../../drivers/sip/ua/index.js';
import type { SipStack } from '../../drivers/sip/stack.js';
import { DIALOG_INFO_TYPE, dialogInfoXml } from './dialog-info-xml.js';
import type { Phones } from './phones.js';

export type BlfState = 'trying' | 'early' | 'confirmed' | 'terminated';

export interface BlfDialog {
  /** Stable per call leg. */
  id: string;
  state: BlfState;
  direction: 'initiator' | 'recipient';
  /** The other party's number. */
  remote?: string | undefined;
}

export interface BlfOptions {
  /** Longest subscription granted, seconds (default 3600); longer requests are cut to it. */
  maxExpires?: number;
  /** Shortest, seconds (default 60); shorter ones get 423 Interval Too Brief. */
  minExpires?: number;
}

export interface BlfDeps {
  log: Logger;
  stack: SipStack;
  phones: Phones;
  clock: Clock;
  /** Which extensions exist (the store's extensions repo); without it only registered ones can be watched. */
  extensions?: { get(ext: string): { enabled: boolean } | undefined };
}

/** Subscriptions one extension may hold (a phone's BLF keys); see docs/blf.md. */
export const MAX_SUBSCRIPTIONS_PER_SUBSCRIBER = 32;
/** How long stop() waits for the answers to the final NOTIFYs. */
const STOP_WAIT_MS = 2000;

/** One subscriber watching one extension. */
interface Watch {
  /** The watched extension. */
  ext: string;
  /** The subscribing extension (the one that proved its password). */
  subscriber: string;
  /** Where the SUBSCRIBE came from: a phone that rebooted comes back from the same address. */
  address: string;
  host: string;
  version: number;
}

/**
 * Busy-lamp fields: the agents' phones SUBSCRIBE to `Event: dialog` of colleagues' extensions
 * (digest-authenticated like an INVITE) and get RFC 4235 NOTIFYs with those extensions' calls as
 * the call engine reports them through `update()`. See docs/blf.md.
 */
export class BlfPresence {
  private readonly calls = new Map<string, Map<string, BlfDialog>>();
  private readonly watches = new Map<Subscription, Watch>();
  private readonly policy: ExpiryPolicy;
  private stopped = false;

  constructor(private readonly deps: BlfDeps, opts: BlfOptions = {}) {
    const minExpires = opts.minExpires ?? 60;
    const maxExpires = Math.max(minExpires, opts.maxExpires ?? 3600);
    this.policy = { minExpires, maxExpires, defaultExpires: maxExpires };
  }

  start(): void {
    this.deps.stack.handleSubscribe('dialog', (s) => this.onSubscribe(s));
  }

  /** Every subscriber gets a final NOTIFY (`terminated;reason=deactivated`: subscribe again later). */
  async stop(): Promise<void> {
    this.stopped = true;
    const finals = [...this.watches.keys()].map((sub) => sub.terminate('deactivated'));
    this.watches.clear();
    this.calls.clear();
    if (finals.length === 0) return;
    let timer: { cancel(): void } | undefined;
    const bound = new Promise<void>((resolve) => { timer = this.deps.clock.setTimeout(resolve, STOP_WAIT_MS); });
    await Promise.race([Promise.allSettled(finals), bound]);
    timer?.cancel();
  }

  /**
   * A call leg of `ext` changed: every subscriber of `ext` gets a NOTIFY with the full state of its
   * current dialogs. A terminated dialog is sent once as terminated, then forgotten.
   */
  update(ext: string, dialog: BlfDialog): void {
    if (this.stopped) return;
    let calls = this.calls.get(ext);
    if (calls === undefined) {
      if (dialog.state === 'terminated') return; // never shown: nothing to take back
      calls = new Map();
      this.calls.set(ext, calls);
    }
    calls.set(dialog.id, { ...dialog });
    for (const [sub, w] of this.watches) {
      if (w.ext === ext) sub.notify().catch(() => undefined);
    }
    if (dialog.state !== 'terminated') return;
    calls.delete(dialog.id);
    if (calls.size === 0) this.calls.delete(ext);
  }

  /** Live subscriptions, to `ext` or to any extension. */
  subscriberCount(ext?: string): number {
    let n = 0;
    for (const w of this.watches.values()) if (ext === undefined || w.ext === ext) n++;
    return n;
  }

  private onSubscribe(s: IncomingSubscribe): void {
    if (this.stopped) return void s.reject(503, { headers: [['Retry-After', '10']] });
    if (!acceptsDialogInfo(s.request.headers.list('Accept'))) return void s.reject(406, { headers: [['Accept', DIALOG_INFO_TYPE]] });
    // A BLF lamp tells who is on the phone with whom: only an extension that proved its password sees it.
    const auth = this.deps.phones.registrar.authenticate(s.request, s.source);
    if (auth === undefined) return void s.reject(403);
    if ('response' in auth) return void s.reject(auth.response.status, { reason: auth.response.reason, headers: challengeHeaders(auth.response) });
    const uri = s.request.uri;
    const ext = watchedExtension(s);
    if (!this.exists(ext)) return void s.reject(404);
    const plan = planExpires(s.requestedExpires, this.policy);
    if (plan.kind === 'too-brief') return void s.reject(423, { headers: [['Min-Expires', String(plan.minExpires)]] });
    const expires = plan.kind === 'end' ? 0 : plan.expires;
    const watch: Watch = {
      ext, subscriber: auth.extension, address: s.source.address, version: 0,
      host: uri.kind === 'sip' ? uri.host : this.deps.stack.local.address,
    };
    if (expires > 0 && !this.makeRoom(watch)) return void s.reject(403, { reason: 'Too Many Subscriptions' });
    const sub = s.accept({ expires, policy: this.policy, render: () => this.render(watch) });
    this.watches.set(sub, watch);
    const log = this.deps.log.child({ callId: sub.id.callId, subscriber: watch.subscriber, ext });
    sub.on('end', (e) => {
      this.watches.delete(sub);
      log.debug({ reason: e.reason, status: e.status }, 'BLF subscription ended');
    });
    log.info({ expires }, expires > 0 ? 'BLF subscription' : 'BLF fetch');
  }

  /**
   * At the per-subscriber limit, a new subscription replaces the oldest one of the same subscriber
   * to the same extension from the same address (a phone that rebooted and forgot its dialogs);
   * otherwise there is no room.
   */
  private makeRoom(w: Watch): boolean {
    const mine = [...this.watches].filter(([, o]) => o.subscriber === w.subscriber);
    if (mine.length < MAX_SUBSCRIPTIONS_PER_SUBSCRIBER) return true;
    const stale = mine.find(([, o]) => o.ext === w.ext && o.address === w.address);
    if (stale === undefined) return false;
    this.watches.delete(stale[0]);
    void stale[0].terminate('giveup');
    return true;
  }

  private exists(ext: string): boolean {
    if (ext === '') return false;
    const { extensions, phones } = this.deps;
    if (extensions !== undefined) return extensions.get(ext)?.enabled === true;
    return phones.registrar.lookup(ext).length > 0;
  }

  private render(w: Watch): { body: Buffer; contentType: string } {
    const dialogs = [...(this.calls.get(w.ext)?.values() ?? [])].map((d) => ({
      id: d.id, state: d.state, direction: d.direction,
      remote: d.remote !== undefined && /^[0-9A-Za-z+*#._-]+$/.test(d.remote) ? `sip:${d.remote}@${w.host}` : undefined,
    }));
    const xml = dialogInfoXml({ version: w.version++, entity: `sip:${w.ext}@${w.host}`, dialogs });
    return { body: Buffer.from(xml, 'utf8'), contentType: DIALOG_INFO_TYPE };
  }
}

/**
 * The Request-URI's user (RFC 6665 §4.1.2: the Request-URI names the resource); a bare
 * `sip:host` Request-URI falls back to To's user (SIPp signs its digest for that URI only).
 */
function watchedExtension(s: IncomingSubscribe): string {
  const uri = s.request.uri;
  if (uri.kind === 'sip' && uri.user !== undefined && uri.user !== '') return uri.user;
  const to = getTo(s.request).uri;
  return to.kind === 'sip' ? to.user ?? '' : '';
}

/** No Accept means dialog-info (RFC 4235 §3.3); otherwise one range must cover it. */
function acceptsDialogInfo(accept: string[]): boolean {
  const ranges = accept.map((a) => a.trim()).filter((a) => a !== '');
  if (ranges.length === 0) return true;
  return ranges.some((a) => {
    try {
      return mediaRangeCovers(parseMediaType(a), 'application', 'dialog-info+xml');
    } catch {
      return false;
    }
  });
}

function challengeHeaders(res: SipResponse): Array<[string, string]> {
  return res.headers.getAll('Proxy-Authenticate').map((v) => ['Proxy-Authenticate', v]);
}
