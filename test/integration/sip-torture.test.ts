import t from 'tap';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { TORTURE_EXPECTATIONS } from '../../drivers/sip/message/testing/torture-expectations.js';
import { ROOT, TSX_LOADER } from '../helpers/octoline.js';

/**
 * The RFC 4475 torture messages against the real daemon, over UDP and TCP, inside a network
 * namespace with nothing but loopback (their foreign addresses can never be reached).
 */
const TORTURE = join(ROOT, '..', 'shared', 'sip-torture');

interface Run { results: Record<string, { udp: number[]; tcp: number[] }>; health: number }

t.test('every RFC 4475 message gets its answer from the running daemon, which stays healthy', async (t) => {
  const dir = t.testdir({});
  const out = await new Promise<string>((resolve, reject) => {
    execFile('unshare', ['-n', '--', process.execPath, '--import', TSX_LOADER, join(ROOT, 'test', 'peers', 'torture-run.ts'), dir, TORTURE],
      { timeout: 120_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  const run = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Run;
  t.equal(run.health, 200, 'the daemon still answers /healthz after all of them');
  t.same(Object.keys(run.results).sort(), Object.keys(TORTURE_EXPECTATIONS).sort(), 'every file was sent');
  for (const [file, exp] of Object.entries(TORTURE_EXPECTATIONS)) {
    const got = run.results[file];
    if (!got) continue;
    // UDP: one datagram, one message. (On a stream, a broken Content-Length changes framing, so TCP
    // is only required to give no crash and, where UDP answers, some answer or a closed connection.)
    // A final answer to an unacknowledged INVITE is retransmitted (timer G): count each status once.
    const finals = [...new Set(got.udp.filter((s) => s >= 200))];
    switch (exp.kind) {
      case 'parse-error':
        if (exp.respondable) t.same(finals, [exp.status ?? 400], `${file}: answered ${exp.status ?? 400} (${exp.code})`);
        else t.same(got.udp, [], `${file}: dropped (${exp.code})`);
        break;
      case 'drop-response':
        t.same(got.udp, [], `${file}: a response, dropped`);
        break;
      case 'app':
        if (exp.status !== undefined) t.same(finals, [exp.status], `${file}: answered ${exp.status} (got ${finals.join(',')})`);
        else t.equal(finals.length, 1, `${file}: processed and answered once (${finals.join(',')})`);
        break;
      case 'valid':
        if (exp.app !== undefined) t.same(finals, [exp.app], `${file}: answered ${exp.app}`);
        else t.ok(finals.length <= 1, `${file}: accepted (${finals.join(',') || 'no final yet'})`);
        break;
    }
    // A well-formed message means the same over a stream as in a datagram.
    // (dblreq is the exception by design: its second request, ignored in a datagram, is a second message on a stream.)
    if ((exp.kind === 'valid' || exp.kind === 'app') && file !== 'valid/dblreq.dat') {
      t.same([...new Set(got.tcp.filter((s) => s >= 200))], finals, `${file}: the same answer over TCP`);
    }
  }
});
