import t, { type Test } from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTestBox, runCli, spawnDaemon, waitHealthy, type TestBox } from '../helpers/octoline.js';
import { runSipp } from '../helpers/sipp.js';

/** Busy-lamp fields against the real daemon: SIPp is the desk phone that SUBSCRIBEs (RFC 6665, 4235). */
async function runningBox(t: Test): Promise<{ box: TestBox; stdout: () => string }> {
  const box = await makeTestBox(t);
  const setup = await runCli(['setup', '--config', box.configPath, '--yes', '--extension', '1001:pass-1001-ok', '--extension', '1002:pass-1002-ok']);
  t.equal(setup.code, 0, setup.stderr);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);
  return { box, stdout: d.stdout };
}

const messages = (dir: string): Promise<string> => readFile(join(dir, 'messages.log'), 'utf8').catch(() => '');

/** The messages SIPp received, from its -trace_msg log (its "Unexpected" echoes left out). */
function received(log: string): string[] {
  return log.split(/^-{20,}.*$/m)
    .filter((block) => /^\s*UDP message received/.test(block))
    .map((block) => block.replace(/^\s*UDP message received[^\n]*\n\s*/, ''));
}

t.test('a phone subscribes to a colleague with digest, gets the idle dialog-info, and unsubscribes', async (t) => {
  const { box, stdout } = await runningBox(t);
  const res = await runSipp(t, {
    scenario: { file: 'uac-subscribe-dialog.xml' }, remote: `127.0.0.1:${box.sipPort}`, service: '1002',
    auth: { user: '1001', password: 'pass-1001-ok' }, keys: { subscriber: '1001', expires: 600 }, calls: 1, timeoutS: 20,
  });
  t.equal(res.code, 0, res.errorLog);
  const log = await messages(res.dir);
  t.match(log, /Subscription-State: active;expires=600/, 'the subscription is granted for what was asked');
  t.match(log, /entity="sip:1002@127\.0\.0\.1"/, 'the document is about the watched extension');
  t.notMatch(log, /<dialog id=/, 'no call: an empty document, the lamp is off');
  t.match(log, /Subscription-State: terminated;reason=timeout/, 'the unsubscribe ends with a final NOTIFY');
  t.match(stdout(), /"ext":"1002".*"msg":"BLF subscription"|"msg":"BLF subscription".*"ext":"1002"/, 'logged');
});

t.test('a wrong password gets a new challenge and never a subscription', async (t) => {
  const { box } = await runningBox(t);
  const res = await runSipp(t, {
    scenario: { file: 'uac-subscribe-dialog.xml' }, remote: `127.0.0.1:${box.sipPort}`, service: '1002',
    auth: { user: '1001', password: 'wrong-password' }, keys: { subscriber: '1001', expires: 600 }, calls: 1, timeoutS: 20,
    defaultBehaviors: 'all,-bye',
  });
  t.not(res.code, 0, 'the scenario fails');
  const log = await messages(res.dir);
  const answers = received(log).filter((m) => m.startsWith('SIP/2.0 '));
  t.same(answers.map((m) => `${/^SIP\/2\.0 (\d+)/.exec(m)?.[1]} ${/CSeq: (\d+)/.exec(m)?.[1]}`), ['407 1', '407 2'], 'the credentials got a new challenge');
  t.notOk(received(log).some((m) => m.startsWith('NOTIFY ')), 'no NOTIFY');
});

t.test('an event package the box does not serve gets 489 with Allow-Events: dialog', async (t) => {
  const { box } = await runningBox(t);
  const res = await runSipp(t, {
    scenario: { file: 'uac-subscribe-bad-event.xml' }, remote: `127.0.0.1:${box.sipPort}`, service: '1002', calls: 1, timeoutS: 20,
  });
  t.equal(res.code, 0, res.errorLog);
});
