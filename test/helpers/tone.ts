import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { CodedError } from '../../drivers/coded-error.js';

export type ToneErrorCode = 'TONE_SOX_FAILED' | 'WAV_MALFORMED' | 'WAV_UNSUPPORTED';

export class ToneError extends CodedError<ToneErrorCode> {}

const run = promisify(execFile);

export interface ToneOptions {
  /** Hz; 0 makes silence. */
  freqHz: number;
  seconds: number;
  /** Default 8000 (what G.711 and baresip's aufile source want). */
  sampleRate?: number;
  /** Peak amplitude 0..1 (default 0.5). */
  amplitude?: number;
}

/** Write a mono 16-bit PCM WAV holding a sine tone (or silence) with sox; resolves to `path`. */
export async function makeTone(path: string, o: ToneOptions): Promise<string> {
  const rate = String(o.sampleRate ?? 8000);
  const effect = o.freqHz === 0
    ? ['trim', '0', String(o.seconds)]
    : ['synth', String(o.seconds), 'sine', String(o.freqHz), 'vol', String(o.amplitude ?? 0.5)];
  try {
    await run('sox', ['-n', '-r', rate, '-c', '1', '-b', '16', '-e', 'signed-integer', path, ...effect], { timeout: 10_000 });
  } catch (err) {
    throw new ToneError('TONE_SOX_FAILED', `sox could not write ${path}: ${(err as Error).message}`, { cause: err });
  }
  return path;
}

export interface WavAudio {
  sampleRate: number;
  /** Samples per channel, scaled to -1..1. */
  channels: Float32Array[];
  /** How samples were stored, e.g. `pcm16`, `float32`. */
  encoding: string;
}

/**
 * Read a WAV file by walking its RIFF chunks (no fixed 44-byte header is assumed). PCM 8/16/24/32-bit
 * and IEEE float 32/64, plain or WAVE_FORMAT_EXTENSIBLE. A data chunk whose size is 0 or runs past
 * the end (a file still being written) is read to the end of the file.
 */
export async function readWav(path: string): Promise<WavAudio> {
  const buf = await readFile(path);
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new ToneError('WAV_MALFORMED', `${path} is not a RIFF/WAVE file`);
  }
  let fmt: Buffer | undefined;
  let data: Buffer | undefined;
  for (let off = 12; off + 8 <= buf.length && !data;) {
    const id = buf.toString('latin1', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const start = off + 8;
    const end = Math.min(start + size, buf.length);
    if (id === 'fmt ') fmt = buf.subarray(start, end);
    if (id === 'data') data = buf.subarray(start, size === 0 ? buf.length : end);
    off = start + size + (size % 2);
  }
  if (!fmt || fmt.length < 16) throw new ToneError('WAV_MALFORMED', `${path} has no fmt chunk before its data`);
  if (!data) throw new ToneError('WAV_MALFORMED', `${path} has no data chunk`);
  return decode(path, fmt, data);
}

function decode(path: string, fmt: Buffer, data: Buffer): WavAudio {
  let format = fmt.readUInt16LE(0);
  const channelCount = fmt.readUInt16LE(2);
  const sampleRate = fmt.readUInt32LE(4);
  const bits = fmt.readUInt16LE(14);
  if (format === 0xfffe && fmt.length >= 26) format = fmt.readUInt16LE(24); // extensible: sub-format GUID
  const read = sampleReader(format, bits);
  if (!read || channelCount < 1) {
    throw new ToneError('WAV_UNSUPPORTED', `${path}: format tag ${format} with ${bits}-bit samples and ` +
      `${channelCount} channels is not supported (PCM 8/16/24/32 and float 32/64 are)`);
  }
  const frameBytes = (bits / 8) * channelCount;
  const frames = Math.floor(data.length / frameBytes);
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channelCount; c++) {
      (channels[c] as Float32Array)[i] = read(data, i * frameBytes + c * (bits / 8));
    }
  }
  return { sampleRate, channels, encoding: `${format === 3 ? 'float' : 'pcm'}${bits}` };
}

function sampleReader(format: number, bits: number): ((b: Buffer, off: number) => number) | undefined {
  if (format === 1 && bits === 8) return (b, o) => (b.readUInt8(o) - 128) / 128;
  if (format === 1 && bits === 16) return (b, o) => b.readInt16LE(o) / 32768;
  if (format === 1 && bits === 24) return (b, o) => b.readIntLE(o, 3) / 8388608;
  if (format === 1 && bits === 32) return (b, o) => b.readInt32LE(o) / 2147483648;
  if (format === 3 && bits === 32) return (b, o) => b.readFloatLE(o);
  if (format === 3 && bits === 64) return (b, o) => b.readDoubleLE(o);
  return undefined;
}

/** Goertzel power of `freqHz` in `x[from, to)`, normalised so a full-scale on-bin sine gives its energy share. */
function goertzelShare(x: Float32Array, from: number, to: number, freqHz: number, rate: number): number {
  const n = to - from;
  const coeff = 2 * Math.cos((2 * Math.PI * freqHz) / rate);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = from; i < to; i++) {
    const v = x[i] as number;
    const s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += v * v;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return energy === 0 ? 0 : power / (energy * (n / 2));
}

const BLOCK_S = 0.1; // 100 ms blocks: frequencies on a 10 Hz grid fall exactly on a bin
const SILENCE_RMS = 0.001; // blocks quieter than this (no RTP yet, a pause) are skipped

export interface AnalyseOptions {
  /** Channel index (default 0). */
  channel?: number;
}

/**
 * Share of the signal's energy at `freqHz` (0..1, about 0.95+ for a clean tone, near 0 when absent),
 * averaged over the non-silent 100 ms blocks of one channel; 0 if the channel is silent throughout.
 */
export async function toneLevel(wavPath: string, freqHz: number, o: AnalyseOptions = {}): Promise<number> {
  const levels = await toneLevels(wavPath, [freqHz], o);
  return levels.get(freqHz) ?? 0;
}

/** `toneLevel` for several frequencies, reading the file once. */
export async function toneLevels(wavPath: string, freqsHz: number[], o: AnalyseOptions = {}): Promise<Map<number, number>> {
  const wav = await readWav(wavPath);
  const ch = o.channel ?? 0;
  const x = wav.channels[ch];
  if (!x) throw new ToneError('WAV_UNSUPPORTED', `${wavPath} has ${wav.channels.length} channel(s), not channel ${ch}`);
  const block = Math.max(1, Math.round(wav.sampleRate * BLOCK_S));
  const sums = new Map<number, number>(freqsHz.map((f) => [f, 0]));
  let active = 0;
  for (let from = 0; from + block <= x.length; from += block) {
    if (rms(x, from, from + block) < SILENCE_RMS) continue;
    active++;
    for (const f of freqsHz) sums.set(f, (sums.get(f) ?? 0) + goertzelShare(x, from, from + block, f, wav.sampleRate));
  }
  return new Map(freqsHz.map((f) => [f, active === 0 ? 0 : (sums.get(f) ?? 0) / active]));
}

function rms(x: Float32Array, from: number, to: number): number {
  let e = 0;
  for (let i = from; i < to; i++) e += (x[i] as number) ** 2;
  return Math.sqrt(e / (to - from));
}

/** Call-progress and DTMF frequencies plus the usual test tones. */
export const DEFAULT_CANDIDATES_HZ = [
  350, 400, 425, 440, 480, 500, 620, 697, 770, 852, 941, 1000, 1209, 1336, 1477, 1633, 2000,
];

/**
 * The candidate frequency holding the largest energy share in one channel, or null when the channel
 * is silent or no candidate holds at least `minLevel` (default 0.3) of the energy.
 */
export async function dominantFrequency(
  wavPath: string,
  o: AnalyseOptions & { candidatesHz?: number[]; minLevel?: number } = {},
): Promise<number | null> {
  const levels = await toneLevels(wavPath, o.candidatesHz ?? DEFAULT_CANDIDATES_HZ, o);
  let best: [number, number] | null = null;
  for (const [f, level] of levels) if (!best || level > best[1]) best = [f, level];
  return best && best[1] >= (o.minLevel ?? 0.3) ? best[0] : null;
}

/** Duration in seconds of a WAV's audio. */
export async function wavSeconds(wavPath: string): Promise<number> {
  const wav = await readWav(wavPath);
  return (wav.channels[0]?.length ?? 0) / wav.sampleRate;
}
