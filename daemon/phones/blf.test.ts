import t, { type Test } from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { FakeClock } from '../../drivers/clock.js';
import { authorize, passwordHa1 } from '../../drivers/sip/auth/index.js';
import {
  createRequest, createResponse, getCSeq, getTo, parseMessage, serialize,
  type SipMessage, type SipRequest, type SipResponse,
} from '../../drivers/sip/message/index.js';
import { SipStack } from '../../drivers/sip/stack.js';
import { testLogger } from '../../test/helpers/log.js';
import { freePort } from '../../test/helpers/ports.js';
import { EventBus } from '../events/bus.js';
import { Store } from '../store/store.js';
import { BlfPresence, MAX_SUBSCRIPTIONS_PER_SUBSCRIBER } from './blf.js';
import { Phones } from './phones.js';

/**
 * BlfPresence on a real SipStack over loopback UDP, watched by a phone made of a UDP socket that
 * speaks SIP through our parser and digest client (our stack has no subscriber side). The clock is
 * fake so expiry can be reached; the SIP exchanges themselves are real datagrams.
 */
const REALM = 'octoline';

async function boxWith(t: Test, o: { anyExtension?: boolean } = {}) {
  const clock = new FakeClock();
  const log = testLogger();
  const store = Store.open(t.testdir());
  for (const [ext, password] of [['1001', 'pass-1001-ok'], ['1002', 'pass-1002-ok']] as const) {
    store.extensions.upsert({ ext, displayName: '', realm: REALM, ha1Md5: passwordHa1('MD5', ext, REALM, password), ha1Sha256: passwordHa1('SHA-256', ext, REALM, password) });
  }
  const stack = new SipStack({ clock, log }, { address: '127.0.0.1', port: await freePort(), rateLimit: false });
  await stack.start();
  const phones = new Phones({ clock, log, store, bus: new EventBus({ events: store.events, log }), stack }, { realm: REALM, algorithms: ['SHA-256', 'MD5'], md5OnlyUserAgents: [] });
  phones.start();
  const extensions = o.anyExtension ? { get: () => ({ enabled: true }) } : store.extensions;
  const blf = new BlfPresence({ log, stack, phones, clock, extensions });
  blf.start();
  t.teardown(async () => {
    // The final NOTIFYs may go unanswered (the phone's socket is gone): let stop()'s bound pass.
    const stopped = blf.stop();
    clock.advance(5_000);
    await stopped;
    phones.stop();
    await stack.stop();
    store.close();
  });
  return { clock, stack, blf, port: stack.local.port };
}

/** A desk phone reduced to what BLF needs: SUBSCRIBE with digest, answer NOTIFYs. */
class RawPhone {
  private readonly inbox: SipMessage[] = [];
  private wake: (() => void) | undefined;
  private cseq = 0;
  private branch = 0;
  readonly callId = `blf-${Math.random().toString(36).slice(2)}`;
  toTag: string | undefined;
  target: string | undefined;

  private constructor(private readonly socket: Socket, readonly port: number, private readonly box: number, private readonly creds: { user: string; password: string }) {
    socket.on('message', (buf) => {
      this.inbox.push(parseMessage(buf, { transport: 'udp' }));
      this.wake?.();
    });
  }

  static async open(t: Test, box: number, creds: { user: string; password: string }): Promise<RawPhone> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    t.teardown(() => new Promise<void>((r) => socket.close(() => r())));
    return new RawPhone(socket, socket.address().port, box, creds);
  }

  send(msg: SipMessage): void {
    this.socket.send(serialize(msg), this.box, '127.0.0.1');
  }

  /** The next message that `pred` takes (within 5 s of real time). */
  async next<M extends SipMessage>(pred: (m: SipMessage) => m is M, what: string): Promise<M> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const i = this.inbox.findIndex(pred);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as M;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => { this.wake = r; setTimeout(r, left).unref(); });
    }
  }

  /** A final response to CSeq `seq`. */
  response(seq: number): Promise<SipResponse> {
    return this.next((m): m is SipResponse => m.kind === 'response' && m.status >= 200 && getCSeq(m).seq === seq, `the answer to CSeq ${seq}`);
  }

  /** The next NOTIFY, answered `status`. */
  async notify(status = 200): Promise<SipRequest> {
    const n = await this.next((m): m is SipRequest => m.kind === 'request' && m.method === 'NOTIFY', 'a NOTIFY');
    this.send(createResponse(n, status));
    return n;
  }

  build(o: { ext: string; expires?: number; event?: string; auth?: Array<[string, string]> }): SipRequest {
    const headers: Array<[string, string]> = [['Event', o.event ?? 'dialog'], ['Accept', 'application/dialog-info+xml'], ['User-Agent', 'raw-phone'], ...(o.auth ?? [])];
    if (o.expires !== undefined) headers.push(['Expires', String(o.expires)]);
    return createRequest({
      method: 'SUBSCRIBE', uri: this.target ?? `sip:${o.ext}@127.0.0.1:${this.box}`,
      via: [`SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK-raw-${++this.branch};rport`],
      from: `<sip:${this.creds.user}@127.0.0.1>;tag=raw${this.port}`,
      to: `<sip:${o.ext}@127.0.0.1>${this.toTag === undefined ? '' : `;tag=${this.toTag}`}`,
      callId: this.callId, cseq: ++this.cseq, contact: `<sip:${this.creds.user}@127.0.0.1:${this.port}>`, headers,
    });
  }

  /** SUBSCRIBE; a 407 is answered once with our credentials. Returns the final answer. */
  async subscribe(o: { ext: string; expires?: number; event?: string }): Promise<SipResponse> {
    const first = this.build(o);
    this.send(first);
    let res = await this.response(getCSeq(first).seq);
    if (res.status === 407) {
      const again = this.build({ ...o, auth: authorize(first, res, { credentials: { username: this.creds.user, password: this.creds.password } }) });
      this.send(again);
      res = await this.response(getCSeq(again).seq);
    }
    if (res.status === 200) {
      this.toTag = getTo(res).params.get('tag') ?? undefined;
      this.target = /<([^>]+)>/.exec(res.headers.get('Contact') ?? '')?.[1];
    }
    return res;
  }

  /** A SUBSCRIBE inside the subscription dialog (refresh, or 0 to unsubscribe). */
  async refresh(ext: string, expires: number): Promise<SipResponse> {
    const req = this.build({ ext, expires });
    this.send(req);
    return this.response(getCSeq(req).seq);
  }
}

/** Poll (real time, bounded) for what the box does after a datagram arrived. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const body = (n: SipRequest): string => n.body.toString('utf8');
const states = (n: SipRequest): string[] => [...body(n).matchAll(/<state>(\w+)<\/state>/g)].map((m) => m[1] as string);

t.test('a phone subscribes with digest, sees idle, then early, confirmed and terminated as the engine reports them', async (t) => {
  const box = await boxWith(t);
  const phone = await RawPhone.open(t, box.port, { user: '1001', password: 'pass-1001-ok' });
  const res = await phone.subscribe({ ext: '1002', expires: 600 });
  t.equal(res.status, 200);
  t.equal(res.headers.get('Expires'), '600');
  const idle = await phone.notify();
  t.equal(idle.headers.get('Event'), 'dialog');
  t.equal(idle.headers.get('Subscription-State'), 'active;expires=600');
  t.equal(idle.headers.get('Content-Type'), 'application/dialog-info+xml');
  t.match(body(idle), /<dialog-info [^>]*version="0" state="full" entity="sip:1002@127.0.0.1">/);
  t.same(states(idle), [], 'no dialog: idle');
  t.equal(box.blf.subscriberCount('1002'), 1);
  t.equal(box.blf.subscriberCount('1001'), 0);

  box.blf.update('1002', { id: 'call7-r', state: 'early', direction: 'recipient', remote: '1001' });
  box.blf.update('1002', { id: 'call7-r', state: 'confirmed', direction: 'recipient', remote: '1001' });
  box.blf.update('1002', { id: 'call7-r', state: 'terminated', direction: 'recipient' });
  box.blf.update('1001', { id: 'call7-i', state: 'confirmed', direction: 'initiator' }); // not watched: no NOTIFY
  const [early, confirmed, ended] = [await phone.notify(), await phone.notify(), await phone.notify()];
  t.same(states(early), ['early']);
  t.match(body(early), /<dialog id="call7-r" direction="recipient">/);
  t.match(body(early), /<identity>sip:1001@127.0.0.1<\/identity>/, 'who is calling');
  t.same(states(confirmed), ['confirmed']);
  t.same(states(ended), ['terminated']);
  t.same([early, confirmed, ended].map((n) => /version="(\d+)"/.exec(body(n))?.[1]), ['1', '2', '3'], 'versions count up');

  box.blf.update('1002', { id: 'call8-r', state: 'trying', direction: 'initiator', remote: '0612345678' });
  t.same(states(await phone.notify()), ['trying'], 'the ended call is forgotten');
});

t.test('refresh, unsubscribe and expiry', async (t) => {
  const box = await boxWith(t);
  const phone = await RawPhone.open(t, box.port, { user: '1001', password: 'pass-1001-ok' });
  t.equal((await phone.subscribe({ ext: '1002', expires: 7200 })).headers.get('Expires'), '3600', 'cut to 3600');
  await phone.notify();
  const refreshed = await phone.refresh('1002', 120);
  t.equal(refreshed.status, 200, 'an in-dialog refresh needs no new challenge');
  t.equal((await phone.notify()).headers.get('Subscription-State'), 'active;expires=120', 'a refresh brings the full state');
  t.equal((await phone.refresh('1002', 30)).headers.get('Min-Expires'), '60', '423 below the minimum');
  box.clock.advance(120_000);
  t.equal((await phone.notify()).headers.get('Subscription-State'), 'terminated;reason=timeout', 'expired');
  t.equal(box.blf.subscriberCount(), 0);
  t.equal((await phone.refresh('1002', 600)).status, 481, 'the dialog is gone');

  const again = await RawPhone.open(t, box.port, { user: '1001', password: 'pass-1001-ok' });
  await again.subscribe({ ext: '1002', expires: 600 });
  await again.notify();
  const bye = await again.refresh('1002', 0);
  t.equal(bye.status, 200);
  t.equal((await again.notify()).headers.get('Subscription-State'), 'terminated;reason=timeout', 'unsubscribed');
  t.equal(box.blf.subscriberCount(), 0);
});

t.test('refusals: wrong password, unknown extension, too brief, other event; and a 481 to NOTIFY drops the subscriber', async (t) => {
  const box = await boxWith(t);
  const thief = await RawPhone.open(t, box.port, { user: '1001', password: 'wrong-password' });
  t.equal((await thief.subscribe({ ext: '1002' })).status, 407, 'a wrong password only gets a new challenge');
  const phone = await RawPhone.open(t, box.port, { user: '1001', password: 'pass-1001-ok' });
  t.equal((await phone.subscribe({ ext: '1099' })).status, 404);
  const brief = await phone.subscribe({ ext: '1002', expires: 10 });
  t.equal(brief.status, 423);
  t.equal(brief.headers.get('Min-Expires'), '60');
  t.equal((await phone.subscribe({ ext: '1002', event: 'presence' })).status, 489);
  t.equal(box.blf.subscriberCount(), 0);

  t.equal((await phone.subscribe({ ext: '1002', expires: 600 })).status, 200);
  t.equal(box.blf.subscriberCount(), 1);
  await phone.notify(481);
  await until(() => box.blf.subscriberCount() === 0, 'the subscription to end');
  t.pass('a NOTIFY answered 481 ends it');
});

t.test('a fetch (Expires: 0) gets the state once; stop() sends terminated;reason=deactivated', async (t) => {
  const box = await boxWith(t);
  box.blf.update('1002', { id: 'c1', state: 'confirmed', direction: 'initiator' });
  const fetcher = await RawPhone.open(t, box.port, { user: '1001', password: 'pass-1001-ok' });
  t.equal((await fetcher.subscribe({ ext: '1002', expires: 0 })).status, 200);
  const only = await fetcher.notify();
  t.equal(only.headers.get('Subscription-State'), 'terminated;reason=timeout');
  t.same(states(only), ['confirmed']);

  const phone = await RawPhone.open(t, box.port, { user: '1002', password: 'pass-1002-ok' });
  await phone.subscribe({ ext: '1001', expires: 600 });
  await phone.notify();
  const stopped = box.blf.stop();
  t.equal((await phone.notify()).headers.get('Subscription-State'), 'terminated;reason=deactivated');
  await stopped;
  t.equal(box.blf.subscriberCount(), 0);
});

t.test(`at most ${MAX_SUBSCRIPTIONS_PER_SUBSCRIBER} subscriptions per extension; a rebooted phone replaces its own`, async (t) => {
  const box = await boxWith(t, { anyExtension: true });
  const phones: RawPhone[] = [];
  for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_SUBSCRIBER; i++) {
    const p = await RawPhone.open(t, box.port, { user: '1001', password: 'pass-1001-ok' });
    t.equal((await p.subscribe({ ext: String(2000 + i), expires: 600 })).status, 200);
    await p.notify();
    phones.push(p);
  }
  const extra = await RawPhone.open(t, box.port, { user: '1001', password: 'pass-1001-ok' });
  const full = await extra.subscribe({ ext: '2999', expires: 600 });
  t.equal(full.status, 403);
  t.equal(full.reason, 'Too Many Subscriptions');
  t.equal((await extra.subscribe({ ext: '2000', expires: 600 })).status, 200, 'the same extension from the same address replaces the old one');
  t.equal((await (phones[0] as RawPhone).notify()).headers.get('Subscription-State'), 'terminated;reason=giveup');
  t.equal(box.blf.subscriberCount(), MAX_SUBSCRIPTIONS_PER_SUBSCRIBER);
  t.equal(box.blf.subscriberCount('2000'), 1);
});
