import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCallBox } from '../helpers/call-box.js';
import { startSipp } from '../helpers/sipp.js';
import { getStatus } from '../helpers/octoline.js';
import { startSipPhone, type SipPhone } from '../helpers/sip-phone.js';
import { ULAW_TABLE, decodeG711 } from '../../drivers/pcap/g711.js';
import { monoWav } from '../../drivers/pcap/wav-writer.js';
import { dominantFrequency, makeTone, toneLevels } from '../helpers/tone.js';

/**
 * Calls placed and handled from the desk phones (baresip): outbound through the gateway (SIPp as
 * its UAS), permissions, hunting, hold with music, pickup and blind transfer.
 */

t.test('1001 dials an outside number: the gateway gets the digits on line 1, the phone hears the far end', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  const gw = await startSipp(t, { scenario: { file: cb.scenario('gw-outbound-answer.xml') }, localPort: cb.gwPort, timeoutS: 40 });
  const phone = await cb.phone('1001');
  await phone.dial(`sip:021-5555-0199@127.0.0.1:${cb.box.sipPort}`);
  await phone.waitCall('CALL_ESTABLISHED', 15_000);
  t.equal((await getStatus<{ calls: { active: number } }>(cb.box)).calls.active, 1, 'status counts the call');
  await phone.waitHeard(2, 30_000);
  await phone.hangup();
  const res = await gw.done;
  t.equal(res.code, 0, `the gateway saw a whole call: ${res.errorLog}`);
  const log = readFileSync(join(res.dir, 'messages.log'), 'utf8');
  t.match(log, /INVITE sip:02155550199@127\.0\.0\.1/, 'the dialled digits are the Request-URI user (separators dropped)');
  t.match(log, /From: <sip:line1@/, 'the port is named by its user (line 1)');
  const heard = (await phone.recordings()).heard.at(-1) as string;
  t.equal(await dominantFrequency(heard, { candidatesHz: [500, 1000] }), 1000, 'the phone hears the gateway side');
  const row = await cb.waitRow<{ direction: string; line_id: number; callee: string; disposition: string }>('SELECT * FROM calls WHERE ended_at IS NOT NULL');
  t.match(row, { direction: 'outbound', line_id: 1, callee: '02155550199', disposition: 'answered' });
  t.equal((await getStatus<{ calls: { active: number } }>(cb.box)).calls.active, 0, 'and no call once it ended');
});

t.test('a blocked prefix is refused before any line is seized; no free line gives 503 with Retry-After', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'], lines: 1 });
  const phone = await cb.phone('1001');
  await phone.dial(`sip:0044207946000@127.0.0.1:${cb.box.sipPort}`);
  const closed = await phone.waitCall('CALL_CLOSED', 10_000);
  t.match(closed.param ?? '', /403/, 'the phone is told 403');
  t.match(cb.events('call.refused'), [{ data: { reason: 'PREFIX_BLOCKED', prefix: '00' } }], 'refused as a blocked prefix');

  await cb.cli(['lines', 'direction', '1', 'in']);
  await phone.dial(`sip:02155550199@127.0.0.1:${cb.box.sipPort}`);
  const busy = await phone.waitCall('CALL_CLOSED', 10_000);
  t.match(busy.param ?? '', /503/, 'no outbound line: 503');
  t.equal(cb.events('call.no_line').length, 1, 'call.no_line event');
  const rows = await waitEnded(cb, 2);
  t.same(rows, [{ disposition: 'rejected', cause: 'rejected' }, { disposition: 'busy', cause: 'line_busy' }], 'both are CDRs');
});

t.test('hold from a desk phone plays music on hold to the other party; resume brings the voice back', async (t) => {
  const boxMoh = await makeToneFile(t);
  const cb = await startCallBox(t, { extensions: ['1001', '1002'], extraToml: `[calls]\nmoh_file = "${boxMoh}"\n` });
  // The held party is a phone that keeps every RTP payload the box sends, so what it hears is
  // judged without a jitter buffer (baresip's drops the music when its sequence numbers run
  // behind the voice's, ignoring the new SSRC: see docs/calls.md, Hold).
  const a = await startSipPhone(t, { ext: '1001', boxPort: cb.box.sipPort });
  const b = await cb.phone('1002');
  const call = await a.dial('1002').answered;
  await b.waitCall('CALL_ESTABLISHED', 15_000);
  await waitBytes(a, a.heardBytes() + 8000);
  const voice = await toneOf(cb, a.heardSince(0), 'voice.wav');
  await b.hold();
  await waitEvent(cb, 'call.held');
  const heldFrom = a.heardBytes() + 1600; // skip the switch-over
  await waitBytes(a, heldFrom + 16000);
  const music = await toneOf(cb, a.heardSince(heldFrom).subarray(0, 16000), 'moh.wav');
  await b.resume();
  await waitEvent(cb, 'call.resumed');
  const back = a.heardBytes() + 1600;
  await waitBytes(a, back + 8000);
  const again = await toneOf(cb, a.heardSince(back).subarray(0, 8000), 'again.wav');
  t.same([voice, music, again], [500, 2000, 500], 'voice, then the music while held, then the voice again');
  await call.hangup();
  const row = await cb.waitRow<{ hold_seconds: number }>('SELECT hold_seconds FROM calls WHERE ended_at IS NOT NULL');
  t.ok(row.hold_seconds > 1, `hold time in the CDR (${row.hold_seconds} s)`);
});

async function waitBytes(phone: SipPhone, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (phone.heardBytes() < n) {
    if (Date.now() > deadline) throw new Error(`only ${phone.heardBytes()} of ${n} bytes of audio arrived`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The dominant tone (500, 1000 or 2000 Hz) of µ-law bytes. */
async function toneOf(cb: Awaited<ReturnType<typeof startCallBox>>, ulaw: Buffer, name: string): Promise<number | null> {
  const path = join(cb.box.dir, name);
  writeFileSync(path, monoWav(decodeG711(ulaw, ULAW_TABLE), 8000));
  return dominantFrequency(path, { candidatesHz: [500, 1000, 2000] });
}

t.test('*8 picks up a call ringing another phone; a blind transfer moves the caller to a second phone', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001', '1002', '1003'] });
  await cb.cli(['lines', 'route', '1', '1001']);
  const ringing = await cb.phone('1001', { answerMode: 'manual' });
  const picker = await cb.phone('1002');
  const target = await cb.phone('1003');
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound-reinvite.xml', { hold_ms: 6000 }) }, remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1',
    keys: { caller: '13800138000', caller_name: 'Wang Wu' }, timeoutS: 40,
  });
  await ringing.waitCall('CALL_INCOMING', 10_000);
  await picker.dial(`sip:*8@127.0.0.1:${cb.box.sipPort}`);
  await picker.waitCall('CALL_ESTABLISHED', 10_000);
  await ringing.waitCall('CALL_CLOSED', 10_000);
  t.match(cb.events('call.picked_up'), [{ data: { extension: '1002' } }], 'picked up by 1002');
  await picker.waitHeard(1.5, 30_000);

  await picker.transfer(`sip:1003@127.0.0.1:${cb.box.sipPort}`);
  await target.waitCall('CALL_ESTABLISHED', 15_000);
  await target.waitHeard(1.5, 30_000);
  const heard = (await target.recordings()).heard.at(-1) as string;
  t.equal(await dominantFrequency(heard, { candidatesHz: [500, 1000] }), 1000, 'the transfer target hears the caller');
  t.match(cb.events('call.transferred'), [{ data: { kind: 'blind', by: '1002', to: '1003' } }]);
  const res = await gw.done;
  t.equal(res.code, 0, `the caller's call stayed up through pickup and transfer: ${res.errorLog}`);
});

/** Outside t.testdir(): a second testdir() call in one test wipes the box's. */
async function makeToneFile(t: Test): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'octoline-moh-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return makeTone(join(dir, 'moh-2k.wav'), { freqHz: 2000, seconds: 30 });
}

async function waitEnded(cb: Awaited<ReturnType<typeof startCallBox>>, n: number): Promise<unknown[]> {
  await cb.waitRow('SELECT count(*) AS n FROM calls WHERE ended_at IS NOT NULL HAVING n >= ?', [n], 10_000);
  return cb.db.prepare('SELECT disposition, cause FROM calls ORDER BY started_at').all();
}

async function waitEvent(cb: Awaited<ReturnType<typeof startCallBox>>, type: string): Promise<void> {
  await cb.waitRow('SELECT id FROM events WHERE type = ?', [type], 20_000);
}

t.test('a busy-lamp key follows a real call: early while 1002 rings, confirmed while it talks, terminated at the end', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001', '1002'] });
  await cb.cli(['lines', 'route', '1', '1002']);
  const watched = await cb.phone('1002');
  const lamp = await startSipp(t, {
    scenario: { file: 'uac-subscribe-watch.xml' }, remote: `127.0.0.1:${cb.box.sipPort}`, service: '1002',
    auth: { user: '1001', password: 'pass-1001-ok' }, keys: { subscriber: '1001', expires: 600 }, timeoutS: 40,
  });
  await waitUntilSubscribed(cb);
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: 2500 }) }, remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1',
    keys: { caller: '13800138000', caller_name: 'Zhou Ba' }, timeoutS: 30,
  });
  await watched.waitCall('CALL_ESTABLISHED', 10_000);
  t.equal((await gw.done).code, 0, 'the call went through');
  const res = await lamp.done;
  t.equal(res.code, 0, `the lamp saw early, confirmed, terminated in that order: ${res.errorLog}`);
});

/** The subscription is up once the daemon logged it (the idle NOTIFY follows at once). */
async function waitUntilSubscribed(cb: Awaited<ReturnType<typeof startCallBox>>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!/"msg":"BLF subscription"/.test(cb.daemon.stdout())) {
    if (Date.now() > deadline) throw new Error('no BLF subscription within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}
