import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { monoWav } from '../../drivers/pcap/wav-writer.js';
import { MediaTap } from '../../drivers/rtpengine/media-tap.js';
import type { NgClient } from '../../drivers/rtpengine/ng-client.js';

/** At most this much audio is kept in memory for one message (10 min at 8 kHz, 16-bit: 9.6 MB). */
const MAX_SAMPLES = 8000 * 600;

/**
 * Records what one party of a call says (a voicemail message) from a copy of its media that
 * rtpengine forks to us (MediaTap): samples are appended in arrival order; `stop()` writes a
 * mono 8 kHz WAV. The call's own recording (pcap) is not involved.
 */
export class LegRecorder {
  private readonly chunks: Int16Array[] = [];
  private samples = 0;

  private constructor(private readonly tap: MediaTap) {
    tap.on('frame', (f) => {
      if (this.samples >= MAX_SAMPLES) return;
      this.chunks.push(f.samples);
      this.samples += f.samples.length;
    });
  }

  static async start(ng: () => NgClient, log: Logger, o: { mediaId: string; tag: string }): Promise<LegRecorder> {
    return new LegRecorder(await MediaTap.open(ng, log, { callId: o.mediaId, fromTag: o.tag }));
  }

  /** Stops the copy and writes the WAV; resolves with its length in ms. */
  async stop(wavPath: string): Promise<number> {
    await this.tap.close();
    const all = new Int16Array(this.samples);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    await mkdir(dirname(wavPath), { recursive: true });
    await writeFile(wavPath, monoWav(all, 8000));
    return Math.round(this.samples / 8);
  }
}
