/**
 * Queue strategies: which available agent(s) a waiting call is offered to next. Pure: the ACD engine
 * filters candidates (busy, paused, unregistered, already tried) and performs the offer.
 */
import type { Strategy } from './acd-types.js';

export interface Candidate {
  ext: string;
  /** Tier: lower is offered first. */
  penalty: number;
  /** Order in the queue's member list (linear). */
  position: number;
  /** Epoch ms since when the agent is idle (end of last call/wrap-up, or login). */
  idleSince: number;
  /** Calls answered from this queue (fewest-calls). */
  callsTaken: number;
  /** Talk seconds today/since start (least-talk). */
  talkSeconds: number;
}

/**
 * What a queue remembers between picks, for round-robin. `pickAgents` updates it on every single-agent
 * pick. `lastPosition` is kept because the last agent may have left the candidates (busy, paused, logged
 * out) and round-robin must still continue after its place, not restart at the top.
 */
export interface StrategyMemo {
  lastExt?: string;
  lastPosition?: number;
}

type Place = Pick<Candidate, 'ext' | 'position'>;

/** Member-list order; ext breaks equal positions so a pick never depends on the input's order. */
function byPosition(a: Place, b: Place): number {
  return a.position - b.position || (a.ext < b.ext ? -1 : a.ext > b.ext ? 1 : 0);
}

/** Smallest `key`, ties by position. */
function smallestBy(tier: readonly Candidate[], key: (c: Candidate) => number): Candidate | undefined {
  return [...tier].sort((a, b) => key(a) - key(b) || byPosition(a, b))[0];
}

/** The member after the remembered one by position, wrapping; the first when nothing is remembered. */
function nextAfter(tier: readonly Candidate[], all: readonly Candidate[], memo: StrategyMemo): Candidate | undefined {
  const lastPos = all.find((c) => c.ext === memo.lastExt)?.position ?? memo.lastPosition;
  if (memo.lastExt === undefined || lastPos === undefined) return tier[0];
  const last: Place = { ext: memo.lastExt, position: lastPos };
  return tier.find((c) => byPosition(c, last) > 0) ?? tier[0];
}

function pickOne(strategy: Exclude<Strategy, 'ring-all'>, tier: readonly Candidate[], all: readonly Candidate[],
  memo: StrategyMemo, random: () => number): Candidate | undefined {
  switch (strategy) {
    case 'longest-idle': return smallestBy(tier, (c) => c.idleSince);
    case 'fewest-calls': return smallestBy(tier, (c) => c.callsTaken);
    case 'least-talk': return smallestBy(tier, (c) => c.talkSeconds);
    case 'linear': return tier[0];
    case 'round-robin': return nextAfter(tier, all, memo);
    // min() guards a random() that returns exactly 1.
    case 'random': return tier[Math.min(tier.length - 1, Math.floor(random() * tier.length))];
  }
}

/**
 * Who to offer a waiting call to next, from the AVAILABLE candidates only. Only the lowest penalty tier
 * present is considered; ring-all returns that whole tier (by position), every other strategy exactly
 * one agent. Ties break by position. Empty candidates → []. A single-agent pick is recorded in `memo`
 * (round-robin continues after it); keep one memo per queue.
 */
export function pickAgents(strategy: Strategy, candidates: readonly Candidate[], memo: StrategyMemo,
  random: () => number = Math.random): string[] {
  if (candidates.length === 0) return [];
  const lowest = Math.min(...candidates.map((c) => c.penalty));
  const tier = candidates.filter((c) => c.penalty === lowest).sort(byPosition);
  if (strategy === 'ring-all') return tier.map((c) => c.ext);
  const chosen = pickOne(strategy, tier, candidates, memo, random);
  if (!chosen) return [];
  memo.lastExt = chosen.ext;
  memo.lastPosition = chosen.position;
  return [chosen.ext];
}
