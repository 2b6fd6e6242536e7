/**
 * Our SIP stack as a B2BUA between real peers on loopback: SIPp built-in and custom scenarios
 * (test/peers/sipp/), and two baresip phones. The B2BUA is test/helpers/test-b2bua.ts.
 */
import t, { type Test } from 'tap';
import { runSipp, startSipp, waitUntil, type SippOptions } from '../helpers/sipp.js';
import { startBaresip } from '../helpers/baresip.js';
import { startTestB2bua, type TestB2bua } from '../helpers/test-b2bua.js';

type Scenario = SippOptions['scenario'];

/** B (a SIPp server) and the B2BUA routing every call to it. */
async function bridgeTo(t: Test, b: { scenario: Scenario; calls?: number } & Partial<SippOptions>, routes: Record<string, string> = {}) {
  const uas = await startSipp(t, { calls: 1, timeoutS: 30, ...b });
  const b2b = await startTestB2bua(t, { routes: { '*': `sip:service@127.0.0.1:${uas.port}`, ...routes } });
  return { uas, b2b };
}

async function noDialogsLeft(b2b: TestB2bua): Promise<void> {
  await waitUntil(() => b2b.stack.ua.dialogCount === 0, { timeoutMs: 5000, what: 'every dialog to end' });
}

t.test('1000 calls from SIPp uac through the B2BUA to SIPp uas at 100 calls/s all succeed', async (t) => {
  const calls = 1000;
  const { uas, b2b } = await bridgeTo(t, { scenario: { builtin: 'uas' }, calls, traceMessages: false, timeoutS: 50 });
  const uac = await runSipp(t, {
    scenario: { builtin: 'uac' }, remote: `127.0.0.1:${b2b.port}`, calls, rate: 100, limit: 200,
    traceMessages: false, timeoutS: 40,
  });
  t.equal(uac.code, 0, `uac exit code; errors: ${uac.errorLog.slice(0, 2000)}`);
  t.match(uac.stats, { outgoing: calls, successful: calls, failed: 0 });
  const server = await uas.done;
  t.equal(server.code, 0, `uas exit code; errors: ${server.errorLog.slice(0, 2000)}`);
  t.match(server.stats, { incoming: calls, successful: calls, failed: 0 });
  t.same(b2b.counters, { offered: calls, bridged: calls, failed: {}, transferred: 0 });
  await noDialogsLeft(b2b);
});

t.test('with 10% of packets lost on both sides, 100 calls still complete through retransmissions', async (t) => {
  // uas-answer.xml is the built-in uas without its 180: SIPp 3.6.1 only resends its first answer
  // to a retransmitted INVITE, so when -lost drops both its 180 and 200 it aborts the call on our
  // (correct, RFC 3261 Timer A) INVITE retransmission. See test/peers/sipp/README.md.
  const calls = 100;
  const { uas, b2b } = await bridgeTo(t, { scenario: { file: 'uas-answer.xml' }, calls, lostPercent: 10, timeoutS: 58 });
  const uac = await runSipp(t, {
    scenario: { builtin: 'uac' }, remote: `127.0.0.1:${b2b.port}`, calls, rate: 20, limit: 50,
    lostPercent: 10, timeoutS: 50,
  });
  t.equal(uac.code, 0, `uac exit code; errors: ${uac.errorLog.slice(0, 3000)}`);
  t.match(uac.stats, { outgoing: calls, successful: calls, failed: 0 });
  t.ok((uac.stats?.retransmissions ?? 0) > 0, `losses were made up by retransmissions (${uac.stats?.retransmissions})`);
  t.same(b2b.counters.failed, {}, 'no B leg failed');
  t.equal(b2b.counters.bridged, calls);
  // A uac whose ACK and BYE were both lost takes our retransmitted 200 for the answer to its BYE
  // and ends the call (SIPp does not check the CSeq method); we then BYE both legs after 64*T1
  // (RFC 3261 §13.3.1.4), so the uas may only finish about 32 s later.
  const server = await uas.done;
  t.equal(server.code, 0, `uas exit code; errors: ${server.errorLog.slice(0, 3000)}`);
  t.match(server.stats, { incoming: calls, successful: calls, failed: 0 });
});

t.test('a caller who cancels while it rings gets 200 and 487, and the callee is cancelled too', async (t) => {
  const { uas, b2b } = await bridgeTo(t, { scenario: { file: 'uas-ring-cancel.xml' } });
  const uac = await runSipp(t, { scenario: { file: 'uac-cancel.xml' }, remote: `127.0.0.1:${b2b.port}`, timeoutS: 15 });
  t.equal(uac.code, 0, `caller: ${uac.errorLog}`);
  const server = await uas.done;
  t.equal(server.code, 0, `callee: ${server.errorLog}`);
  t.match(b2b.counters, { offered: 1, bridged: 0 });
  await noDialogsLeft(b2b);
});

t.test('a 200 that crosses the CANCEL is ACKed and ended with BYE while the caller gets 487', async (t) => {
  const { uas, b2b } = await bridgeTo(t, { scenario: { file: 'uas-200-after-cancel.xml' } });
  const uac = await runSipp(t, { scenario: { file: 'uac-cancel.xml' }, remote: `127.0.0.1:${b2b.port}`, timeoutS: 15 });
  t.equal(uac.code, 0, `caller: ${uac.errorLog}`);
  const server = await uas.done;
  t.equal(server.code, 0, `callee got ACK and BYE: ${server.errorLog}`);
  t.same(b2b.counters.failed, { SIP_CANCELLED: 1 });
  await noDialogsLeft(b2b);
});

t.test('when the callee hangs up, the caller gets the BYE', async (t) => {
  const { uas, b2b } = await bridgeTo(t, { scenario: { file: 'uas-bye.xml' }, pauseMs: 300 });
  const uac = await runSipp(t, { scenario: { file: 'uac-wait-bye.xml' }, remote: `127.0.0.1:${b2b.port}`, timeoutS: 15 });
  t.equal(uac.code, 0, `caller: ${uac.errorLog}`);
  const server = await uas.done;
  t.equal(server.code, 0, `callee: ${server.errorLog}`);
  await noDialogsLeft(b2b);
});

t.test('a hold re-INVITE (a=sendonly) reaches the other leg as a=sendonly and its recvonly answer comes back', async (t) => {
  const { uas, b2b } = await bridgeTo(t, { scenario: { file: 'uas-hold.xml' } });
  const uac = await runSipp(t, { scenario: { file: 'uac-hold.xml' }, remote: `127.0.0.1:${b2b.port}`, timeoutS: 15 });
  t.equal(uac.code, 0, `caller: ${uac.errorLog}`);
  const server = await uas.done;
  t.equal(server.code, 0, `callee: ${server.errorLog}`);
  await noDialogsLeft(b2b);
});

t.test('OPTIONS to the box is answered 200 with Allow', async (t) => {
  const b2b = await startTestB2bua(t, { routes: {} });
  const uac = await runSipp(t, { scenario: { file: 'uac-options.xml' }, remote: `127.0.0.1:${b2b.port}`, timeoutS: 10 });
  t.equal(uac.code, 0, `OPTIONS: ${uac.errorLog}`);
});

t.test('an INFO DTMF digit (application/dtmf-relay) is passed to the other leg', async (t) => {
  const { uas, b2b } = await bridgeTo(t, { scenario: { file: 'uas-info.xml' } });
  const uac = await runSipp(t, { scenario: { file: 'uac-info.xml' }, remote: `127.0.0.1:${b2b.port}`, timeoutS: 15 });
  t.equal(uac.code, 0, `caller: ${uac.errorLog}`);
  const server = await uas.done;
  t.equal(server.code, 0, `callee: ${server.errorLog}`);
  await noDialogsLeft(b2b);
});

t.test('a blind REFER gets 202, NOTIFY 100 and NOTIFY 200 (terminated), and the callee is moved to the target', async (t) => {
  const target = await startSipp(t, { scenario: { file: 'uas-bye.xml' }, calls: 1, pauseMs: 300, timeoutS: 20 });
  const { uas, b2b } = await bridgeTo(t, { scenario: { builtin: 'uas' }, timeoutS: 20 }, { c: `sip:c@127.0.0.1:${target.port}` });
  const uac = await runSipp(t, {
    scenario: { file: 'uac-refer.xml' }, remote: `127.0.0.1:${b2b.port}`, keys: { refer_to: b2b.uri('c') }, timeoutS: 15,
  });
  t.equal(uac.code, 0, `transferor: ${uac.errorLog}`);
  const c = await target.done;
  t.equal(c.code, 0, `transfer target answered then hung up: ${c.errorLog}`);
  const b = await uas.done;
  t.equal(b.code, 0, `transferee got the BYE after the target hung up: ${b.errorLog}`);
  t.equal(b2b.counters.transferred, 1);
  await noDialogsLeft(b2b);
});

t.test('two baresip phones call each other through the B2BUA and both hang up cleanly', async (t) => {
  const b = await startBaresip(t, { user: 'b', answerMode: 'auto' });
  const a = await startBaresip(t, { user: 'a' });
  const b2b = await startTestB2bua(t, { routes: { b: b.uri } });
  await a.dial(b2b.uri('b'));
  await Promise.all([a.waitCall('CALL_ESTABLISHED', 10_000), b.waitCall('CALL_ESTABLISHED', 10_000)]);
  t.equal(b2b.counters.bridged, 1);
  await a.hangup();
  const [closedA, closedB] = await Promise.all([a.waitCall('CALL_CLOSED', 10_000), b.waitCall('CALL_CLOSED', 10_000)]);
  t.ok(closedA && closedB, 'CALL_CLOSED on both phones');
  await noDialogsLeft(b2b);
});
