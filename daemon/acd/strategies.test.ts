import t from 'tap';
import { STRATEGIES } from './acd-types.js';
import { pickAgents, type Candidate, type StrategyMemo } from './strategies.js';

function agent(ext: string, position: number, over: Partial<Candidate> = {}): Candidate {
  return { ext, position, penalty: 0, idleSince: 1_000, callsTaken: 0, talkSeconds: 0, ...over };
}

/** Seeded LCG (Numerical Recipes constants): reproducible "random" picks. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

t.test('no candidates → nobody, for every strategy', async (t) => {
  for (const s of STRATEGIES) t.same(pickAgents(s, [], {}), [], s);
});

t.test('ring-all rings the whole lowest tier, in member order', async (t) => {
  const c = [agent('1003', 3), agent('1001', 1), agent('1002', 2, { penalty: 1 }), agent('1004', 0)];
  t.same(pickAgents('ring-all', c, {}), ['1004', '1001', '1003']);
});

t.test('every other strategy offers exactly one agent', async (t) => {
  const c = [agent('1001', 1), agent('1002', 2), agent('1003', 3)];
  for (const s of STRATEGIES.filter((x) => x !== 'ring-all')) {
    t.equal(pickAgents(s, c, {}, seeded(1)).length, 1, s);
  }
});

t.test('only the lowest tier present is considered, whatever the strategy', async (t) => {
  // 1001 would win every strategy on its numbers, but it is tier 2 while tier 1 has agents.
  const star = agent('1001', 0, { penalty: 2, idleSince: 0, callsTaken: 0, talkSeconds: 0 });
  const c = [star, agent('1002', 1, { penalty: 1, idleSince: 500, callsTaken: 5, talkSeconds: 50 }),
    agent('1003', 2, { penalty: 1, idleSince: 900, callsTaken: 9, talkSeconds: 90 })];
  for (const s of STRATEGIES) {
    t.notOk(pickAgents(s, c, {}, seeded(7)).includes('1001'), s);
  }
  t.same(pickAgents('linear', [star], {}), ['1001'], 'a higher tier is used when it is all there is');
});

t.test('longest-idle picks the agent idle since the earliest time', async (t) => {
  const c = [agent('1001', 1, { idleSince: 3_000 }), agent('1002', 2, { idleSince: 1_000 }), agent('1003', 3, { idleSince: 2_000 })];
  t.same(pickAgents('longest-idle', c, {}), ['1002']);
});

t.test('fewest-calls picks the agent with the fewest answered calls', async (t) => {
  const c = [agent('1001', 1, { callsTaken: 4 }), agent('1002', 2, { callsTaken: 7 }), agent('1003', 3, { callsTaken: 2 })];
  t.same(pickAgents('fewest-calls', c, {}), ['1003']);
});

t.test('least-talk picks the agent with the least talk time', async (t) => {
  const c = [agent('1001', 1, { talkSeconds: 300 }), agent('1002', 2, { talkSeconds: 120 }), agent('1003', 3, { talkSeconds: 600 })];
  t.same(pickAgents('least-talk', c, {}), ['1002']);
});

t.test('linear picks the first member in list order, not input order', async (t) => {
  const c = [agent('1003', 3), agent('1009', 2), agent('1001', 5)];
  t.same(pickAgents('linear', c, {}), ['1009']);
});

t.test('ties break by position', async (t) => {
  const c = [agent('1003', 3, { idleSince: 1, callsTaken: 1, talkSeconds: 1 }),
    agent('1002', 2, { idleSince: 1, callsTaken: 1, talkSeconds: 1 }),
    agent('1001', 4, { idleSince: 1, callsTaken: 1, talkSeconds: 1 })];
  t.same(pickAgents('longest-idle', c, {}), ['1002']);
  t.same(pickAgents('fewest-calls', c, {}), ['1002']);
  t.same(pickAgents('least-talk', c, {}), ['1002']);
});

t.test('round-robin walks the members in order, remembering the last one, and wraps', async (t) => {
  const c = [agent('1003', 3), agent('1001', 1), agent('1002', 2)];
  const memo: StrategyMemo = {};
  const picks = [1, 2, 3, 4, 5].map(() => pickAgents('round-robin', c, memo)[0]);
  t.same(picks, ['1001', '1002', '1003', '1001', '1002']);
  t.equal(memo.lastExt, '1002');
});

t.test('round-robin starts at the first member when the remembered one is unknown', async (t) => {
  const c = [agent('1002', 2), agent('1001', 1)];
  t.same(pickAgents('round-robin', c, { lastExt: '9999' }), ['1001'], 'ext nobody knows, no position');
  t.same(pickAgents('round-robin', c, {}), ['1001'], 'nothing remembered');
});

t.test('round-robin continues after the last agent even when it is no longer a candidate', async (t) => {
  const all = [agent('1001', 1), agent('1002', 2), agent('1003', 3), agent('1004', 4)];
  const memo: StrategyMemo = {};
  t.same(pickAgents('round-robin', all, memo), ['1001']);
  t.same(pickAgents('round-robin', all, memo), ['1002']);
  // 1002 is now on that call: the next call goes to 1003, not back to the top.
  const without1002 = all.filter((c) => c.ext !== '1002');
  t.same(pickAgents('round-robin', without1002, memo), ['1003']);
  t.same(pickAgents('round-robin', without1002, memo), ['1004']);
  // 1004 busy too: wraps to the first available by position.
  t.same(pickAgents('round-robin', without1002.filter((c) => c.ext !== '1004'), memo), ['1001']);
});

t.test('round-robin with the last agent in another tier continues after its position', async (t) => {
  const c = [agent('1001', 1), agent('1002', 2, { penalty: 1 }), agent('1003', 3)];
  t.same(pickAgents('round-robin', c, { lastExt: '1002' }), ['1003']);
});

t.test('random picks uniformly with the given random()', async (t) => {
  const c = [agent('1001', 1), agent('1002', 2), agent('1003', 3), agent('1004', 4)];
  t.same(pickAgents('random', c, {}, () => 0), ['1001']);
  t.same(pickAgents('random', c, {}, () => 0.5), ['1003']);
  t.same(pickAgents('random', c, {}, () => 0.999999), ['1004']);
  t.same(pickAgents('random', c, {}, () => 1), ['1004'], 'a random() returning 1 stays in range');

  const counts = new Map<string, number>();
  const rnd = seeded(42);
  for (let i = 0; i < 4000; i++) {
    const ext = pickAgents('random', c, {}, rnd)[0]!;
    counts.set(ext, (counts.get(ext) ?? 0) + 1);
  }
  t.equal(counts.size, 4, 'every agent gets calls');
  for (const [ext, n] of counts) t.ok(n > 850 && n < 1150, `${ext} got ${n} of 4000`);
});

t.test('random with the same seed makes the same picks whatever the input order', async (t) => {
  const c = [agent('1001', 1), agent('1002', 2), agent('1003', 3)];
  const run = (list: Candidate[]): string[] => {
    const rnd = seeded(9);
    return Array.from({ length: 10 }, () => pickAgents('random', list, {}, rnd)[0]!);
  };
  t.same(run(c), run([...c].reverse()));
});

t.test('random defaults to Math.random', async (t) => {
  const c = [agent('1001', 1), agent('1002', 2)];
  t.match(pickAgents('random', c, {})[0], /^100[12]$/);
});
