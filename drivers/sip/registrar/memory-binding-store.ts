import type { Binding, BindingStore } from './types.js';

/**
 * A BindingStore in memory, for tests of the registrar and of its users (the UA core, call
 * routing). Its transaction restores the previous content when `fn` throws, like SQLite's.
 */
export class MemoryBindingStore implements BindingStore {
  private rows = new Map<string, Binding>();
  /** Set to make the next write throw (to test the registrar's handling of a failing store). */
  failNextWrite: Error | undefined;

  loadAll(): Binding[] {
    return [...this.rows.values()].map(copy);
  }

  upsert(binding: Binding): void {
    this.write();
    this.rows.set(key(binding.extension, binding.contact), copy(binding));
  }

  remove(extension: string, contact: string): void {
    this.write();
    this.rows.delete(key(extension, contact));
  }

  removeAll(extension: string): void {
    this.write();
    for (const [k, b] of this.rows) if (b.extension === extension) this.rows.delete(k);
  }

  purgeExpired(now: number): number {
    this.write();
    let n = 0;
    for (const [k, b] of this.rows) {
      if (b.expiresAt <= now) {
        this.rows.delete(k);
        n++;
      }
    }
    return n;
  }

  transaction<T>(fn: () => T): T {
    const before = new Map(this.rows);
    try {
      return fn();
    } catch (err) {
      this.rows = before;
      throw err;
    }
  }

  get size(): number {
    return this.rows.size;
  }

  private write(): void {
    const err = this.failNextWrite;
    if (err === undefined) return;
    this.failNextWrite = undefined;
    throw err;
  }
}

function key(extension: string, contact: string): string {
  return `${extension}\0${contact}`;
}

function copy(b: Binding): Binding {
  return { ...b, source: { ...b.source } };
}
