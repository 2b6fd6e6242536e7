import type { Database } from 'better-sqlite3';
import type { VipRow } from '../acd/acd-types.js';

const COLUMNS = 'number, name, level, pin, created_at AS createdAt';

/**
 * VIP callers by normalised number (`normalizeNumber` of daemon/lines; daemon/acd/queue-settings.ts
 * does it for the CLI). The store imports no engine, so numbers arrive normalised.
 */
export class VipRepo {
  constructor(private readonly db: Database) {}

  get(number: string): VipRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM vip WHERE number = ?`).get(number) as VipRow | undefined;
  }

  /** By number. */
  list(): VipRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM vip ORDER BY number`).all() as VipRow[];
  }

  /** Insert, or replace name, level and PIN of a number already listed (its createdAt stays). */
  add(row: VipRow): void {
    this.db.prepare(`INSERT INTO vip (number, name, level, pin, created_at) VALUES (@number, @name, @level, @pin, @createdAt)
      ON CONFLICT (number) DO UPDATE SET name = excluded.name, level = excluded.level, pin = excluded.pin`).run(row);
  }

  /** True when a row was removed. */
  remove(number: string): boolean {
    return this.db.prepare('DELETE FROM vip WHERE number = ?').run(number).changes > 0;
  }
}
