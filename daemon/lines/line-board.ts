import type { LineDirection } from '../store/lines-repo.js';
import { transition, type LineEffect, type LineInput, type LineState } from './line-state.js';

export type HuntOrder = 'linear' | 'round-robin';

export interface BoardLine {
  line: number;
  gatewayId: number | null;
  direction: LineDirection;
}

export interface LineView extends BoardLine {
  state: LineState;
}

/**
 * The live state of all analog lines (in memory), their direction policy, and outbound hunting.
 * Routing (target) is not kept here: the call engine reads it from the store on each call.
 */
export class LineBoard {
  private readonly lines = new Map<number, LineView>();
  private lastPicked = 0;

  constructor(lines: readonly BoardLine[], private readonly options: { hunt: HuntOrder } = { hunt: 'linear' }) {
    for (const l of lines) this.lines.set(l.line, { ...l, state: 'idle' });
  }

  list(): LineView[] {
    return [...this.lines.values()].sort((a, b) => a.line - b.line).map((l) => ({ ...l }));
  }

  state(line: number): LineState | undefined {
    return this.lines.get(line)?.state;
  }

  /** Apply an input to one line; unknown lines give a 404-like undefined. */
  apply(line: number, input: LineInput): LineEffect[] | undefined {
    const l = this.lines.get(line);
    if (!l) return undefined;
    if (input.type === 'inbound-invite' && l.direction === 'out') return [{ type: 'refuse', status: 503 }];
    const next = transition(l.state, input);
    l.state = next.state;
    return next.effects;
  }

  /** Take the stored lines as they are now (added lines, changed direction or gateway); live states stay. */
  sync(lines: readonly BoardLine[]): void {
    for (const l of lines) {
      const cur = this.lines.get(l.line);
      if (cur) Object.assign(cur, { gatewayId: l.gatewayId, direction: l.direction });
      else this.lines.set(l.line, { ...l, state: 'idle' });
    }
  }


  /** The gateway's reachability (driven by the OPTIONS pinger): all of its lines go down or come back. */
  gateway(gatewayId: number, up: boolean): void {
    for (const l of this.lines.values()) {
      if (l.gatewayId === gatewayId) l.state = transition(l.state, { type: up ? 'gateway-up' : 'gateway-down' }).state;
    }
  }

  /**
   * Choose a line for an outbound call among `allowed` (all lines when undefined): idle, not
   * in-only. Linear takes the lowest; round-robin the next after the last one picked. The line is
   * not seized: the caller applies `outbound-seize` when it sends the INVITE.
   */
  /** Is a line free to dial out now (without picking it)? */
  hasFreeOutbound(): boolean {
    return this.list().some((l) => l.state === 'idle' && l.direction !== 'in');
  }

  pickOutbound(allowed?: readonly number[]): number | undefined {
    const ok = new Set(allowed ?? this.lines.keys());
    const free = this.list().filter((l) => ok.has(l.line) && l.state === 'idle' && l.direction !== 'in').map((l) => l.line);
    const pick = this.options.hunt === 'round-robin' ? free.find((n) => n > this.lastPicked) ?? free[0] : free[0];
    if (pick !== undefined) this.lastPicked = pick;
    return pick;
  }
}
