import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { getFrom, getTo, getVias, parseMessage, serialize } from './index.js';
import { caseSeed, fuzzInput, TYPICAL_MESSAGES, tortureMessages } from './testing/fuzz-cases.js';
import { confirmedMs, runCase } from './testing/fuzz-run.js';

const ROOT = new URL('../../../../shared/sip-torture/', import.meta.url);
const SEEDS = [...TYPICAL_MESSAGES, ...tortureMessages(ROOT)];
const CASES = 100_000;
const BASE_SEED = 0x5eed0c70;
/**
 * Hang detection: a case this slow is a bug (the typical case takes microseconds). A case seen
 * over the line is run again and counts only if it is slow again, so a GC pause or a busy
 * machine cannot fail the test.
 */
const HANG_MS = 1000;

interface SeedFile {
  seeds: Array<{ seed: number; note?: string }>;
}

const recorded = (JSON.parse(readFileSync(new URL('./fuzz-seeds.json', import.meta.url), 'utf8')) as SeedFile).seeds;

/** Run the cases, collecting failures (with the seed that replays them) and the slowest case. */
function run(seeds: number[]): { failures: string[]; hangs: string[]; maxMs: number; maxSeed: number; parsed: number } {
  const failures: string[] = [];
  const hangs: string[] = [];
  let maxMs = 0;
  let maxSeed = 0;
  let parsed = 0;
  for (const seed of seeds) {
    const input = fuzzInput(seed, SEEDS);
    const t0 = performance.now();
    try {
      if (runCase(input) === 'parsed') parsed++;
    } catch (err) {
      failures.push(`seed ${seed}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      if (failures.length >= 10) break;
    }
    const ms = performance.now() - t0;
    if (ms > HANG_MS) {
      const again = confirmedMs(input);
      if (again > HANG_MS) hangs.push(`seed ${seed}: ${again.toFixed(0)} ms`);
    }
    if (ms > maxMs) {
      maxMs = ms;
      maxSeed = seed;
    }
  }
  return { failures, hangs, maxMs, maxSeed, parsed };
}

t.test('recorded failing seeds are replayed first and now pass', async (t) => {
  const r = run(recorded.map((s) => s.seed));
  t.same(r.failures, []);
  t.same(r.hangs, []);
});

t.test(`${CASES.toLocaleString('en')} mutated messages only ever parse or throw SipParseError, and none hangs`, async (t) => {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const seeds = Array.from({ length: CASES }, (_, n) => caseSeed(BASE_SEED, n));
  const r = run(seeds);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  t.same(r.failures, [], 'add a failing seed to fuzz-seeds.json once fixed');
  const again = confirmedMs(fuzzInput(r.maxSeed, SEEDS));
  t.comment(`${CASES} cases in ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s of CPU), ${r.parsed} parsed, slowest ${r.maxMs.toFixed(2)} ms (seed ${r.maxSeed}: ${again.toFixed(2)} ms when run again)`);
  t.same(r.hangs, [], `no case takes over ${HANG_MS} ms each time it runs`);
});

t.test('the typical messages survive parse, serialize and parse unchanged', async (t) => {
  for (const raw of TYPICAL_MESSAGES) {
    const m = parseMessage(raw, { transport: 'udp' });
    const again = parseMessage(serialize(m), { transport: 'udp' });
    t.same(again.headers.all(), m.headers.all());
    t.ok(again.body.equals(m.body));
    t.same(getVias(again), getVias(m));
    t.same(getFrom(again), getFrom(m));
    t.same(getTo(again), getTo(m));
    t.ok(serialize(again).equals(serialize(m)), 'serializing is stable');
  }
});
