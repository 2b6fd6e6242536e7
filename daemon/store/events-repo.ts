import type { Database } from 'better-sqlite3';

export interface EventRow {
  id: number;
  at: number;
  type: string;
  callId: string | null;
  data: Record<string, unknown>;
}

/** The event log every report and the wallboard read (DESIGN.md "Calls are events"). */
export class EventsRepo {
  constructor(private readonly db: Database) {}

  append(type: string, data: Record<string, unknown>, opts: { callId?: string; at?: number } = {}): number {
    const r = this.db.prepare('INSERT INTO events (at, type, call_id, data) VALUES (?, ?, ?, ?)')
      .run(opts.at ?? Date.now(), type, opts.callId ?? null, JSON.stringify(data));
    return Number(r.lastInsertRowid);
  }

  recent(opts: { type?: string; limit?: number } = {}): EventRow[] {
    const rows = this.db.prepare(`SELECT id, at, type, call_id AS callId, data FROM events
      WHERE (@type IS NULL OR type = @type) ORDER BY id DESC LIMIT @limit`)
      .all({ type: opts.type ?? null, limit: opts.limit ?? 100 }) as Array<Omit<EventRow, 'data'> & { data: string }>;
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  /** One call's events in the order they happened (the CDR is derived from them). */
  forCall(callId: string): EventRow[] {
    const rows = this.db.prepare('SELECT id, at, type, call_id AS callId, data FROM events WHERE call_id = ? ORDER BY id')
      .all(callId) as Array<Omit<EventRow, 'data'> & { data: string }>;
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
  }
}
