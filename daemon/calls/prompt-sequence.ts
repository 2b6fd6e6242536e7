import { errorMessage } from '../../drivers/coded-error.js';
import type { Language } from '../ivr/flow-types.js';
import type { Call } from './call.js';
import type { CallEngine } from './call-engine.js';
import type { PromptFiles } from './ivr-call.js';

/**
 * Plays prompts one after another to one leg of a call (rtpengine play media; its reply gives each
 * length), outside a flow: queue announcements, callback intros, feature-code confirmations.
 * `stop()` cuts it short; the promise then resolves false.
 */
export class PromptSequence {
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly call: Call, private readonly tag: string, private readonly prompts: PromptFiles, private readonly lang: Language) {}

  /** True when every prompt played to its end. A missing prompt is skipped (and logged). */
  async play(refs: readonly string[]): Promise<boolean> {
    for (const ref of refs) {
      if (this.stopped || this.call.ended) return false;
      const file = this.prompts.resolve(ref, this.lang);
      if (file === undefined) {
        this.call.log.warn({ callId: this.call.id, prompt: ref }, 'prompt missing');
        continue;
      }
      let ms: number;
      try {
        ms = await this.call.media.playOnce(this.tag, file);
      } catch (err) {
        this.call.log.warn({ callId: this.call.id, prompt: ref, err: errorMessage(err) }, 'prompt not played');
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, ms);
      });
    }
    return !this.stopped && !this.call.ended;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    void this.call.media.stopPlay(this.tag).catch(() => undefined);
  }
}

/** The place-kept confirmation, then the box hangs up (a callback asked for while queued, or a queue overflowing to `callback`). */
export async function confirmCallbackAndHangUp(engine: CallEngine, call: Call, lang: Language): Promise<void> {
  await new PromptSequence(call, 'a', engine.deps.prompts, lang).play(['callback.confirmed', 'goodbye']);
  await engine.end(call, { cause: 'ivr_hangup', disposition: 'answered', by: 'system' });
}
