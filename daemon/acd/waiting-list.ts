/** The callers waiting in one queue, in the order they are served. Pure: no timers, no I/O. */

export interface Waiter {
  id: string;
  /** 0 for normal callers, a VIP's level (1..9) otherwise: higher is served first. */
  priority: number;
  /** Epoch ms the caller joined; a callback is re-added with its original value and so keeps its place. */
  joinedAt: number;
}

interface Entry<T> { w: T; seq: number }

/** Callers waiting in one queue: higher priority first, then who joined earlier, then insertion order. */
export class WaitingList<T extends Waiter> {
  /** Kept sorted in service order; queues hold tens of callers, so linear inserts are cheap and simple. */
  private entries: Entry<T>[] = [];
  private nextSeq = 0;

  /** Adds a caller; re-adding a present id replaces it, re-sorted by its new fields. */
  add(w: T): void {
    const old = this.entries.findIndex((e) => e.w.id === w.id);
    // A replaced caller keeps its insertion rank: it is the same caller, not a newcomer.
    const seq = old >= 0 ? this.entries[old]!.seq : this.nextSeq++;
    if (old >= 0) this.entries.splice(old, 1);
    const entry = { w, seq };
    const at = this.entries.findIndex((e) => before(entry, e));
    this.entries.splice(at < 0 ? this.entries.length : at, 0, entry);
  }

  remove(id: string): T | undefined {
    const i = this.entries.findIndex((e) => e.w.id === id);
    return i < 0 ? undefined : this.entries.splice(i, 1)[0]!.w;
  }

  get(id: string): T | undefined {
    return this.entries.find((e) => e.w.id === id)?.w;
  }

  /** 1-based position (what the caller is told), undefined when absent. */
  position(id: string): number | undefined {
    const i = this.entries.findIndex((e) => e.w.id === id);
    return i < 0 ? undefined : i + 1;
  }

  /** A copy, in service order. */
  ordered(): T[] {
    return this.entries.map((e) => e.w);
  }

  get size(): number {
    return this.entries.length;
  }
}

/** Is `a` served before `b`? */
function before<T extends Waiter>(a: Entry<T>, b: Entry<T>): boolean {
  if (a.w.priority !== b.w.priority) return a.w.priority > b.w.priority;
  if (a.w.joinedAt !== b.w.joinedAt) return a.w.joinedAt < b.w.joinedAt;
  return a.seq < b.seq;
}
