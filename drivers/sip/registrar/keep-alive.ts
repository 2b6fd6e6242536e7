import type { Clock, TimerHandle } from '../../clock.js';
import { tryParseUri } from '../message/index.js';
import { normalizeAddress } from '../auth/index.js';
import type { Binding } from './types.js';

export interface KeepAliveOptions {
  /** How often each binding is pinged (ms). Default 25 s: under the shortest common UDP NAT timeout (30 s). */
  intervalMs?: number;
  /** Ping only bindings that look NATed (see isBehindNat). Default true. */
  natOnly?: boolean;
  /** Ping UDP bindings only (TCP keeps its own mapping alive while the connection lives). Default true. */
  udpOnly?: boolean;
}

/**
 * True when the Contact does not name the address the REGISTER came from: the phone sits behind
 * NAT (its Contact holds a private address), so requests must go to the binding's source.
 */
export function isBehindNat(b: Binding): boolean {
  const uri = tryParseUri(b.contact);
  if (uri === undefined || uri.kind !== 'sip') return true;
  const host = normalizeAddress(uri.host.replace(/^\[|\]$/g, ''));
  const port = uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060);
  return host !== normalizeAddress(b.source.address) || port !== b.source.port;
}

/**
 * Keeps NAT pinholes towards registered phones open: every `intervalMs`, `ping` is called for each
 * live binding that needs it. The UA core's `ping` sends an out-of-dialog OPTIONS with Request-URI
 * = binding.contact to binding.source through a non-INVITE client transaction and ignores the
 * answer (any answer, even 405, refreshes the NAT mapping). A ping that throws is counted, not fatal.
 */
export class KeepAlive {
  private timer: TimerHandle | undefined;
  private readonly intervalMs: number;
  private readonly natOnly: boolean;
  private readonly udpOnly: boolean;

  constructor(
    private readonly deps: { clock: Clock; bindings: () => Binding[]; ping: (binding: Binding) => void },
    opts: KeepAliveOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 25_000;
    this.natOnly = opts.natOnly ?? true;
    this.udpOnly = opts.udpOnly ?? true;
  }

  start(): void {
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.timer = this.deps.clock.setTimeout(tick, this.intervalMs);
      this.tick();
    };
    this.timer = this.deps.clock.setTimeout(tick, this.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Ping every binding that needs it now; returns { sent, failed }. */
  tick(): { sent: number; failed: number } {
    let sent = 0;
    let failed = 0;
    for (const b of this.deps.bindings()) {
      if (this.udpOnly && b.source.transport !== 'udp') continue;
      if (this.natOnly && !isBehindNat(b)) continue;
      try {
        this.deps.ping(b);
        sent++;
      } catch {
        failed++;
      }
    }
    return { sent, failed };
  }
}
