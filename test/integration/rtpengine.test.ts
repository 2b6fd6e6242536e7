import t from 'tap';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { systemClock } from '../../drivers/clock.js';
import { RtpengineSupervisor } from '../../drivers/rtpengine/supervisor.js';
import { startRtpengine } from '../helpers/rtpengine.js';
import { freePort } from '../helpers/ports.js';
import { testLogger } from '../helpers/log.js';

const alive = (pid: number | undefined) => pid !== undefined && existsSync(`/proc/${pid}`) &&
  !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

const sdp = (port: number) => [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', '',
].join('\r\n');

t.test('a spawned rtpengine answers ping and anchors an offer/answer on its own ports', async (t) => {
  const rt = await startRtpengine(t);
  t.equal(rt.supervisor.state, 'running');
  t.equal((await rt.supervisor.client.ping()).result, 'pong');
  const offer = await rt.supervisor.client.offer({ 'call-id': 'c1', 'from-tag': 'a', sdp: sdp(40000) });
  const port = Number(/m=audio (\d+)/.exec(offer.sdp)?.[1]);
  t.ok(port >= rt.portMin && port <= rt.portMax, `rewritten to rtpengine's range (${port})`);
  await rt.supervisor.client.answer({ 'call-id': 'c1', 'from-tag': 'a', 'to-tag': 'b', sdp: sdp(40002) });
  await rt.supervisor.client.delete({ 'call-id': 'c1', 'from-tag': 'a' });
  t.rejects(rt.supervisor.client.command('query', { 'call-id': 'nope' }), { code: 'RTPENGINE_ERROR' }, 'an error reply is a typed error');
  t.ok(readFileSync(join(rt.runtimeDir, 'rtpengine.conf'), 'utf8').includes('table = -1'), 'userspace config written');
});

t.test('rtpengine killed → restarted with an event, and ping answers again', async (t) => {
  const rt = await startRtpengine(t, { backoffMs: 100 });
  const first = rt.supervisor.pid;
  const exited = once(rt.supervisor, 'exited');
  const restarted = once(rt.supervisor, 'restarted');
  process.kill(first as number, 'SIGKILL');
  const [info] = await exited as [{ signal: string }];
  t.equal(info.signal, 'SIGKILL', 'the crash is reported');
  t.equal(rt.supervisor.state, 'restarting');
  const [again] = await restarted as [{ attempt: number; pid: number }];
  t.equal(again.attempt, 1);
  t.not(again.pid, first, 'a new process');
  t.equal(rt.supervisor.state, 'running');
  t.equal((await rt.supervisor.client.ping()).result, 'pong');
});

t.test('stop leaves no rtpengine process behind', async (t) => {
  const rt = await startRtpengine(t);
  const pid = rt.supervisor.pid;
  t.ok(alive(pid));
  await rt.supervisor.stop();
  t.notOk(alive(pid), 'process gone');
  t.equal(rt.supervisor.state, 'stopped');
});

t.test('a missing binary is a clear typed error', async (t) => {
  const dir = t.testdir({});
  const sup = new RtpengineSupervisor({ clock: systemClock, log: testLogger() }, {
    commandTimeoutMs: 500,
    mode: { kind: 'spawn', binary: join(dir, 'no-rtpengine'), runtimeDir: dir,
      settings: { interface: '127.0.0.1', ngPort: await freePort(), portMin: 41000, portMax: 41010, table: -1, dtmfLogPort: await freePort(), timeout: 60, spoolDir: dir } },
  });
  t.teardown(() => sup.stop());
  await t.rejects(sup.start(), { code: 'RTPENGINE_BINARY_MISSING', message: /apt-get install rtpengine-daemon/ });
});

t.test('an ng port already in use fails the start and says what rtpengine said', async (t) => {
  const busy = createSocket('udp4');
  const port = await freePort();
  await new Promise<void>((r) => busy.bind(port, '127.0.0.1', r));
  t.teardown(() => busy.close());
  const dir = t.testdir({});
  const sup = new RtpengineSupervisor({ clock: systemClock, log: testLogger() }, {
    commandTimeoutMs: 500, readyTimeoutMs: 3000,
    mode: { kind: 'spawn', binary: '/usr/bin/rtpengine', runtimeDir: dir,
      settings: { interface: '127.0.0.1', ngPort: port, portMin: 41100, portMax: 41110, table: -1, dtmfLogPort: await freePort(), timeout: 60, spoolDir: dir } },
  });
  t.teardown(() => sup.stop());
  await t.rejects(sup.start(), { code: 'RTPENGINE_START_FAILED', message: new RegExp(`${port}`) });
});

t.test('external mode only pings, and a dead address is a start error', async (t) => {
  const rt = await startRtpengine(t);
  const ext = new RtpengineSupervisor({ clock: systemClock, log: testLogger() }, {
    commandTimeoutMs: 500, mode: { kind: 'external', host: '127.0.0.1', port: rt.ngPort },
  });
  t.teardown(() => ext.stop());
  await ext.start();
  t.equal(ext.state, 'running');
  t.equal(ext.pid, undefined, 'spawned nothing');
  const dead = new RtpengineSupervisor({ clock: systemClock, log: testLogger() }, {
    commandTimeoutMs: 200, readyTimeoutMs: 600, mode: { kind: 'external', host: '127.0.0.1', port: await freePort() },
  });
  t.teardown(() => dead.stop());
  await t.rejects(dead.start(), { code: 'RTPENGINE_START_FAILED' });
});

t.test('an rtpengine that stops answering (hung) is killed and replaced', async (t) => {
  const rt = await startRtpengine(t, { backoffMs: 50, healthIntervalMs: 200, commandTimeoutMs: 300 });
  const hung = rt.supervisor.pid as number;
  const restarted = once(rt.supervisor, 'restarted');
  process.kill(hung, 'SIGSTOP'); // alive but silent, as a wedged process is
  t.teardown(() => { try { process.kill(hung, 'SIGKILL'); } catch { /* gone */ } });
  await restarted;
  t.not(rt.supervisor.pid, hung, 'a new process');
  t.equal((await rt.supervisor.client.ping()).result, 'pong');
});
