import t, { type Test } from 'tap';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { getStatus, makeTestBox, runCli, spawnDaemon, waitHealthy, type TestBox } from '../helpers/octoline.js';
import { startBaresip, type BaresipHandle } from '../helpers/baresip.js';
import { runSipp } from '../helpers/sipp.js';
import { dominantFrequency, makeTone } from '../helpers/tone.js';

/** The real daemon as registrar and B2BUA for real desk phones (baresip) and SIPp, on loopback. */
async function boxWithPhones(t: Test): Promise<TestBox> {
  const box = await makeTestBox(t);
  const setup = await runCli(['setup', '--config', box.configPath, '--yes', '--extension', '1001:pass-1001-ok', '--extension', '1002:pass-1002-ok']);
  t.equal(setup.code, 0, setup.stderr);
  return box;
}

const phone = (t: Test, box: TestBox, user: string, password: string, extra: Partial<Parameters<typeof startBaresip>[1]> = {}): Promise<BaresipHandle> =>
  startBaresip(t, { user, password, server: { port: box.sipPort }, regintS: 600, ...extra });

const status = (box: TestBox) => getStatus<{ phones: { registered: number; configured: number } }>(box);

t.test('desk phones register with digest, and one calls the other through the box with audio both ways', async (t) => {
  const box = await boxWithPhones(t);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);
  const [toneA, toneB] = [join(box.dir, 'a.wav'), join(box.dir, 'b.wav')];
  await makeTone(toneA, { freqHz: 1000, seconds: 60 });
  await makeTone(toneB, { freqHz: 500, seconds: 60 });
  const a = await phone(t, box, '1001', 'pass-1001-ok', { audioFile: toneA });
  const b = await phone(t, box, '1002', 'pass-1002-ok', { audioFile: toneB, answerMode: 'auto' });
  await a.waitRegistered(10_000);
  await b.waitRegistered(10_000);
  t.same((await status(box)).phones, { configured: 2, registered: 2 }, 'status counts both phones');

  await a.dial(`sip:1002@127.0.0.1:${box.sipPort}`);
  await a.waitCall('CALL_ESTABLISHED', 15_000);
  await b.waitCall('CALL_ESTABLISHED', 15_000);
  await a.waitHeard(1.5, 15_000);
  await b.waitHeard(1.5, 15_000);
  await a.hangup();
  await a.waitCall('CALL_CLOSED', 10_000);
  await b.waitCall('CALL_CLOSED', 10_000);
  const heardByB = (await b.recordings()).heard.at(-1) as string;
  const heardByA = (await a.recordings()).heard.at(-1) as string;
  t.equal(await dominantFrequency(heardByB, { candidatesHz: [500, 1000] }), 1000, 'the callee hears the caller');
  t.equal(await dominantFrequency(heardByA, { candidatesHz: [500, 1000] }), 500, 'the caller hears the callee');

  const db = new BetterSqlite3(join(box.dataDir, 'octoline.db'), { readonly: true });
  t.teardown(() => db.close());
  const regs = db.prepare("SELECT json_extract(data, '$.extension') AS ext FROM events WHERE type = 'phone.registered' ORDER BY id").all() as Array<{ ext: string }>;
  t.same(regs.map((r) => r.ext).sort(), ['1001', '1002'], 'registrations are events');
});

t.test('a phone with a wrong password never registers and its address is banned after repeated tries', async (t) => {
  const box = await boxWithPhones(t);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);
  const wrong = await phone(t, box, '1001', 'not-the-password');
  await t.rejects(wrong.waitRegistered(8_000), 'not registered');
  t.equal((await status(box)).phones.registered, 0);
  // baresip keeps answering each new challenge with the same wrong password: the ban stops it.
  const deadline = Date.now() + 30_000;
  while (!/"event":"sip.source_banned"/.test(d.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  t.match(d.stdout(), /"event":"sip.source_banned".*"address":"127\.0\.0\.1"/, 'the source is banned, as an event');
});

t.test('an extension that does not exist gets the same refusal as a wrong password', async (t) => {
  const box = await boxWithPhones(t);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);
  const ghost = await phone(t, box, '1099', 'whatever-pass');
  await t.rejects(ghost.waitRegistered(8_000), 'not registered');
});

t.test('an extension whose phone is not registered is not rung: the caller gets 480', async (t) => {
  const box = await boxWithPhones(t);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);
  const a = await phone(t, box, '1001', 'pass-1001-ok');
  await a.waitRegistered(10_000);
  await a.dial(`sip:1002@127.0.0.1:${box.sipPort}`);
  const closed = await a.waitCall('CALL_CLOSED', 15_000);
  t.match(closed.param ?? '', /480/, 'an unregistered extension gets 480');
});

t.test('SIPp registers with digest: the right password gets 200, a wrong one does not', async (t) => {
  const box = await boxWithPhones(t);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);
  const ok = await runSipp(t, {
    scenario: { file: 'uac-register-digest.xml' }, remote: `127.0.0.1:${box.sipPort}`, service: '1001',
    auth: { user: '1001', password: 'pass-1001-ok' }, keys: { expires: '300' }, calls: 1, timeoutS: 20,
  });
  t.equal(ok.code, 0, ok.errorLog);
  const bad = await runSipp(t, {
    scenario: { file: 'uac-register-digest.xml' }, remote: `127.0.0.1:${box.sipPort}`, service: '1002',
    auth: { user: '1002', password: 'wrong-password' }, keys: { expires: '300' }, calls: 1, timeoutS: 20,
    defaultBehaviors: 'all,-bye',
  });
  t.not(bad.code, 0, 'wrong password refused');
});

t.test('a daemon restart keeps the phones reachable without registering again', async (t) => {
  const box = await boxWithPhones(t);
  const first = spawnDaemon(t, box);
  await waitHealthy(first, box);
  const a = await phone(t, box, '1001', 'pass-1001-ok');
  const b = await phone(t, box, '1002', 'pass-1002-ok', { answerMode: 'auto' });
  await a.waitRegistered(10_000);
  await b.waitRegistered(10_000);
  first.child.kill('SIGTERM');
  await first.exited;

  const second = spawnDaemon(t, box);
  await waitHealthy(second, box);
  t.equal((await status(box)).phones.registered, 2, 'bindings came back from the database');
  await a.dial(`sip:1002@127.0.0.1:${box.sipPort}`);
  await b.waitCall('CALL_ESTABLISHED', 15_000);
  await a.waitCall('CALL_ESTABLISHED', 15_000);
  await a.hangup();
  await b.waitCall('CALL_CLOSED', 10_000);
});
