import t from 'tap';
import { CadenceDetector, type CadenceOptions } from './cadence.js';

const CHINA: CadenceOptions = { toneHz: 450, onMs: 350, offMs: 350, cycles: 3 };
const FRAME = 160; // 20 ms at 8 kHz

/** A signal as a list of parts, cut into 20 ms frames with a continuous phase. */
type Part = { ms: number; hz?: number; amp?: number; noise?: number };

function frames(parts: Part[]): Int16Array[] {
  let rnd = 12345;
  const noise = () => ((rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  const samples: number[] = [];
  for (const p of parts) {
    for (let i = 0; i < (p.ms * 8000) / 1000; i++) {
      const n = samples.length;
      const tone = p.hz === undefined ? 0 : (p.amp ?? 8000) * Math.sin((2 * Math.PI * p.hz * n) / 8000);
      samples.push(Math.round(tone + (p.noise ?? 0) * noise()));
    }
  }
  const out: Int16Array[] = [];
  for (let i = 0; i + FRAME <= samples.length; i += FRAME) out.push(Int16Array.from(samples.slice(i, i + FRAME)));
  return out;
}

const cadence = (hz: number, onMs: number, offMs: number, count: number, extra: Partial<Part> = {}): Part[] =>
  Array.from({ length: count }, () => [{ ms: onMs, hz, ...extra }, { ms: offMs, ...(extra.noise ? { noise: extra.noise } : {}) }]).flat();

/** The times (ms from the start) of the frames on which the detector reported a match. */
function matches(opts: CadenceOptions, parts: Part[]): number[] {
  const d = new CadenceDetector(opts);
  return frames(parts).flatMap((f, i) => (d.feed(f) ? [(i + 1) * 20] : []));
}

t.test('China\'s disconnect tone (450 Hz, 350 ms on / 350 ms off) matches after three cycles, once', async (t) => {
  const at = matches(CHINA, [{ ms: 500 }, ...cadence(450, 350, 350, 4)]);
  t.equal(at.length, 1, `one match (${at.join(', ')} ms)`);
  // 0.5 s silence + 3 × 700 ms, seen when the fourth burst has lasted the 40 ms debounce.
  t.ok((at[0] ?? 0) >= 2600 && (at[0] ?? 0) <= 2700, `reported at ${at[0]} ms, right after the third pause`);
});

t.test('the match comes after speech, with line noise, and with a tone a little off frequency', async (t) => {
  const speechLike: Part[] = [{ ms: 1000, hz: 1000, amp: 6000 }, { ms: 300, hz: 300, amp: 9000 }, { ms: 1700, hz: 700, amp: 5000, noise: 2000 }];
  t.equal(matches(CHINA, [...speechLike, ...cadence(450, 350, 350, 4)]).length, 1, 'after 3 s of voice');
  t.equal(matches(CHINA, cadence(450, 350, 350, 4, { noise: 1500 })).length, 1, 'tone at 8000 peak with noise at 1500');
  t.equal(matches(CHINA, cadence(435, 350, 350, 4)).length, 1, 'a 435 Hz exchange tone');
  t.equal(matches(CHINA, cadence(450, 400, 300, 4)).length, 1, '400/300 ms is within the 25 % tolerance');
});

t.test('a lost packet inside a burst does not break it', async (t) => {
  const parts = cadence(450, 350, 350, 4);
  parts.splice(2, 1, { ms: 160, hz: 450 }, { ms: 20 }, { ms: 170, hz: 450 });
  t.equal(matches(CHINA, parts).length, 1);
});

t.test('nothing else matches: voice, the wrong cadence, a steady tone, a quiet tone, another frequency', async (t) => {
  t.same(matches(CHINA, [{ ms: 15_000, hz: 1000, amp: 8000 }]), [], '15 s of a 1 kHz voice');
  t.same(matches(CHINA, cadence(1000, 350, 350, 10)), [], 'the right cadence at 1 kHz');
  t.same(matches(CHINA, cadence(450, 1000, 4000, 4)), [], 'China\'s ringback (450 Hz, 1 s on / 4 s off)');
  t.same(matches(CHINA, cadence(450, 700, 700, 6)), [], 'twice as slow');
  t.same(matches(CHINA, [{ ms: 10_000, hz: 450 }]), [], 'a steady 450 Hz tone (dial tone)');
  t.same(matches(CHINA, cadence(450, 350, 350, 6, { amp: 80 })), [], 'below the level floor');
  t.same(matches(CHINA, cadence(450, 350, 350, 3)), [], 'three bursts: the third pause is never closed by a fourth burst');
});

t.test('other countries: the cadence and frequency are options', async (t) => {
  const europe: CadenceOptions = { toneHz: 425, onMs: 500, offMs: 500, cycles: 2 };
  t.equal(matches(europe, cadence(425, 500, 500, 3)).length, 1, '425 Hz 500/500, two cycles');
  t.same(matches(europe, cadence(450, 350, 350, 6)), [], 'China\'s tone does not match Europe\'s cadence');
  const steady: CadenceOptions = { toneHz: 450, onMs: 1000, offMs: 0, cycles: 3 };
  t.same(matches(steady, [{ ms: 2500, hz: 450 }, { ms: 500 }]), [], 'a steady tone shorter than on × cycles');
  const at = matches(steady, [{ ms: 200 }, { ms: 5000, hz: 450 }]);
  t.same(at.length, 1, 'off_ms 0: a steady tone matches once…');
  t.ok((at[0] ?? 0) >= 3200 && (at[0] ?? 0) <= 3300, `…after 3 s of it (${at[0]} ms)`);
});

t.test('reset() forgets the cycles seen so far', async (t) => {
  const d = new CadenceDetector(CHINA);
  const fs = frames(cadence(450, 350, 350, 4));
  const half = fs.length / 2;
  fs.slice(0, half).forEach((f) => d.feed(f));
  d.reset();
  t.notOk(fs.slice(half).some((f) => d.feed(f)), 'two cycles after the reset are not enough');
});
