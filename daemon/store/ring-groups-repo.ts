import type { Database } from 'better-sqlite3';

/** ring-all: every member's phone rings at once; linear: one after another in position order. */
export type RingStrategy = 'ring-all' | 'linear';
export const RING_STRATEGIES: readonly RingStrategy[] = ['ring-all', 'linear'];

export interface RingGroup {
  name: string;
  strategy: RingStrategy;
  /** Extensions in position order (the order linear rings them). */
  members: string[];
}

interface GroupRow { name: string; strategy: RingStrategy }

export class RingGroupsRepo {
  constructor(private readonly db: Database) {}

  get(name: string): RingGroup | undefined {
    const g = this.db.prepare('SELECT name, strategy FROM ring_groups WHERE name = ?').get(name) as GroupRow | undefined;
    return g && { ...g, members: this.members(g.name) };
  }

  list(): RingGroup[] {
    const groups = this.db.prepare('SELECT name, strategy FROM ring_groups ORDER BY name').all() as GroupRow[];
    return groups.map((g) => ({ ...g, members: this.members(g.name) }));
  }

  /** Create the group, or replace its strategy and members (members must be existing extensions). */
  upsert(g: RingGroup, now = Date.now()): void {
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO ring_groups (name, strategy, created_at) VALUES (?, ?, ?)
        ON CONFLICT (name) DO UPDATE SET strategy = excluded.strategy`).run(g.name, g.strategy, now);
      this.db.prepare('DELETE FROM ring_group_members WHERE group_name = ?').run(g.name);
      const add = this.db.prepare('INSERT INTO ring_group_members (group_name, ext, position) VALUES (?, ?, ?)');
      g.members.forEach((ext, i) => add.run(g.name, ext, i));
    })();
  }

  /** false when there is no such group; its members go with it. */
  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM ring_groups WHERE name = ?').run(name).changes > 0;
  }

  private members(name: string): string[] {
    const rows = this.db.prepare('SELECT ext FROM ring_group_members WHERE group_name = ? ORDER BY position').all(name) as Array<{ ext: string }>;
    return rows.map((r) => r.ext);
  }
}
