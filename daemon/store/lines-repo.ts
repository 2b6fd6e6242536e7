import type { Database } from 'better-sqlite3';

export type LineDirection = 'in' | 'out' | 'both';

/** When a call is recorded: never, from the first ring, or from the answer. */
export type RecordPolicy = 'off' | 'ring' | 'answer';
export const RECORD_POLICIES: readonly RecordPolicy[] = ['off', 'ring', 'answer'];

export function isRecordPolicy(s: string): s is RecordPolicy {
  return (RECORD_POLICIES as readonly string[]).includes(s);
}

export interface LineRow {
  id: number;
  number: string;
  numberNorm: string;
  gatewayId: number | null;
  portUser: string;
  direction: LineDirection;
  target: string;
  enabled: boolean;
  record: RecordPolicy;
  /** Target after the ring time-out (same form as `target`); '' = hang up. */
  fallback: string;
}

export interface LineInput {
  id: number;
  number: string;
  numberNorm: string;
  gatewayId: number | null;
  portUser: string;
}

const COLUMNS = `id, number, number_norm AS numberNorm, gateway_id AS gatewayId, port_user AS portUser,
  direction, target, enabled, record, fallback`;

export class LinesRepo {
  constructor(private readonly db: Database) {}

  list(): LineRow[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM lines ORDER BY id`).all() as Array<Omit<LineRow, 'enabled'> & { enabled: number }>;
    return rows.map((r) => ({ ...r, enabled: r.enabled === 1 }));
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM lines WHERE enabled = 1').get() as { n: number }).n;
  }

  /** Insert or update the line's identity; routing (direction, target) is left as it was. */
  upsert(l: LineInput, now = Date.now()): void {
    this.db.prepare(`INSERT INTO lines (id, number, number_norm, gateway_id, port_user, updated_at)
      VALUES (@id, @number, @numberNorm, @gatewayId, @portUser, @now)
      ON CONFLICT (id) DO UPDATE SET number = excluded.number, number_norm = excluded.number_norm,
        gateway_id = excluded.gateway_id, port_user = excluded.port_user, updated_at = excluded.updated_at`)
      .run({ ...l, now });
  }

  get(id: number): LineRow | undefined {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM lines WHERE id = ?`).get(id) as (Omit<LineRow, 'enabled'> & { enabled: number }) | undefined;
    return r && { ...r, enabled: r.enabled === 1 };
  }

  /** Where inbound calls on the line go (validated by the caller); false when there is no such line. */
  setTarget(id: number, target: string, now = Date.now()): boolean {
    return this.db.prepare('UPDATE lines SET target = ?, updated_at = ? WHERE id = ?').run(target, now, id).changes > 0;
  }

  /** false when there is no such line. */
  setDirection(id: number, direction: LineDirection, now = Date.now()): boolean {
    return this.db.prepare('UPDATE lines SET direction = ?, updated_at = ? WHERE id = ?').run(direction, now, id).changes > 0;
  }

  /** false when there is no such line. */
  setRecord(id: number, record: RecordPolicy, now = Date.now()): boolean {
    return this.db.prepare('UPDATE lines SET record = ?, updated_at = ? WHERE id = ?').run(record, now, id).changes > 0;
  }

  /** Target after the ring time-out (validated by the caller), '' to hang up; false when there is no such line. */
  setFallback(id: number, fallback: string, now = Date.now()): boolean {
    return this.db.prepare('UPDATE lines SET fallback = ?, updated_at = ? WHERE id = ?').run(fallback, now, id).changes > 0;
  }
}
