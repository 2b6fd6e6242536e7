/** A 16-bit PCM WAV (canonical 44-byte RIFF header) from one or more channels; shorter ones are padded with silence. */
export function pcmWav(channels: readonly Int16Array[], rate: number): Buffer {
  const n = channels.length;
  const frames = Math.max(0, ...channels.map((c) => c.length));
  const dataBytes = frames * 2 * n;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(n, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2 * n, 28); // byte rate
  buf.writeUInt16LE(2 * n, 32); // block align
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < n; c++) buf.writeInt16LE(channels[c]?.[i] ?? 0, 44 + (i * n + c) * 2);
  }
  return buf;
}

/** A 16-bit PCM stereo WAV from two channels; the shorter is padded with silence. */
export function stereoWav(left: Int16Array, right: Int16Array, rate: number): Buffer {
  return pcmWav([left, right], rate);
}

/** A 16-bit PCM mono WAV. */
export function monoWav(samples: Int16Array, rate: number): Buffer {
  return pcmWav([samples], rate);
}
