import type { Database } from 'better-sqlite3';
import { StoreError } from './errors.js';

export interface BlacklistRow {
  number: string;
  numberNorm: string;
  reason: string;
  createdAt: number;
}

const COLUMNS = 'number, number_norm AS numberNorm, reason, created_at AS createdAt';

/**
 * Callers refused before any agent rings. The store imports no engine, so numbers arrive already
 * normalised (`normalizeNumber` of daemon/lines; `Blacklist` there does it for callers).
 */
export class BlacklistRepo {
  constructor(private readonly db: Database) {}

  list(): BlacklistRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM blacklist ORDER BY number_norm`).all() as BlacklistRow[];
  }

  /** Adds the number; one already listed (same normalised form) is a STORE_CONFLICT. */
  add(e: { number: string; numberNorm: string; reason?: string }, now = Date.now()): void {
    const r = this.db.prepare(`INSERT INTO blacklist (number, number_norm, reason, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (number_norm) DO NOTHING`).run(e.number, e.numberNorm, e.reason ?? '', now);
    if (r.changes === 0) throw new StoreError('STORE_CONFLICT', `${e.number} is already on the blacklist`);
  }

  /** True when a row was removed. */
  remove(numberNorm: string): boolean {
    return this.db.prepare('DELETE FROM blacklist WHERE number_norm = ?').run(numberNorm).changes > 0;
  }

  has(numberNorm: string): boolean {
    return this.db.prepare('SELECT 1 FROM blacklist WHERE number_norm = ?').get(numberNorm) !== undefined;
  }
}
