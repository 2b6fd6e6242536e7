import t from 'tap';
import { WaitingList, type Waiter } from './waiting-list.js';

interface Caller extends Waiter { from: string }

function caller(id: string, joinedAt: number, priority = 0, from = `+86${id}`): Caller {
  return { id, priority, joinedAt, from };
}

const ids = (l: WaitingList<Caller>): string[] => l.ordered().map((w) => w.id);

t.test('an empty list', async (t) => {
  const l = new WaitingList<Caller>();
  t.equal(l.size, 0);
  t.same(l.ordered(), []);
  t.equal(l.position('a'), undefined);
  t.equal(l.get('a'), undefined);
  t.equal(l.remove('a'), undefined);
});

t.test('normal callers are served first come, first served', async (t) => {
  const l = new WaitingList<Caller>();
  l.add(caller('c', 300));
  l.add(caller('a', 100));
  l.add(caller('b', 200));
  t.same(ids(l), ['a', 'b', 'c']);
  t.equal(l.position('a'), 1);
  t.equal(l.position('c'), 3);
  t.equal(l.size, 3);
});

t.test('callers who joined in the same ms keep insertion order', async (t) => {
  const l = new WaitingList<Caller>();
  for (const id of ['x', 'y', 'z']) l.add(caller(id, 500));
  t.same(ids(l), ['x', 'y', 'z']);
});

t.test('a VIP jumps ahead of normal callers but stays FIFO among equal priority', async (t) => {
  const l = new WaitingList<Caller>();
  l.add(caller('n1', 100));
  l.add(caller('n2', 200));
  l.add(caller('vip5a', 300, 5));
  l.add(caller('vip9', 400, 9));
  l.add(caller('vip5b', 350, 5));
  l.add(caller('n3', 150));
  t.same(ids(l), ['vip9', 'vip5a', 'vip5b', 'n1', 'n3', 'n2']);
  t.equal(l.position('n1'), 4, 'a normal caller is told it moved back behind the VIPs');
});

t.test('positions update after removals', async (t) => {
  const l = new WaitingList<Caller>();
  for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) l.add(caller(id, i));
  t.equal(l.remove('b')?.from, '+86b', 'remove returns the caller');
  t.equal(l.position('c'), 2);
  t.equal(l.position('d'), 3);
  t.equal(l.position('b'), undefined);
  l.remove('a');
  t.equal(l.position('c'), 1);
  t.equal(l.size, 2);
  t.equal(l.remove('a'), undefined, 'removing twice is harmless');
});

t.test('re-adding an id replaces it and re-sorts it', async (t) => {
  const l = new WaitingList<Caller>();
  l.add(caller('a', 100));
  l.add(caller('b', 200));
  l.add(caller('c', 300));
  l.add(caller('c', 300, 3, 'new'));
  t.equal(l.size, 3, 'no duplicate');
  t.same(ids(l), ['c', 'a', 'b'], 'raised priority moves it ahead');
  t.equal(l.get('c')?.from, 'new');
  l.add(caller('c', 300, 0));
  t.same(ids(l), ['a', 'b', 'c'], 'back to normal, back in its place');
});

t.test('a replaced caller keeps its rank among callers of the same ms', async (t) => {
  const l = new WaitingList<Caller>();
  for (const id of ['x', 'y', 'z']) l.add(caller(id, 500));
  l.add(caller('x', 500, 0, 'updated'));
  t.same(ids(l), ['x', 'y', 'z']);
});

t.test('a callback re-added with its original joinedAt gets its place back', async (t) => {
  const l = new WaitingList<Caller>();
  l.add(caller('a', 100));
  l.add(caller('b', 200));
  l.add(caller('c', 300));
  const b = l.remove('b')!; // asked for a callback, hung up
  l.add(caller('d', 400));
  l.add({ ...b, id: 'b-callback' });
  t.same(ids(l), ['a', 'b-callback', 'c', 'd']);
  t.equal(l.position('b-callback'), 2);
});

t.test('ordered() is a copy', async (t) => {
  const l = new WaitingList<Caller>();
  l.add(caller('a', 1));
  const o = l.ordered();
  o.pop();
  t.equal(l.size, 1);
  t.same(ids(l), ['a']);
});
