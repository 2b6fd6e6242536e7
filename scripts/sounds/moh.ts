/**
 * Music on hold: an original 16-bar tune in C major at 80 bpm (48 s, loops seamlessly): a soft
 * e-piano melody over an arpeggio, a sustained pad and a bass line. Written as data so another tune
 * is another `Tune` value.
 */
import { midiToHz, noteToMidi, renderNotes, SAMPLE_RATE, toInt16, type NoteEvent, type Timbre } from './synth.js';

export interface Tune {
  readonly name: string;
  readonly title: string;
  readonly bpm: number;
  /** One chord per 4/4 bar: chord tones (pitch names without octave) and the bass note with octave. */
  readonly bars: readonly { readonly chord: readonly string[]; readonly bass: string }[];
  /** One string per bar: "NOTE:beats" tokens, "R:beats" for a rest; each bar must sum to 4 beats. */
  readonly melody: readonly string[];
}

const EPIANO: Timbre = { partials: [1, 0.35, 0.12, 0.05], attackS: 0.008, decayS: 1.1, releaseS: 0.15 };
const PLUCK: Timbre = { partials: [1, 0.25, 0.08], attackS: 0.004, decayS: 0.45, releaseS: 0.1 };
const BASS: Timbre = { partials: [1, 0.7, 0.5, 0.3, 0.15], attackS: 0.01, decayS: 1.4, releaseS: 0.2 };
const PAD: Timbre = { partials: [1, 0.12], attackS: 0.6, decayS: 12, releaseS: 0.5 };

const chord = (names: string, bass: string): { chord: string[]; bass: string } => ({ chord: names.split(' '), bass });

export const DEFAULT_TUNE: Tune = {
  name: 'default',
  title: 'Octoline hold tune no. 1 (original), C major, 80 bpm, 16 bars',
  bpm: 80,
  bars: [
    chord('C E G', 'C3'), chord('G B D', 'B2'), chord('A C E', 'A2'), chord('E G B', 'G2'),
    chord('F A C', 'F2'), chord('C E G', 'E2'), chord('D F A', 'D3'), chord('G B D', 'G2'),
    chord('F A C', 'F2'), chord('G B D', 'G2'), chord('E G B', 'E2'), chord('A C E', 'A2'),
    chord('D F A', 'D3'), chord('E G B', 'E3'), chord('F A C', 'F2'), chord('G B D', 'G2'),
  ],
  melody: [
    'G5:1.5 E5:0.5 C5:1 E5:1', 'D5:1.5 B4:0.5 D5:1 G5:1', 'C5:1.5 A4:0.5 C5:1 E5:1', 'B4:2 G4:1 B4:1',
    'A4:1.5 C5:0.5 F5:1 A5:1', 'G5:1.5 E5:0.5 C5:2', 'D5:1 F5:1 A5:1 F5:1', 'G5:2 D5:1 B4:1',
    'C6:1.5 A5:0.5 F5:2', 'D6:1.5 B5:0.5 G5:2', 'B5:1 G5:1 E5:1 G5:1', 'A5:1.5 E5:0.5 C5:2',
    'F5:1 A5:1 D6:1 A5:1', 'G5:1 E5:1 B4:2', 'A4:1 C5:1 F5:1 A5:1', 'G5:1.5 F5:0.5 D5:1 B4:1',
  ],
};

/** Chord tones placed in G3..F#4 (close voicing, inside the phone band with their harmonics). */
function voiceChord(tones: readonly string[]): number[] {
  return tones.map((t) => {
    let m = noteToMidi(`${t}3`);
    while (m < 55) m += 12;
    return m;
  }).sort((a, b) => a - b);
}

/** The note list of a tune, and its exact loop length in samples. */
export function tuneNotes(tune: Tune, sampleRate = SAMPLE_RATE): { notes: NoteEvent[]; totalSamples: number } {
  const beatS = 60 / tune.bpm;
  const barS = 4 * beatS;
  const notes: NoteEvent[] = [];
  const add = (startS: number, durS: number, midi: number, gain: number, timbre: Timbre): void => {
    notes.push({ startS, durS, hz: midiToHz(midi), gain, timbre });
  };
  tune.bars.forEach((bar, b) => {
    const t0 = b * barS;
    const voiced = voiceChord(bar.chord);
    const [lo = 60, mid = 64, hi = 67] = voiced;
    // Pad: the whole bar, overlapping the next one through its release.
    for (const m of voiced) add(t0, barS, m, 0.05, PAD);
    // Bass: half notes on beats 1 and 3.
    const bass = noteToMidi(bar.bass);
    add(t0, 2 * beatS, bass, 0.2, BASS);
    add(t0 + 2 * beatS, 2 * beatS, bass, 0.16, BASS);
    // Arpeggio in eighths, a gentle up-and-down figure, one octave up; accents on the beats.
    const figure = [lo, hi, mid + 12, hi, lo + 12, hi, mid + 12, hi];
    figure.forEach((m, i) => add(t0 + (i * beatS) / 2, beatS / 2, m, i % 2 === 0 ? 0.1 : 0.07, PLUCK));
    // Melody
    let t = t0;
    for (const token of (tune.melody[b] ?? '').split(' ').filter(Boolean)) {
      const [name = 'R', beatsText = '0'] = token.split(':');
      const beats = Number(beatsText);
      if (name !== 'R') add(t, beats * beatS, noteToMidi(name), 0.3, EPIANO);
      t += beats * beatS;
    }
    if (Math.abs(t - t0 - barS) > 1e-9) throw new Error(`tune ${tune.name}: melody bar ${b + 1} is not 4 beats`);
  });
  return { notes, totalSamples: Math.round(tune.bars.length * barS * sampleRate) };
}

/** Render a tune to 16-bit samples at -6 dBFS peak: softer than the prompts (normalised to -3 dBFS). */
export function renderTune(tune: Tune, sampleRate = SAMPLE_RATE): Int16Array {
  const { notes, totalSamples } = tuneNotes(tune, sampleRate);
  return toInt16(renderNotes(notes, totalSamples, sampleRate), 0.5);
}

export const TUNES: Readonly<Record<string, Tune>> = { default: DEFAULT_TUNE };
