import t from 'tap';
import { FakeClock } from '../../clock.js';
import { MemoryBindingStore } from './memory-binding-store.js';
import { isBehindNat, KeepAlive } from './keep-alive.js';
import { registrarFixture } from './testing/registrar-fixture.js';
import { TestPhone } from './testing/test-phone.js';
import type { Binding } from './types.js';

const natted = { transport: 'udp' as const, address: '203.0.113.5', port: 40000 };

t.test('a new registration is stored with the source address, and lookup returns it for routing', async (t) => {
  const { registrar, clock, events, store } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001', source: natted, userAgent: 'Yealink SIP-T46U 108.86.0.20' });
  t.equal(phone.register({ expires: 600 })?.status, 200);
  const [b, ...rest] = registrar.lookup('1001');
  t.same(rest, []);
  t.same(b, {
    extension: '1001', contact: 'sip:1001@192.168.1.50:5060', source: natted, expiresAt: clock.now() + 600_000,
    callId: 'reg-1001@192.168.1.50', cseq: 2, userAgent: 'Yealink SIP-T46U 108.86.0.20', updatedAt: clock.now(),
  });
  t.ok(b && isBehindNat(b), 'the private Contact host is not where to send: the source is');
  t.same(store.loadAll(), [b], 'persisted');
  t.same(events.registered, [{ extension: '1001', contact: 'sip:1001@192.168.1.50:5060', source: natted, expires: 600, userAgent: 'Yealink SIP-T46U 108.86.0.20', refresh: false }]);
  t.same(registrar.registeredExtensions(), ['1001']);
  t.same(registrar.lookup('1002'), [], 'an extension that is not registered has no binding (480 for the call path)');
});

t.test('the 200 lists every binding of the address-of-record with its remaining time, and a Date', async (t) => {
  const { registrar, clock } = registrarFixture();
  const desk = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  desk.register({ expires: 600 });
  clock.advance(100_000);
  const soft = new TestPhone(registrar, { ext: '1001', password: 'pw-1001', contact: '<sip:1001@10.0.0.9:5080;transport=tcp>', callId: 'soft' });
  const res = soft.register({ expires: 1200 });
  t.equal(res?.status, 200);
  t.same(res?.headers.getAll('Contact'), ['<sip:1001@10.0.0.9:5080;transport=tcp>;expires=1200', '<sip:1001@192.168.1.50:5060>;expires=500']);
  t.equal(res?.headers.get('Expires'), '1200');
  t.equal(res?.headers.get('Date'), new Date(clock.now()).toUTCString());
});

t.test('a refresh updates the binding (and its source after a NAT rebinding); Expires: 0 removes it', async (t) => {
  const { registrar, clock, events } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001', source: natted });
  phone.register({ expires: 600 });
  clock.advance(300_000);
  const moved = new TestPhone(registrar, { ext: '1001', password: 'pw-1001', source: { ...natted, port: 41234 } });
  moved.cseq = phone.cseq;
  t.equal(moved.register({ expires: 600 })?.status, 200);
  t.equal(registrar.lookup('1001').length, 1, 'same contact, one binding');
  t.equal(registrar.lookup('1001')[0]?.source.port, 41234);
  t.equal(events.registered[1]?.refresh, true);
  t.equal(moved.register({ expires: 0 })?.status, 200);
  t.same(registrar.lookup('1001'), []);
  t.same(events.unregistered.map((e) => e.reason), ['expires-0']);
});

t.test('below Min-Expires is 423 with Min-Expires and changes nothing; 0 is always allowed', async (t) => {
  const { registrar } = registrarFixture({ registrar: { minExpires: 60 } });
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  const res = phone.register({ expires: 30 });
  t.equal(res?.status, 423);
  t.equal(res?.reason, 'Interval Too Brief');
  t.equal(res?.headers.get('Min-Expires'), '60');
  t.same(registrar.lookup('1001'), []);
  t.equal(phone.register({ contacts: ['<sip:1001@192.168.1.50>;expires=59'], expires: 3600 })?.status, 423, 'per-contact too');
  t.equal(phone.register({ expires: 60 })?.status, 200, 'exactly the minimum is fine');
  t.equal(phone.register({ expires: 0 })?.status, 200);
});

t.test('above the maximum is shortened to it; no expiry at all gets the default', async (t) => {
  const { registrar, clock } = registrarFixture({ registrar: { maxExpires: 3600, defaultExpires: 1800 } });
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  const res = phone.register({ expires: 86_400 });
  t.same(res?.headers.getAll('Contact'), ['<sip:1001@192.168.1.50:5060>;expires=3600']);
  t.equal(registrar.lookup('1001')[0]?.expiresAt, clock.now() + 3_600_000);
  const other = new TestPhone(registrar, { ext: '1002', password: 'pw-1002' });
  t.same(other.register()?.headers.getAll('Contact'), ['<sip:1002@192.168.1.50:5060>;expires=1800']);
});

t.test('a contact expires parameter overrides the Expires header, per contact', async (t) => {
  const { registrar } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  const res = phone.register({ contacts: ['<sip:1001@192.168.1.50:5060>;expires=120', '<sip:1001@192.168.1.50:5070>'], expires: 900 });
  t.same(res?.headers.getAll('Contact').sort(), ['<sip:1001@192.168.1.50:5060>;expires=120', '<sip:1001@192.168.1.50:5070>;expires=900']);
  phone.register({ contacts: ['<sip:1001@192.168.1.50:5060>;expires=0'], expires: 900 });
  t.same(registrar.lookup('1001').map((b) => b.contact), ['sip:1001@192.168.1.50:5070'], 'expires=0 on one contact removes only that one');
});

t.test('Contact: * with Expires: 0 removes every binding; any other use of * is 400', async (t) => {
  const { registrar, events } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  phone.register({ contacts: ['<sip:1001@192.168.1.50:5060>', '<sip:1001@192.168.1.50:5070>'] });
  t.equal(registrar.lookup('1001').length, 2);
  t.equal(phone.register({ contacts: ['*'] })?.status, 400, 'no Expires');
  t.equal(phone.register({ contacts: ['*'], expires: 60 })?.status, 400, 'Expires not 0');
  t.equal(phone.register({ contacts: ['*', '<sip:1001@192.168.1.50>'], expires: 0 })?.status, 400, 'not alone');
  t.equal(registrar.lookup('1001').length, 2, 'nothing removed by the bad ones');
  const res = phone.register({ contacts: ['*'], expires: 0 });
  t.equal(res?.status, 200);
  t.same(res?.headers.getAll('Contact'), []);
  t.same(registrar.lookup('1001'), []);
  t.same(events.unregistered.map((e) => e.reason), ['wildcard', 'wildcard']);
});

t.test('a REGISTER without Contact is a query: 200 with the bindings, nothing changed', async (t) => {
  const { registrar, clock } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  phone.register({ expires: 600 });
  clock.advance(10_000);
  const before = registrar.lookup('1001');
  const res = phone.register({ contacts: [] });
  t.equal(res?.status, 200);
  t.same(res?.headers.getAll('Contact'), ['<sip:1001@192.168.1.50:5060>;expires=590']);
  t.same(registrar.lookup('1001'), before);
});

t.test('a lower CSeq on the same Call-ID is refused with 500 and leaves the binding; another Call-ID may go lower', async (t) => {
  const { registrar } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  phone.cseq = 100;
  phone.register({ expires: 600 });
  t.equal(registrar.lookup('1001')[0]?.cseq, 102);
  const before = registrar.lookup('1001');
  phone.cseq = 50;
  const res = phone.register({ expires: 1200 });
  t.equal(res?.status, 500);
  t.same(registrar.lookup('1001'), before);
  phone.cseq = 50;
  t.equal(phone.register({ contacts: ['*'], expires: 0 })?.status, 500, 'the wildcard obeys the same rule');
  const rebooted = new TestPhone(registrar, { ext: '1001', password: 'pw-1001', callId: 'after-reboot' });
  t.equal(rebooted.register({ expires: 1200 })?.status, 200);
  t.equal(registrar.lookup('1001')[0]?.callId, 'after-reboot');
});

t.test('bindings past their time are not returned, and sweep removes them with an expired event', async (t) => {
  const { registrar, clock, events, store } = registrarFixture();
  new TestPhone(registrar, { ext: '1001', password: 'pw-1001' }).register({ expires: 60 });
  new TestPhone(registrar, { ext: '1002', password: 'pw-1002' }).register({ expires: 600 });
  clock.advance(60_000);
  t.same(registrar.lookup('1001'), [], 'lazy: gone at its time');
  t.same(registrar.registeredExtensions(), ['1002']);
  t.equal(store.size, 2, 'still stored until swept');
  t.equal(registrar.sweep(), 1);
  t.equal(store.size, 1);
  t.same(events.expired.map((e) => e.extension), ['1001']);
});

t.test('start() sweeps on the clock until stop()', async (t) => {
  const { registrar, clock, events } = registrarFixture({ registrar: { sweepIntervalMs: 30_000 } });
  new TestPhone(registrar, { ext: '1001', password: 'pw-1001' }).register({ expires: 60 });
  registrar.start();
  clock.advance(90_000);
  t.same(events.expired.map((e) => e.extension), ['1001']);
  registrar.stop();
  t.equal(clock.pending(), 0);
});

t.test('bindings survive a restart: a new registrar over the same store routes to the same source', async (t) => {
  const store = new MemoryBindingStore();
  const clock = new FakeClock();
  const first = registrarFixture({ store, clock });
  new TestPhone(first.registrar, { ext: '1001', password: 'pw-1001', source: natted }).register({ expires: 600 });
  const second = registrarFixture({ store, clock });
  t.same(second.registrar.lookup('1001').map((b) => b.source), [natted]);
  const phone = new TestPhone(second.registrar, { ext: '1001', password: 'pw-1001', source: natted });
  phone.cseq = 10;
  t.equal(phone.register({ expires: 600 })?.status, 200, 'the phone refreshes against the new process');
  t.equal(second.registrar.lookup('1001').length, 1);
});

t.test('more contacts than maxBindingsPerAor evict the least recently refreshed', async (t) => {
  const { registrar, clock, events } = registrarFixture({ registrar: { maxBindingsPerAor: 2 } });
  for (const port of [5060, 5062, 5064]) {
    new TestPhone(registrar, { ext: '1001', password: 'pw-1001', contact: `<sip:1001@192.168.1.50:${port}>`, callId: `c${port}` }).register();
    clock.advance(1000);
  }
  t.same(registrar.lookup('1001').map((b) => b.contact), ['sip:1001@192.168.1.50:5064', 'sip:1001@192.168.1.50:5062']);
  t.same(events.unregistered.map((e) => [e.contact, e.reason]), [['sip:1001@192.168.1.50:5060', 'evicted']]);
  const many = new TestPhone(registrar, { ext: '1002', password: 'pw-1002' });
  t.equal(many.register({ contacts: ['<sip:1002@a>', '<sip:1002@b>', '<sip:1002@c>'] })?.status, 403, 'one REGISTER cannot exceed the limit');
});

t.test('a bad Contact is 400; a Contact that is not SIP is 400', async (t) => {
  const { registrar } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  t.equal(phone.register({ contacts: ['<tel:+861012345678>'] })?.status, 400);
  t.same(registrar.lookup('1001'), []);
});

t.test('bad expiry limits are refused with SIP_REGISTRAR_BAD_OPTIONS', async (t) => {
  t.throws(() => registrarFixture({ registrar: { minExpires: 600, maxExpires: 60 } }), { code: 'SIP_REGISTRAR_BAD_OPTIONS' });
  t.throws(() => registrarFixture({ registrar: { minExpires: 0 } }), { code: 'SIP_REGISTRAR_BAD_OPTIONS' });
});

t.test('keep-alives go to NATed UDP bindings at their source every interval', async (t) => {
  const clock = new FakeClock();
  const b = (contact: string, source: Binding['source']): Binding => ({ extension: '1001', contact, source, expiresAt: 1e15, callId: 'c', cseq: 1, userAgent: '', updatedAt: 0 });
  const bindings = [
    b('sip:1001@192.168.1.50:5060', natted),
    b('sip:1002@192.0.2.60:5060', { transport: 'udp', address: '192.0.2.60', port: 5060 }),
    b('sip:1003@192.168.1.51:5060', { ...natted, transport: 'tcp' }),
    b('sip:1004@[2001:db8::5]', { transport: 'udp', address: '2001:db8::5', port: 5060 }),
  ];
  const pinged: string[] = [];
  const ka = new KeepAlive({ clock, bindings: () => bindings, ping: (x) => pinged.push(`${x.contact} -> ${x.source.address}:${x.source.port}`) }, { intervalMs: 25_000 });
  ka.start();
  clock.advance(50_000);
  ka.stop();
  t.same(pinged, ['sip:1001@192.168.1.50:5060 -> 203.0.113.5:40000', 'sip:1001@192.168.1.50:5060 -> 203.0.113.5:40000']);
  t.same(new KeepAlive({ clock, bindings: () => bindings, ping: () => { throw new Error('x'); } }, { natOnly: false, udpOnly: false }).tick(), { sent: 0, failed: 4 });
});
