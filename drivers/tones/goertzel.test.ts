import t from 'tap';
import { energy, goertzelPower } from './goertzel.js';

const sine = (hz: number, n: number, amp = 10000, from = 0) =>
  Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * (from + i)) / 8000)));

t.test('a clean tone puts nearly all of a 20 ms frame\'s energy at its own frequency', async (t) => {
  const frame = sine(450, 160);
  const share = goertzelPower(frame, 450, 8000) / energy(frame);
  t.ok(share > 0.95 && share < 1.05, `450 Hz in a 450 Hz frame: ${share.toFixed(3)}`);
  const offBin = sine(440, 160, 10000, 33);
  t.ok(goertzelPower(offBin, 450, 8000) / energy(offBin) > 0.8, 'a tone 10 Hz off still counts (exchanges are not exact)');
});

t.test('another frequency, silence and an empty frame have (almost) no power at the tone', async (t) => {
  const voice = sine(1000, 160);
  t.ok(goertzelPower(voice, 450, 8000) / energy(voice) < 0.01, '1 kHz has no 450 Hz');
  const low = sine(300, 160);
  t.ok(goertzelPower(low, 450, 8000) / energy(low) < 0.1, '300 Hz is three bins away');
  t.equal(goertzelPower(new Int16Array(160), 450, 8000), 0, 'silence');
  t.equal(goertzelPower(new Int16Array(0), 450, 8000), 0, 'empty');
  t.equal(energy(Int16Array.from([3, -4])), 25, 'energy is the sum of squares');
});

t.test('half a frame of tone is half of its energy share', async (t) => {
  const frame = sine(450, 160);
  frame.fill(0, 80);
  const share = goertzelPower(frame, 450, 8000) / (energy(frame) * 2);
  t.ok(share > 0.2 && share < 0.3, `tone in half the frame: ${share.toFixed(3)} of the full-frame share / 2`);
});
