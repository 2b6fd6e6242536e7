import type { Database } from 'better-sqlite3';

/** Where the request came from: a voicemail left, an IVR `callback_request` node, the queue. */
export type CallbackSource = 'voicemail' | 'ivr' | 'queue';
export type CallbackState = 'pending' | 'done' | 'cancelled';

export interface CallbackRow {
  id: number;
  /** The call that asked; null once the calls row is gone. */
  callId: string | null;
  /** The number to call back. */
  number: string;
  /** When the caller wants to be called (epoch ms); null = as soon as possible. */
  wantedAt: number | null;
  source: CallbackSource;
  state: CallbackState;
  createdAt: number;
  doneAt: number | null;
  note: string;
}

export type CallbackNew = Pick<CallbackRow, 'callId' | 'number' | 'wantedAt' | 'source' | 'createdAt'> & { note?: string };

const COLUMNS = `id, call_id AS callId, number, wanted_at AS wantedAt, source, state, created_at AS createdAt, done_at AS doneAt, note`;

/** The callback list: callers waiting to be called back. */
export class CallbacksRepo {
  constructor(private readonly db: Database) {}

  /** A pending callback; returns its id. The calls row, when given, must exist. */
  insert(c: CallbackNew): number {
    return Number(this.db.prepare(`INSERT INTO callbacks (call_id, number, wanted_at, source, created_at, note)
      VALUES (@callId, @number, @wantedAt, @source, @createdAt, @note)`).run({ ...c, note: c.note ?? '' }).lastInsertRowid);
  }

  get(id: number): CallbackRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM callbacks WHERE id = ?`).get(id) as CallbackRow | undefined;
  }

  /** The pending callback for this exact number, if any (one caller who calls twice is called back once). */
  pendingFor(number: string): CallbackRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM callbacks WHERE number = ? AND state = 'pending' ORDER BY id LIMIT 1`).get(number) as CallbackRow | undefined;
  }

  /** Pending callbacks in the order to make them: by wanted time, else by when they were asked for. */
  pending(limit = 100): CallbackRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM callbacks WHERE state = 'pending'
      ORDER BY coalesce(wanted_at, created_at), id LIMIT ?`).all(limit) as CallbackRow[];
  }

  /** Every callback, newest first. */
  list(limit = 100): CallbackRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM callbacks ORDER BY created_at DESC, id DESC LIMIT ?`).all(limit) as CallbackRow[];
  }

  /** A pending callback is done or cancelled; a note is appended to the one it had. False unless it was pending. */
  close(id: number, state: 'done' | 'cancelled', at: number, note = ''): boolean {
    return this.db.prepare(`UPDATE callbacks SET state = @state, done_at = @at,
        note = CASE WHEN @note = '' THEN note WHEN note = '' THEN @note ELSE note || ' | ' || @note END
      WHERE id = @id AND state = 'pending'`).run({ id, state, at, note }).changes > 0;
  }
}
