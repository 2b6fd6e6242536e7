import { monoWav } from '../../drivers/pcap/wav-writer.js';
/**
 * Minimal RIFF/WAVE reading and writing for 16-bit PCM: enough to write our synthesised sounds and to
 * read back the format and duration of anything the tools produced (for the manifest).
 */

export interface WavInfo {
  /** 1 = PCM; 0xFFFE = WAVE_FORMAT_EXTENSIBLE. */
  readonly formatTag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly dataOffset: number;
  readonly dataBytes: number;
  readonly durationMs: number;
}

export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

/** Parse the header chunks; throws WavFormatError if this is not a RIFF/WAVE file with fmt and data. */
export function readWavInfo(buf: Buffer): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let fmt: { formatTag: number; channels: number; sampleRate: number; bitsPerSample: number } | undefined;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new WavFormatError('short fmt chunk');
      fmt = {
        formatTag: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      // Streamed WAVs (espeak --stdout) carry a placeholder size; clamp to what is really there.
      const dataBytes = Math.min(size, buf.length - body);
      const frameBytes = fmt.channels * (fmt.bitsPerSample / 8);
      const frames = frameBytes > 0 ? Math.floor(dataBytes / frameBytes) : 0;
      const durationMs = fmt.sampleRate > 0 ? Math.round((frames * 1000) / fmt.sampleRate) : 0;
      return { ...fmt, dataOffset: body, dataBytes, durationMs };
    }
    pos = body + size + (size % 2); // chunks are word-aligned
  }
  throw new WavFormatError(fmt ? 'no data chunk' : 'no fmt chunk');
}

/** A canonical 44-byte-header mono 16-bit PCM WAV (no extra chunks, so bytes depend on samples only). */
export function encodeWavMono16(samples: Int16Array, sampleRate: number): Buffer {
  return monoWav(samples, sampleRate);
}
