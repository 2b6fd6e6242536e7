import { energy, goertzelPower } from './goertzel.js';

export interface CadenceOptions {
  /** The tone's frequency (China's busy / disconnect tone: 450 Hz). */
  toneHz: number;
  /** Length of each tone burst (ms). */
  onMs: number;
  /** Length of each pause (ms); 0 = a steady tone, matched after `onMs × cycles` without a break. */
  offMs: number;
  /** Complete on+off cycles in a row that make a match (at least 1). */
  cycles: number;
  /** Default 8000 (G.711). */
  sampleRate?: number;
  /** Allowed deviation of each burst and pause, as a share of its length (default 0.25)… */
  tolerance?: number;
  /** …but never less than this (ms, default 40: two 20 ms packets). */
  minToleranceMs?: number;
  /** Share of a frame's energy at `toneHz` that starts a burst (default 0.5; a tone 20 Hz off gives about 0.55). */
  onRatio?: number;
  /** Share below which a burst has ended (default 0.3): the gap to `onRatio` is the hysteresis. */
  offRatio?: number;
  /** RMS level below which a frame is silence, whatever its spectrum (default 100, about -44 dBm0). */
  minRms?: number;
  /** A change of state must last this long (ms, default 40) to count: a lost or clipped packet is not a pause. */
  debounceMs?: number;
}

/**
 * A cadenced-tone detector (busy / disconnect tone), pure and synchronous: feed it the audio of one
 * leg in frames (20 ms each, usually), it answers `true` once the tone has gone on and off
 * `cycles` times in a row with bursts and pauses of the configured lengths. Each frame is tone or
 * not by the share of its energy at the tone frequency (Goertzel), so speech, other tones and
 * silence never count however loud they are.
 */
export class CadenceDetector {
  private readonly o: Required<CadenceOptions>;
  private tone = false;
  /** Length of the current (confirmed) run of tone or no tone. */
  private runMs = 0;
  /** A change of state not yet confirmed by `debounceMs`. */
  private pendingMs = 0;
  /** The burst before the current pause had the right length. */
  private burstOk = false;
  private goodCycles = 0;
  /** The current steady burst already matched (offMs 0). */
  private steadyDone = false;

  constructor(opts: CadenceOptions) {
    this.o = {
      sampleRate: 8000, tolerance: 0.25, minToleranceMs: 40, onRatio: 0.5, offRatio: 0.3, minRms: 100, debounceMs: 40,
      ...opts,
    };
  }

  /** One frame of 16-bit samples; true on the frame that completes the cadence (then it starts over). */
  feed(frame: Int16Array): boolean {
    if (frame.length === 0) return false;
    const ms = (frame.length * 1000) / this.o.sampleRate;
    if (this.isTone(frame) === this.tone) {
      this.runMs += this.pendingMs + ms;
      this.pendingMs = 0;
      return this.steadyMatch();
    }
    this.pendingMs += ms;
    if (this.pendingMs < this.o.debounceMs) return false;
    const endedMs = this.runMs;
    this.tone = !this.tone;
    this.runMs = this.pendingMs;
    this.pendingMs = 0;
    this.steadyDone = false;
    return this.tone ? this.pauseEnded(endedMs) : this.burstEnded(endedMs);
  }

  /** Starts over (a new call, or after the audio had a gap). */
  reset(): void {
    this.tone = false;
    this.runMs = 0;
    this.pendingMs = 0;
    this.burstOk = false;
    this.goodCycles = 0;
    this.steadyDone = false;
  }

  private isTone(frame: Int16Array): boolean {
    const e = energy(frame);
    const rms = Math.sqrt(e / frame.length);
    const ratio = e === 0 ? 0 : goertzelPower(frame, this.o.toneHz, this.o.sampleRate) / e;
    // Hysteresis: a burst needs a clean frame to start but survives a noisier one.
    return this.tone ? ratio >= this.o.offRatio && rms >= this.o.minRms / 2 : ratio >= this.o.onRatio && rms >= this.o.minRms;
  }

  private burstEnded(burstMs: number): boolean {
    this.burstOk = this.o.offMs > 0 && this.near(burstMs, this.o.onMs);
    if (!this.burstOk) this.goodCycles = 0;
    return false;
  }

  private pauseEnded(pauseMs: number): boolean {
    if (!this.burstOk || !this.near(pauseMs, this.o.offMs)) {
      this.goodCycles = 0;
      return false;
    }
    this.goodCycles += 1;
    if (this.goodCycles < this.o.cycles) return false;
    this.goodCycles = 0;
    return true;
  }

  /** A steady tone (offMs 0) matches once it has lasted onMs × cycles: once per burst. */
  private steadyMatch(): boolean {
    if (this.o.offMs > 0 || !this.tone || this.steadyDone || this.runMs < this.o.onMs * this.o.cycles) return false;
    this.steadyDone = true;
    return true;
  }

  private near(actualMs: number, nominalMs: number): boolean {
    return Math.abs(actualMs - nominalMs) <= Math.max(nominalMs * this.o.tolerance, this.o.minToleranceMs);
  }
}
