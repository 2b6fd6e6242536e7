import t from 'tap';
import { join } from 'node:path';
import { recordingChannel, startCallBox } from '../helpers/call-box.js';
import { spawnDaemon, waitHealthy } from '../helpers/octoline.js';
import { runSipp, startSipp } from '../helpers/sipp.js';
import { dominantFrequency } from '../helpers/tone.js';

/**
 * Inbound calls end to end on loopback: SIPp plays the FXO gateway (line users, caller ID, a
 * 1 kHz voice), baresip plays the agents' desk phones (auto-answer, a 500 Hz voice), the real
 * daemon with its real rtpengine in between.
 */

const CALLER = '13800138000';

t.test('a gateway call on line 1 rings 1001, audio flows both ways through rtpengine, and the stereo recording is caller left, agent right', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  await cb.cli(['lines', 'route', '1', '1001']);
  await cb.cli(['lines', 'record', '1', 'answer']);
  const agent = await cb.phone('1001');

  const gw = await runSipp(t, {
    scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: 4000 }) }, remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1',
    keys: { caller: CALLER, caller_name: 'Zhang San' }, timeoutS: 30,
  });
  t.equal(gw.code, 0, `the gateway's call went through: ${gw.errorLog}`);
  const incoming = agent.events.find((e) => e.type === 'CALL_ESTABLISHED');
  t.match(incoming?.peeruri ?? '', new RegExp(`sip:${CALLER}@`), 'the phone shows the caller\'s number');
  await agent.waitCall('CALL_CLOSED', 10_000);
  const heard = (await agent.recordings()).heard.at(-1) as string;
  t.equal(await dominantFrequency(heard, { candidatesHz: [500, 1000] }), 1000, 'the agent hears the caller (1 kHz through rtpengine)');

  const call = await cb.waitRow<{ id: string; direction: string; line_id: number; extension: string; caller: string; disposition: string; talk_seconds: number; recording_id: number | null }>(
    "SELECT * FROM calls WHERE ended_at IS NOT NULL AND recording_id IS NOT NULL");
  t.match(call, { direction: 'inbound', line_id: 1, extension: '1001', caller: CALLER, disposition: 'answered' }, 'the CDR');
  t.ok(call.talk_seconds >= 2, `talk time recorded (${call.talk_seconds} s)`);
  t.same(cb.events('call.offered').map((e) => e.data['line']), [1], 'call.offered names the line');
  t.ok(cb.events('call.answered').length === 1 && cb.events('call.ended').length === 1, 'answered and ended are events');

  const rec = await cb.waitRow<{ state: string; path: string; duration_ms: number; sha256: string }>(
    "SELECT * FROM recordings WHERE id = ? AND state IN ('done', 'failed')", [call.recording_id]);
  t.equal(rec.state, 'done', 'the recording was converted');
  t.ok(rec.duration_ms > 2000, `recording length ${rec.duration_ms} ms`);
  const file = join(cb.box.dataDir, rec.path);
  const left = await recordingChannel(file, 1, join(cb.box.dir, 'left.wav'));
  const right = await recordingChannel(file, 2, join(cb.box.dir, 'right.wav'));
  t.equal(await dominantFrequency(left, { candidatesHz: [500, 1000] }), 1000, 'left channel: the caller');
  t.equal(await dominantFrequency(right, { candidatesHz: [500, 1000] }), 500, 'right channel: the agent');
});

t.test('a blacklisted caller gets 486 and no phone rings; the block is an event and a CDR', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  await cb.cli(['lines', 'route', '1', '1001']);
  await cb.cli(['blacklist', 'add', '138-0013-8000']);
  const agent = await cb.phone('1001');
  const gw = await runSipp(t, {
    scenario: { file: 'gw-inbound-refused.xml' }, remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1',
    keys: { caller: CALLER }, timeoutS: 15,
  });
  t.equal(gw.code, 0, `the gateway got 486: ${gw.errorLog}`);
  t.notOk(agent.events.some((e) => e.type === 'CALL_INCOMING'), 'the phone never rang');
  t.match(cb.events('call.blocked'), [{ data: { caller: CALLER, line: 1 } }]);
  const row = await cb.waitRow<{ disposition: string; cause: string }>('SELECT disposition, cause FROM calls WHERE ended_at IS NOT NULL');
  t.same(row, { disposition: 'blocked', cause: 'blacklisted' });
});

t.test('an extension whose phone is not registered is not rung: the gateway hears busy', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001', '1002'] });
  await cb.cli(['groups', 'add', 'sales', '--members', '1001,1002']);
  await cb.cli(['lines', 'route', '1', 'group:sales']);
  const agent = await cb.phone('1002');
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: 3000 }) }, remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1',
    keys: { caller: CALLER, caller_name: 'Li Si' }, timeoutS: 30,
  });
  await agent.waitCall('CALL_ESTABLISHED', 10_000);
  const res = await gw.done;
  t.equal(res.code, 0, 'the group call reached the registered member');
  t.same(cb.events('call.ringing').map((e) => e.data['extension']), ['1002'], 'only the registered phone rang');
});

t.test('the daemon killed mid-call: after the restart the call has a final CDR and its recording is converted', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  await cb.cli(['lines', 'route', '1', '1001']);
  await cb.cli(['lines', 'record', '1', 'ring']);
  const agent = await cb.phone('1001');
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: 20000 }) }, remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1',
    keys: { caller: CALLER, caller_name: 'Zhao Liu' }, timeoutS: 40,
  });
  await agent.waitCall('CALL_ESTABLISHED', 10_000);
  await agent.waitHeard(2, 10_000);
  cb.daemon.child.kill('SIGKILL');
  await cb.daemon.exited;
  await gw.stop(500);
  await agent.stop();
  t.match(cb.db.prepare('SELECT ended_at FROM calls').get(), { ended_at: null }, 'the crash left the call open');

  const again = spawnDaemon(t, cb.box);
  await waitHealthy(again, cb.box);
  const call = await cb.waitRow<{ cause: string; disposition: string; recording_id: number }>('SELECT * FROM calls WHERE ended_at IS NOT NULL');
  t.match(call, { cause: 'daemon_restart', disposition: 'answered' }, 'closed at the restart, as answered');
  const rec = await cb.waitRow<{ state: string; duration_ms: number; path: string }>("SELECT * FROM recordings WHERE state IN ('done', 'failed')");
  t.equal(rec.state, 'done', 'the recording left behind was converted (its cut last record dropped)');
  t.ok(rec.duration_ms >= 1500, `it holds the call until the crash (${rec.duration_ms} ms)`);
  // After a crash the caller's address is not known to the converter: channel order is first-heard.
  const file = join(cb.box.dataDir, rec.path);
  const freqs = [await recordingChannel(file, 1, join(cb.box.dir, 'crash-l.wav')), await recordingChannel(file, 2, join(cb.box.dir, 'crash-r.wav'))];
  const dominant = await Promise.all(freqs.map((f) => dominantFrequency(f, { candidatesHz: [500, 1000] })));
  t.same(dominant.sort(), [1000, 500], 'caller and agent each on their own channel');
});

t.test('digits reach the call as events: RFC 2833 from the gateway (via rtpengine) and from the agent\'s phone', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  await cb.cli(['lines', 'route', '1', '1001']);
  const agent = await cb.phone('1001');
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound-dtmf.xml', { hold_ms: 6000, dtmf_pcap: '/usr/share/sip-tester/dtmf_2833_7.pcap' }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: CALLER, caller_name: 'Sun Qi' }, timeoutS: 30,
  });
  await agent.waitCall('CALL_ESTABLISHED', 10_000);
  await cb.waitRow("SELECT id FROM events WHERE type = 'call.dtmf' AND json_extract(data, '$.leg') = 'caller'", [], 15_000);
  await agent.sendDtmf('5');
  await cb.waitRow("SELECT id FROM events WHERE type = 'call.dtmf' AND json_extract(data, '$.leg') = 'callee'", [], 15_000);
  const digits = cb.events('call.dtmf').map((e) => [e.data['leg'], e.data['digit'], e.data['source']]);
  t.same(digits, [['caller', '7', 'rfc4733'], ['callee', '5', 'rfc4733']], 'one event per digit, with the side it came from');
  t.equal((await gw.done).code, 0);
});

t.test('trunk mode: an INVITE that names no port is counted on the first idle line and routed by it', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  await cb.cli(['lines', 'route', '1', '1001']);
  const agent = await cb.phone('1001');
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: 2000 }) }, remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'reception',
    keys: { caller: CALLER, caller_name: 'Trunk' }, timeoutS: 30,
  });
  await agent.waitCall('CALL_ESTABLISHED', 10_000);
  t.equal((await gw.done).code, 0, 'the call went through');
  const row = await cb.waitRow<{ line_id: number; extension: string }>('SELECT line_id, extension FROM calls WHERE ended_at IS NOT NULL');
  t.same(row, { line_id: 1, extension: '1001' }, 'on line 1, to its target');
});
