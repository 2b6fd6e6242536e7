import t from 'tap';
import { FakeClock } from '../../clock.js';
import { createResponse, type SipResponse } from '../message/index.js';
import { testLogger } from '../../../test/helpers/log.js';
import { OptionsPinger } from './pinger.js';
import { parse } from './testing/memory-layer.js';
import type { OutOfDialogInit } from './out-of-dialog.js';

const OPTIONS = parse('OPTIONS sip:gw@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKp\nFrom: <sip:o@127.0.0.1>;tag=1\nTo: <sip:gw@127.0.0.1>\nCall-ID: p\nCSeq: 1 OPTIONS');
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(answer: () => number | 'silent') {
  const clock = new FakeClock();
  const pings: OutOfDialogInit[] = [];
  const request = (_uri: string, init: OutOfDialogInit): Promise<SipResponse> => {
    pings.push(init);
    const status = answer();
    if (status === 'silent') {
      return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    return Promise.resolve(createResponse(OPTIONS as never, status));
  };
  const pinger = new OptionsPinger({ clock, log: testLogger(), request }, { missesBeforeDown: 3 });
  const events: string[] = [];
  pinger.on('up', (s) => events.push(`up ${s.lastStatus}`));
  pinger.on('down', (s) => events.push(`down ${s.misses}`));
  return { clock, pinger, pings, events };
}

t.test('a peer that answers (even 404) is up; after 3 missed pings it is down; then up again', async (t) => {
  let mode: number | 'silent' = 404;
  const env = setup(() => mode);
  env.pinger.watch('sip:gw@127.0.0.1', 10_000);
  await tick();
  t.same(env.events, ['up 404'], 'any final answer counts as alive');
  mode = 'silent';
  // each silent ping is a miss when its time-out (the interval) runs out
  for (let i = 0; i < 10 && env.events.length < 2; i++) {
    env.clock.advance(5_000);
    await tick();
  }
  t.same(env.events, ['up 404', 'down 3']);
  t.ok(env.clock.monotonic() <= 40_000, `down within 4 intervals (${env.clock.monotonic()} ms)`);
  t.equal(env.pinger.status('sip:gw@127.0.0.1')?.state, 'down');
  mode = 200;
  env.clock.advance(10_000);
  await tick();
  await tick();
  t.same(env.events, ['up 404', 'down 3', 'up 200']);
  t.ok(env.pings.every((p) => p.method === 'OPTIONS'));
});

t.test('408 and 503 (the layer\'s time-out and transport error) are misses', async (t) => {
  const env = setup(() => 408);
  env.pinger.watch('sip:gw@127.0.0.1', 1000);
  for (let i = 0; i < 3; i++) {
    await tick();
    env.clock.advance(1000);
  }
  await tick();
  t.same(env.events, ['down 3']);
  env.pinger.close();
  const n = env.pings.length;
  env.clock.advance(10_000);
  await tick();
  t.equal(env.pings.length, n, 'no ping after close()');
});
