/**
 * SIP parser bench: 1,000,000 fuzz cases (the same generator as drivers/sip/message/fuzz.test.ts)
 * with the slowest case, then parse and serialize throughput for a typical INVITE.
 *
 *   npx tsx bench/sip-parser-fuzz.ts [--cases N] [--seed S]
 *
 * Exits non-zero when a case throws anything but SipParseError or takes over a second each time
 * it runs (a case seen slow once is run again: pauses and a busy machine do not count).
 */
import { performance } from 'node:perf_hooks';
import { parseMessage, serialize } from '../drivers/sip/message/index.js';
import { caseSeed, fuzzInput, TYPICAL_INVITE, TYPICAL_MESSAGES, tortureMessages } from '../drivers/sip/message/testing/fuzz-cases.js';
import { confirmedMs, runCase } from '../drivers/sip/message/testing/fuzz-run.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
}

const CASES = arg('--cases', 1_000_000);
const BASE_SEED = arg('--seed', 0xbe9c4f00) >>> 0;
const HANG_MS = 1000;
const ROOT = new URL('../../shared/sip-torture/', import.meta.url);
const SEEDS = [...TYPICAL_MESSAGES, ...tortureMessages(ROOT)];

function fuzz(): boolean {
  let maxMs = 0;
  let maxSeed = 0;
  let parsed = 0;
  let failures = 0;
  let hangs = 0;
  const started = performance.now();
  for (let n = 0; n < CASES; n++) {
    const seed = caseSeed(BASE_SEED, n);
    const input = fuzzInput(seed, SEEDS);
    const t0 = performance.now();
    try {
      if (runCase(input) === 'parsed') parsed++;
    } catch (err) {
      failures++;
      console.error(`FAIL seed ${seed}:`, err);
      if (failures >= 10) break;
    }
    const ms = performance.now() - t0;
    if (ms > HANG_MS) {
      // Seen slow once: a pause or a busy machine, or a real hang? A hang is slow every time.
      const again = confirmedMs(input);
      console.log(`  slow case seed ${seed}: ${ms.toFixed(0)} ms, ${again.toFixed(1)} ms when run again`);
      if (again > HANG_MS) hangs++;
    }
    if (ms > maxMs) {
      maxMs = ms;
      maxSeed = seed;
    }
    if ((n + 1) % 100_000 === 0) {
      const s = (performance.now() - started) / 1000;
      console.log(`  ${(n + 1).toLocaleString('en')} cases, ${s.toFixed(1)} s`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`fuzz: ${CASES.toLocaleString('en')} cases in ${seconds.toFixed(1)} s = ${Math.round(CASES / seconds).toLocaleString('en')} cases/s`);
  console.log(`fuzz: ${parsed.toLocaleString('en')} parsed, ${failures} failures, ${hangs} confirmed hangs, slowest case ${maxMs.toFixed(2)} ms (seed ${maxSeed}, ${confirmedMs(fuzzInput(maxSeed, SEEDS)).toFixed(2)} ms when run again)`);
  return failures === 0 && hangs === 0;
}

function throughput(name: string, fn: () => unknown, ms = 2000): void {
  for (let i = 0; i < 20_000; i++) fn(); // warm up the JIT
  let n = 0;
  const started = performance.now();
  let now = started;
  while (now - started < ms) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    now = performance.now();
  }
  const perSec = n / ((now - started) / 1000);
  console.log(`${name}: ${Math.round(perSec).toLocaleString('en')} msgs/s (${(1e6 / perSec).toFixed(2)} µs each)`);
}

const ok = fuzz();
const invite = parseMessage(TYPICAL_INVITE, { transport: 'udp' });
console.log(`typical INVITE: ${TYPICAL_INVITE.length} bytes, ${invite.headers.size} headers, SDP body`);
throughput('parse (UDP, validated)', () => parseMessage(TYPICAL_INVITE, { transport: 'udp' }));
throughput('parse (UDP, not validated)', () => parseMessage(TYPICAL_INVITE, { transport: 'udp', validate: false }));
throughput('serialize', () => serialize(invite));
process.exitCode = ok ? 0 : 1;
