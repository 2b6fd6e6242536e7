import type { NgClient } from '../../drivers/rtpengine/ng-client.js';
import { MediaTap, type TapFrame } from '../../drivers/rtpengine/media-tap.js';
import { CadenceDetector } from '../../drivers/tones/cadence.js';
import type { Config } from '../config/index.js';
import type { Call } from './call.js';

export interface DisconnectWatchOptions {
  ng: () => NgClient;
  calls: Pick<Config['calls'], 'disconnect_tone_hz' | 'disconnect_tone_on_ms' | 'disconnect_tone_off_ms' | 'disconnect_tone_cycles'>;
  /** Runs once, when the tone's cadence has been heard. */
  onTone: () => void;
}

/** A gap longer than this (samples, 2 s) is not a pause of the tone: the detector starts over. */
const MAX_GAP = 16_000;
const FRAME = 160;

/**
 * Safety net for analog lines: an FXO gateway that misses the far end's hang-up keeps the call up
 * while the exchange plays its busy / disconnect tone into the line. This taps the gateway leg's
 * audio (rtpengine subscription) and calls `onTone` once when the configured cadence is heard; the
 * tap is closed when the call ends. A tap that cannot be opened is logged, never fatal: the
 * max-duration and no-media nets still hold.
 */
export function watchDisconnectTone(call: Call, gatewayTag: string, o: DisconnectWatchOptions): void {
  const c = o.calls;
  if (c.disconnect_tone_cycles === 0) return;
  const feed = new GapFilledFeed(new CadenceDetector({
    toneHz: c.disconnect_tone_hz, onMs: c.disconnect_tone_on_ms, offMs: c.disconnect_tone_off_ms, cycles: c.disconnect_tone_cycles,
  }));
  let tap: MediaTap | undefined;
  let fired = false;
  call.onCleanup(() => void tap?.close());
  MediaTap.open(o.ng, call.log, { callId: call.media.mediaId, fromTag: gatewayTag }).then((opened) => {
    if (call.ended) return void opened.close();
    tap = opened;
    opened.on('frame', (f) => {
      if (fired || !feed.push(f)) return;
      fired = true;
      call.log.info({ callId: call.id, leg: gatewayTag, hz: c.disconnect_tone_hz }, 'disconnect tone heard on the line');
      void opened.close();
      o.onTone();
    });
  }, (err: unknown) => call.log.warn({ err, callId: call.id, leg: gatewayTag }, 'disconnect tone watch not started'));
}

/**
 * Feeds RTP frames to the detector in timestamp order, with silence for packets that never came: a
 * gateway with voice activity detection sends nothing (or comfort noise) during the tone's pauses.
 */
export class GapFilledFeed {
  private next: number | undefined;
  private ssrc: number | undefined;

  constructor(private readonly detector: CadenceDetector) {}

  /** True when this frame completes the cadence. */
  push(f: TapFrame): boolean {
    const gap = this.next === undefined ? 0 : (f.timestamp - this.next) | 0;
    if (f.ssrc !== this.ssrc || gap > MAX_GAP) {
      this.detector.reset();
    } else if (gap < 0) {
      return false; // late or duplicate: its time has been fed already
    } else {
      this.fillSilence(gap);
    }
    this.ssrc = f.ssrc;
    this.next = (f.timestamp + f.samples.length) >>> 0;
    return this.detector.feed(f.samples);
  }

  /** Silence never completes a cadence (a match is heard on a burst), so only the state moves on. */
  private fillSilence(samples: number): void {
    for (let left = samples; left > 0; left -= FRAME) this.detector.feed(new Int16Array(Math.min(FRAME, left)));
  }
}
