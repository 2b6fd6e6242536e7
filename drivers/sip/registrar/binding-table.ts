import type { Binding, BindingStore } from './types.js';

/**
 * The registrar's bindings: an in-memory copy per extension (REGISTER and call routing read it),
 * written through to the BindingStore so that they survive a restart. Store first, then memory:
 * when the store throws, memory is unchanged.
 */
export class BindingTable {
  private readonly byExt = new Map<string, Map<string, Binding>>();

  constructor(private readonly store: BindingStore) {
    for (const b of store.loadAll()) this.put(b);
  }

  /** Bindings of `extension` still alive at `now`, most recently updated first (copies). */
  live(extension: string, now: number): Binding[] {
    const m = this.byExt.get(extension);
    if (m === undefined) return [];
    return [...m.values()]
      .filter((b) => b.expiresAt > now)
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map((b) => ({ ...b, source: { ...b.source } }));
  }

  /** Every live binding of every extension. */
  allLive(now: number): Binding[] {
    return [...this.byExt.keys()].flatMap((ext) => this.live(ext, now));
  }

  /** Extensions with at least one live binding. */
  extensions(now: number): string[] {
    return [...this.byExt.keys()].filter((ext) => this.live(ext, now).length > 0).sort();
  }

  /** Apply a REGISTER's changes to one extension as one unit. */
  commit(extension: string, upserts: readonly Binding[], removes: readonly string[]): void {
    this.store.transaction(() => {
      for (const contact of removes) this.store.remove(extension, contact);
      for (const b of upserts) this.store.upsert(b);
    });
    for (const contact of removes) this.byExt.get(extension)?.delete(contact);
    for (const b of upserts) this.put(b);
    if (this.byExt.get(extension)?.size === 0) this.byExt.delete(extension);
  }

  /** Remove every binding of `extension` (`Contact: *`); returns what was there. */
  removeAll(extension: string): Binding[] {
    const gone = [...(this.byExt.get(extension)?.values() ?? [])];
    this.store.removeAll(extension);
    this.byExt.delete(extension);
    return gone;
  }

  /** Remove bindings expired at `now` (of one extension, or all); returns them. */
  purge(now: number, extension?: string): Binding[] {
    const exts = extension === undefined ? [...this.byExt.keys()] : [extension];
    const gone: Binding[] = [];
    for (const ext of exts) {
      for (const b of this.byExt.get(ext)?.values() ?? []) if (b.expiresAt <= now) gone.push(b);
    }
    if (gone.length === 0) return gone;
    if (extension === undefined) {
      this.store.purgeExpired(now);
    } else {
      this.store.transaction(() => { for (const b of gone) this.store.remove(b.extension, b.contact); });
    }
    for (const b of gone) {
      const m = this.byExt.get(b.extension);
      m?.delete(b.contact);
      if (m?.size === 0) this.byExt.delete(b.extension);
    }
    return gone;
  }

  private put(b: Binding): void {
    let m = this.byExt.get(b.extension);
    if (m === undefined) this.byExt.set(b.extension, (m = new Map()));
    m.set(b.contact, b);
  }
}
