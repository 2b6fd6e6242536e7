/**
 * Deterministic synthesis of the non-speech sounds (music on hold, beep) straight to 8 kHz samples.
 *
 * Why not `sox synth`: a tune is dozens of notes, i.e. dozens of processes and a fragile mix, and sox
 * output depends on the sox build. Here the samples depend on this code only: just + - * / and floor
 * (IEEE-exact everywhere), no Math.sin/exp/pow (whose last bits may differ between engines), no
 * randomness. So the same code gives byte-identical files on every box.
 */

export const SAMPLE_RATE = 8000;
/** Harmonics above this are dropped: the phone band ends near 3.4 kHz and Nyquist is 4 kHz. */
const MAX_PARTIAL_HZ = 3400;

/** sin(2π·turns) by a Taylor series on [-π/2, π/2] (error < 1e-7, far below 16-bit resolution). */
export function sinTurns(turns: number): number {
  let x = turns - Math.floor(turns);
  if (x >= 0.5) x -= 1;
  if (x > 0.25) x = 0.5 - x;
  else if (x < -0.25) x = -0.5 - x;
  const y = x * 6.283185307179586;
  const y2 = y * y;
  return y * (1 - (y2 / 6) * (1 - (y2 / 20) * (1 - (y2 / 42) * (1 - (y2 / 72) * (1 - y2 / 110)))));
}

/** exp(-x) for small x ≥ 0 (x < 0.01 here: per-sample decay factors), by its Taylor series. */
function expNegSmall(x: number): number {
  return 1 - x * (1 - (x / 2) * (1 - (x / 3) * (1 - x / 4)));
}

/** 2^(k/12), k = 0..11, as literals: equal temperament without Math.pow. */
const SEMITONES = [
  1, 1.0594630943592953, 1.122462048309373, 1.189207115002721, 1.2599210498948732, 1.3348398541700344,
  1.4142135623730951, 1.4983070768766815, 1.5874010519681994, 1.681792830507429, 1.7817974362806785,
  1.8877486253633868,
] as const;

export function midiToHz(midi: number): number {
  const rel = midi - 69;
  const octave = Math.floor(rel / 12);
  let hz = 440 * (SEMITONES[rel - octave * 12] ?? 1);
  for (let o = 0; o < octave; o++) hz *= 2;
  for (let o = 0; o > octave; o--) hz /= 2;
  return hz;
}

const NOTE_CLASS: Readonly<Record<string, number>> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** "C4" → 60, "F#3" → 54, "Bb4" → 70. */
export function noteToMidi(name: string): number {
  const m = /^([A-G])([#b]?)(-?\d)$/.exec(name);
  const cls = m ? NOTE_CLASS[m[1] ?? ''] : undefined;
  if (!m || cls === undefined) throw new Error(`bad note name ${name}`);
  const accidental = m[2] === '#' ? 1 : m[2] === 'b' ? -1 : 0;
  return 12 * (Number(m[3]) + 1) + cls + accidental;
}

/** A timbre: harmonic amplitudes plus an envelope (linear attack, exponential decay and release). */
export interface Timbre {
  readonly partials: readonly number[];
  readonly attackS: number;
  /** Decay time constant of the fundamental; partial h decays h times faster (brighter onset, soft tail). */
  readonly decayS: number;
  readonly releaseS: number;
}

export interface NoteEvent {
  readonly startS: number;
  readonly durS: number;
  readonly hz: number;
  readonly gain: number;
  readonly timbre: Timbre;
}

/**
 * Mix notes into a circular buffer of `totalSamples`: a tail that rings past the end wraps to the start,
 * so the file loops without a seam or a fade.
 */
export function renderNotes(notes: readonly NoteEvent[], totalSamples: number, sampleRate = SAMPLE_RATE): Float64Array {
  const out = new Float64Array(totalSamples);
  for (const n of notes) {
    const start = Math.round(n.startS * sampleRate);
    const offAt = Math.round(n.durS * sampleRate);
    const attack = Math.max(1, Math.round(n.timbre.attackS * sampleRate));
    const decay = expNegSmall(1 / (n.timbre.decayS * sampleRate));
    const release = expNegSmall(1 / (n.timbre.releaseS * sampleRate));
    const partials = n.timbre.partials.filter((_, i) => n.hz * (i + 1) <= MAX_PARTIAL_HZ);
    let env = 1; // decay envelope of the fundamental
    let rel = 1; // release envelope after note off
    // Stop when the note is inaudible, and never ring longer than the loop itself.
    for (let i = 0; i < totalSamples; i++) {
      const att = i < attack ? i / attack : 1;
      if (i >= offAt) rel *= release;
      env *= decay;
      const level = n.gain * att * rel;
      if (i > attack && level * env < 1e-5) break;
      const turns = (n.hz * i) / sampleRate;
      let v = 0;
      let envH = 1;
      for (let h = 0; h < partials.length; h++) {
        envH *= env;
        v += (partials[h] ?? 0) * envH * sinTurns(turns * (h + 1));
      }
      const k = (start + i) % totalSamples;
      out[k] = (out[k] ?? 0) + level * v;
    }
  }
  return out;
}

/** Scale so the loudest sample sits at `peak` (0..1 of full scale) and round to 16-bit. */
export function toInt16(mix: Float64Array, peak: number): Int16Array {
  let max = 0;
  for (const v of mix) max = Math.max(max, Math.abs(v));
  const scale = max > 0 ? (peak * 32767) / max : 0;
  const out = new Int16Array(mix.length);
  for (let i = 0; i < mix.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round((mix[i] ?? 0) * scale)));
  return out;
}

/** A sine tone with 10 ms ramps (no clicks), after `leadMs` of silence, at half of full scale. */
export function renderTone(hz: number, ms: number, leadMs: number, sampleRate = SAMPLE_RATE): Int16Array {
  const lead = Math.round((leadMs * sampleRate) / 1000);
  const len = Math.round((ms * sampleRate) / 1000);
  const ramp = Math.round(sampleRate / 100);
  const out = new Int16Array(lead + len);
  for (let i = 0; i < len; i++) {
    const edge = Math.min(1, i / ramp, (len - 1 - i) / ramp);
    out[lead + i] = Math.round(16384 * edge * sinTurns((hz * i) / sampleRate));
  }
  return out;
}
