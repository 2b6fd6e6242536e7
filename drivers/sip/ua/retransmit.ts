import type { Clock, TimerHandle } from '../../clock.js';

/**
 * The UAS core's 2xx retransmission (RFC 3261 §13.3.1.4): resend at T1, then at doubling intervals
 * capped at T2, until the ACK arrives; give up 64*T1 after the first send.
 */
export class TwoXxRetransmitter {
  private retransmit: TimerHandle | undefined;
  private giveUp: TimerHandle | undefined;
  private interval: number;

  constructor(
    private readonly deps: { clock: Clock },
    private readonly opts: { t1: number; t2: number; send: () => void; onGiveUp: () => void },
  ) {
    this.interval = opts.t1;
  }

  /** Call right after the first send. */
  start(): void {
    this.schedule();
    this.giveUp = this.deps.clock.setTimeout(() => {
      this.stop();
      this.opts.onGiveUp();
    }, 64 * this.opts.t1);
  }

  get running(): boolean {
    return this.giveUp !== undefined;
  }

  stop(): void {
    this.retransmit?.cancel();
    this.giveUp?.cancel();
    this.retransmit = undefined;
    this.giveUp = undefined;
  }

  private schedule(): void {
    this.retransmit = this.deps.clock.setTimeout(() => {
      this.opts.send();
      this.interval = Math.min(this.interval * 2, this.opts.t2);
      this.schedule();
    }, this.interval);
  }
}
