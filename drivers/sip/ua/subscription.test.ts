import t from 'tap';
import { FakeClock } from '../../clock.js';
import { getCSeq, getFrom, getTo, type SipRequest } from '../message/index.js';
import { testLogger } from '../../../test/helpers/log.js';
import { UaCore } from './ua-core.js';
import type { IncomingSubscribe } from './subscription-incoming.js';
import type { Subscription, SubscriptionEnd } from './subscription.js';
import { formatEvent, formatSubscriptionState, parseEvent, planExpires } from './subscription-headers.js';
import { MemoryLayer, MemorySender, reply, type FakeClientTx } from './testing/memory-layer.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const POLICY = { minExpires: 60, maxExpires: 3600, defaultExpires: 3600 };

function setup(o: { handler?: boolean } = {}) {
  const clock = new FakeClock();
  const layer = new MemoryLayer();
  const ua = new UaCore({ clock, log: testLogger(), layer, sender: new MemorySender() });
  layer.setUser(ua);
  const incoming: IncomingSubscribe[] = [];
  const subs: Subscription[] = [];
  const ends: SubscriptionEnd[] = [];
  let state = 'idle';
  if (o.handler ?? true) {
    ua.handleSubscribe('dialog', (s) => {
      incoming.push(s);
      const plan = planExpires(s.requestedExpires, POLICY);
      if (plan.kind === 'too-brief') return void s.reject(423, { headers: [['Min-Expires', '60']] });
      const sub = s.accept({ expires: plan.kind === 'end' ? 0 : plan.expires, policy: POLICY, render: () => ({ body: `<${state}/>`, contentType: 'application/dialog-info+xml' }) });
      sub.on('end', (e) => ends.push(e));
      subs.push(sub);
    });
  }
  const notifies = (): FakeClientTx[] => layer.requests('NOTIFY');
  const answerAll = (status = 200): void => {
    for (const n of notifies()) if (!n.settled) n.answer(reply(n.request as SipRequest, status));
  };
  return { clock, layer, ua, incoming, subs, ends, notifies, answerAll, setState: (s: string) => { state = s; } };
}

function subscribe(o: { event?: string; expires?: number; toTag?: string; cseq?: number; extra?: string } = {}): string {
  return `SUBSCRIBE sip:1002@127.0.0.1:5060 SIP/2.0
    Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-sub-${o.cseq ?? 1}
    From: <sip:1001@127.0.0.1>;tag=ph1
    To: <sip:1002@127.0.0.1>${o.toTag === undefined ? '' : `;tag=${o.toTag}`}
    Call-ID: sub1
    CSeq: ${o.cseq ?? 1} SUBSCRIBE
    Contact: <sip:1001@127.0.0.1:5070>
    Max-Forwards: 70
    ${o.event === undefined ? 'Event: dialog' : o.event}
    ${o.expires === undefined ? '' : `Expires: ${o.expires}`}
    ${o.extra ?? ''}`.replace(/\n\s*\n/g, '\n').replace(/\n\s*$/, '');
}

async function subscribed(env: ReturnType<typeof setup>, expires = 120) {
  const tx = env.layer.incoming(subscribe({ expires }));
  const tag = getTo(tx.last!).params.get('tag') as string;
  await tick();
  return { tx, tag, sub: env.subs[0] as Subscription };
}

t.test('parseEvent, formatEvent, planExpires and Subscription-State follow RFC 6665', async (t) => {
  t.same(parseEvent('Dialog ; id=7'), { package: 'dialog', id: '7' });
  t.same(parseEvent('dialog'), { package: 'dialog', id: undefined });
  t.equal(parseEvent(undefined), undefined);
  t.equal(parseEvent('dia log'), undefined);
  t.equal(formatEvent({ package: 'dialog', id: '7' }), 'dialog;id=7');
  t.same(planExpires(undefined, POLICY), { kind: 'grant', expires: 3600 }, 'no Expires: the package default');
  t.same(planExpires(7200, POLICY), { kind: 'grant', expires: 3600 }, 'cut to the maximum');
  t.same(planExpires(30, POLICY), { kind: 'too-brief', minExpires: 60 });
  t.same(planExpires(0, POLICY), { kind: 'end' });
  t.equal(formatSubscriptionState({ active: true, expires: 60 }), 'active;expires=60');
  t.equal(formatSubscriptionState({ active: false, reason: 'timeout' }), 'terminated;reason=timeout');
});

t.test('without a package handler SUBSCRIBE is 405 and Allow does not list it', async (t) => {
  const env = setup({ handler: false });
  const res = env.layer.incoming(subscribe()).last;
  t.equal(res?.status, 405);
  t.notMatch(res?.headers.get('Allow') ?? '', /SUBSCRIBE/);
});

t.test('OPTIONS lists SUBSCRIBE and Allow-Events once a package is served; other packages get 489', async (t) => {
  const env = setup();
  const opts = env.layer.incoming('OPTIONS sip:octoline@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKo\nFrom: <sip:a@127.0.0.1>;tag=z\nTo: <sip:octoline@127.0.0.1>\nCall-ID: o1\nCSeq: 1 OPTIONS').last;
  t.match(opts?.headers.get('Allow'), /SUBSCRIBE/);
  t.equal(opts?.headers.get('Allow-Events'), 'dialog');
  const bad = env.layer.incoming(subscribe({ event: 'Event: presence' })).last;
  t.equal(bad?.status, 489);
  t.equal(bad?.headers.get('Allow-Events'), 'dialog');
  t.equal(env.layer.incoming(subscribe({ event: '' })).last?.status, 400, 'no Event header');
  t.equal(env.incoming.length, 0, 'the handler saw none of them');
});

t.test('accept: 200 with Expires and Contact, then a NOTIFY in the new dialog with the state', async (t) => {
  const env = setup();
  const { tx, tag } = await subscribed(env, 7200);
  const res = tx.last!;
  t.equal(res.status, 200);
  t.equal(res.headers.get('Expires'), '3600', 'cut to the maximum');
  t.ok(res.headers.get('Contact'));
  const [n] = env.notifies();
  const notify = n?.request as SipRequest;
  t.equal(notify.headers.get('Event'), 'dialog');
  t.equal(notify.headers.get('Subscription-State'), 'active;expires=3600');
  t.equal(notify.headers.get('Content-Type'), 'application/dialog-info+xml');
  t.equal(notify.body.toString(), '<idle/>');
  t.equal(getFrom(notify).params.get('tag'), tag, 'our tag from the 200');
  t.equal(getTo(notify).params.get('tag'), 'ph1', "the subscriber's tag");
  t.equal(notify.headers.get('Call-ID'), 'sub1');
  t.same(n?.dest, { transport: 'udp', address: '127.0.0.1', port: 5070 }, 'sent where the SUBSCRIBE came from');
});

t.test('NOTIFYs go one at a time, in CSeq order, each with the state of when it was asked for', async (t) => {
  const env = setup();
  const { sub } = await subscribed(env);
  env.setState('early');
  void sub.notify();
  env.setState('confirmed');
  void sub.notify();
  await tick();
  t.equal(env.notifies().length, 1, 'the first NOTIFY is still unanswered');
  for (let i = 0; i < 3; i++) {
    env.answerAll();
    await tick();
  }
  const sent = env.notifies().map((n) => n.request as SipRequest);
  t.same(sent.map((r) => r.body.toString()), ['<idle/>', '<early/>', '<confirmed/>']);
  const seqs = sent.map((r) => getCSeq(r).seq);
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'CSeq increases');
});

t.test('a refresh re-arms the timer and NOTIFYs; with no refresh it ends with terminated;reason=timeout', async (t) => {
  const env = setup();
  const { tag, sub } = await subscribed(env, 120);
  env.answerAll();
  let refreshed = 0;
  sub.on('refresh', () => refreshed++);
  env.clock.advance(119_000);
  t.equal(sub.state, 'active');
  const res = env.layer.incoming(subscribe({ toTag: tag, cseq: 2, expires: 300 })).last;
  t.equal(res?.status, 200);
  t.equal(res?.headers.get('Expires'), '300');
  t.equal(refreshed, 1);
  await tick();
  t.equal(env.notifies()[1]?.request.headers.get('Subscription-State'), 'active;expires=300');
  env.answerAll();
  env.clock.advance(299_000);
  t.equal(sub.state, 'active', 'the refresh moved the expiry');
  t.equal(env.layer.incoming(subscribe({ toTag: tag, cseq: 3, expires: 10 })).last?.status, 423, 'a refresh below the minimum');
  env.clock.advance(2_000);
  await tick();
  t.equal(sub.state, 'terminated');
  t.same(env.ends, [{ reason: 'expired' }]);
  t.equal(env.notifies().at(-1)?.request.headers.get('Subscription-State'), 'terminated;reason=timeout');
  t.equal(env.layer.incoming(subscribe({ toTag: tag, cseq: 4, expires: 300 })).last?.status, 481, 'gone after it expired');
  t.equal(env.clock.pending(), 0, 'no timer left');
});

t.test('Expires: 0 in the dialog unsubscribes: 200, then one final NOTIFY', async (t) => {
  const env = setup();
  const { tag } = await subscribed(env);
  env.answerAll();
  const res = env.layer.incoming(subscribe({ toTag: tag, cseq: 2, expires: 0 })).last;
  t.equal(res?.status, 200);
  t.equal(res?.headers.get('Expires'), '0');
  await tick();
  t.equal(env.notifies().length, 2);
  t.equal(env.notifies()[1]?.request.headers.get('Subscription-State'), 'terminated;reason=timeout');
  t.same(env.ends, [{ reason: 'unsubscribed' }]);
  t.equal(env.clock.pending(), 0);
});

t.test('a fetch (Expires: 0 outside a dialog) gets 200 and one terminated NOTIFY with the state', async (t) => {
  const env = setup();
  const tx = env.layer.incoming(subscribe({ expires: 0 }));
  t.equal(tx.last?.status, 200);
  await tick();
  const [n] = env.notifies();
  t.equal(n?.request.headers.get('Subscription-State'), 'terminated;reason=timeout');
  t.equal(n?.request.body.toString(), '<idle/>');
  t.same(env.ends, [{ reason: 'fetched' }]);
});

t.test('a 481 to a NOTIFY drops the subscription; the queued ones are not sent', async (t) => {
  const env = setup();
  const { sub, tag } = await subscribed(env);
  const later = sub.notify();
  env.answerAll(481);
  await tick();
  t.equal(await later, undefined, 'the queued NOTIFY was never sent');
  t.equal(env.notifies().length, 1);
  t.same(env.ends, [{ reason: 'notify-failed', status: 481 }]);
  await t.rejects(sub.notify(), { code: 'SIP_INVALID_STATE' });
  t.equal(env.layer.incoming(subscribe({ toTag: tag, cseq: 2, expires: 300 })).last?.status, 481);
});

t.test('terminate sends terminated;reason=deactivated; stopping the UA ends the rest silently', async (t) => {
  const env = setup();
  const { sub } = await subscribed(env);
  env.answerAll();
  const done = sub.terminate('deactivated');
  await tick();
  t.equal(env.notifies()[1]?.request.headers.get('Subscription-State'), 'terminated;reason=deactivated');
  env.answerAll();
  await done;
  t.same(env.ends, [{ reason: 'terminated' }]);

  env.layer.incoming(subscribe({ expires: 600 }).replace('Call-ID: sub1', 'Call-ID: sub2'));
  await tick();
  env.ua.close();
  t.same(env.ends.at(-1), { reason: 'shutdown' });
  t.equal(env.clock.pending(), 0, 'no timer left');
});
