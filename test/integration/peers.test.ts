/**
 * The real-peer helpers work on their own, with no Octoline daemon: SIPp against SIPp, baresip
 * against SIPp and against baresip, the digest REGISTER scenarios, and teardown leaving nothing.
 */
import t from 'tap';
import { join } from 'node:path';
import { makePeerDir, pidAlive, runSipp, spawnedPeers, startSipp } from '../helpers/sipp.js';
import { startBaresip } from '../helpers/baresip.js';
import { dominantFrequency, makeTone, toneLevel } from '../helpers/tone.js';

t.test('SIPp uac places 20 calls on a SIPp uas and both count 20 successes', async (t) => {
  const uas = await startSipp(t, { scenario: { builtin: 'uas' }, calls: 20 });
  const uac = await runSipp(t, {
    scenario: { builtin: 'uac' }, remote: `127.0.0.1:${uas.port}`, calls: 20, rate: 50, limit: 10,
  });
  t.equal(uac.code, 0, `uac exit code; errors: ${uac.errorLog}`);
  t.match(uac.stats, { source: 'csv', outgoing: 20, successful: 20, failed: 0 });
  const server = await uas.done;
  t.equal(server.code, 0, `uas exit code; errors: ${server.errorLog}`);
  t.match(server.stats, { incoming: 20, successful: 20, failed: 0 });
});

t.test('a baresip phone calls a SIPp uas, is answered, and hangs up', async (t) => {
  const dir = await makePeerDir(t, 'tones');
  const uas = await startSipp(t, { scenario: { builtin: 'uas' }, calls: 1 });
  const phone = await startBaresip(t, {
    user: 'caller', answerMode: 'manual',
    audioFile: await makeTone(join(dir, 'tone-500.wav'), { freqHz: 500, seconds: 30 }),
  });
  await phone.dial(`sip:service@127.0.0.1:${uas.port}`);
  const established = await phone.waitCall('CALL_ESTABLISHED');
  t.match(established, { direction: 'outgoing', peeruri: `sip:service@127.0.0.1:${uas.port}` });
  await phone.hangup();
  const closed = await phone.waitCall('CALL_CLOSED');
  t.equal(closed.id, established.id, 'the same call closed');
  const server = await uas.done;
  t.equal(server.code, 0, `uas exit code; errors: ${server.errorLog}`);
  t.match(server.stats, { incoming: 1, successful: 1, failed: 0 });
});

t.test('two baresip phones call each other directly and each hears the tone the other plays', async (t) => {
  const dir = await makePeerDir(t, 'tones');
  const a = await startBaresip(t, {
    user: 'a', audioFile: await makeTone(join(dir, 'tone-1000.wav'), { freqHz: 1000, seconds: 30 }),
  });
  const b = await startBaresip(t, {
    user: 'b', answerMode: 'auto', audioFile: await makeTone(join(dir, 'tone-500.wav'), { freqHz: 500, seconds: 30 }),
  });
  await a.dial(b.uri);
  await Promise.all([a.waitCall('CALL_ESTABLISHED'), b.waitCall('CALL_ESTABLISHED')]);
  const [heardByA, heardByB] = await Promise.all([a.waitHeard(1.5), b.waitHeard(1.5)]);
  await a.hangup();
  await Promise.all([a.waitCall('CALL_CLOSED'), b.waitCall('CALL_CLOSED')]);

  const bHeard = heardByB.heard.at(-1) as string;
  const aHeard = heardByA.heard.at(-1) as string;
  t.equal(await dominantFrequency(bHeard), 1000, 'b hears 1 kHz');
  t.ok((await toneLevel(bHeard, 1000)) > 0.9, 'and little else');
  t.equal(await dominantFrequency(aHeard), 500, 'a hears 500 Hz');
  t.ok((await toneLevel(aHeard, 500)) > 0.9, 'and little else');
});

t.test('the SIPp digest REGISTER scenarios', async (t) => {
  const registrar = (calls = 1) => startSipp(t, {
    scenario: { file: 'uas-register-digest.xml' }, calls, keys: { reg_user: '1001', reg_pass: 'secret' },
  });
  const register = (port: number, password: string) => runSipp(t, {
    scenario: { file: 'uac-register-digest.xml' }, remote: `127.0.0.1:${port}`, service: '1001',
    auth: { user: '1001', password }, keys: { expires: 300 },
  });

  t.test('the right password is challenged, then registered', async (t) => {
    const reg = await registrar();
    const client = await register(reg.port, 'secret');
    t.equal(client.code, 0, `client exit code; errors: ${client.errorLog}`);
    t.match(client.stats, { successful: 1, failed: 0 });
    const server = await reg.done;
    t.equal(server.code, 0, `registrar exit code; errors: ${server.errorLog}`);
    t.match(server.stats, { successful: 1, failed: 0 });
  });

  t.test('a wrong password gets 403 and both sides count a failed call', async (t) => {
    const reg = await registrar();
    const client = await register(reg.port, 'not-the-password');
    t.equal(client.code, 1, 'client fails');
    t.match(client.stats, { successful: 0, failed: 1, failedBy: { FailedUnexpectedMessage: 1 } });
    t.match(client.errorLog, /403 Forbidden/);
    const server = await reg.done;
    t.equal(server.code, 1, 'registrar marks the call failed');
    t.match(server.stats, { successful: 0, failed: 1 });
  });

  t.test('a baresip phone registers with digest to the SIPp registrar', async (t) => {
    const reg = await registrar();
    const phone = await startBaresip(t, { user: '1001', password: 'secret', server: { port: reg.port } });
    await phone.waitRegistered();
    const server = await reg.done;
    t.match(server.stats, { successful: 1, failed: 0 });
  });

  t.test('a baresip phone with a wrong password reports the registration failure', async (t) => {
    const reg = await registrar();
    const phone = await startBaresip(t, { user: '1001', password: 'wrong', server: { port: reg.port } });
    await t.rejects(phone.waitRegistered(), { code: 'PEER_REGISTER_FAILED' });
    const server = await reg.done;
    t.match(server.stats, { successful: 0, failed: 1 });
  });
});

t.test('peers still running when their test ends are killed by its teardown', async (t) => {
  let pids: number[] = [];
  await t.test('a test that leaves a SIPp uas and a baresip running', async (t) => {
    const uas = await startSipp(t, { scenario: { builtin: 'uas' }, calls: 5, timeoutS: 60 });
    const phone = await startBaresip(t, { user: 'idle' });
    pids = [uas.pid, phone.pid];
    t.ok(pids.every(pidAlive), 'both running inside the test');
  });
  t.equal(pids.length, 2);
  t.same(pids.filter(pidAlive), [], 'both gone once it ended');
});

t.test('no SIPp or baresip started by this file is still running', async (t) => {
  const peers = spawnedPeers();
  t.ok(peers.some((p) => p.name === 'sipp') && peers.some((p) => p.name === 'baresip'), 'both kinds were started');
  t.same(peers.filter((p) => pidAlive(p.pid)), [], 'none alive');
});
