/**
 * The Goertzel algorithm: the power of one frequency in a block of samples, for the cost of one
 * multiply-add per sample (cheaper than an FFT when a detector needs one or two frequencies).
 */

/**
 * Power of `freqHz` in `samples`, scaled so a pure sine that fills the block gives the same value
 * as its `energy()` (the sum of squares). `power / energy` is then the share of the block's energy
 * at that frequency: about 1 for a clean tone, near 0 for speech or other tones.
 */
export function goertzelPower(samples: Int16Array, freqHz: number, sampleRate: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * freqHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = (samples[i] as number) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const magnitudeSquared = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * magnitudeSquared) / n;
}

/** Sum of squares of the samples (the block's energy). */
export function energy(samples: Int16Array): number {
  let e = 0;
  for (let i = 0; i < samples.length; i++) e += (samples[i] as number) ** 2;
  return e;
}
