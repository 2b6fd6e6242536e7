import type { Database } from 'better-sqlite3';

/** recording → converting → done → deleted (retention); or failed (the pcap is kept for a look). */
export type RecordingState = 'recording' | 'converting' | 'done' | 'failed' | 'deleted';
export type RecordingFileFormat = 'opus' | 'mp3';

export interface RecordingRow {
  id: number;
  /** Our call id; null once the calls row is gone. */
  callId: string | null;
  state: RecordingState;
  /** The call-id rtpengine knows the call by (it names the pcap). */
  mediaId: string;
  /** Compressed file, relative to the data dir. */
  path: string | null;
  format: RecordingFileFormat | null;
  sizeBytes: number | null;
  durationMs: number | null;
  sha256: string | null;
  /** UTC epoch ms. */
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
}

/** Columns a state change may set along with the state. */
export type RecordingFields = Partial<Pick<RecordingRow,
  'path' | 'format' | 'sizeBytes' | 'durationMs' | 'sha256' | 'startedAt' | 'finishedAt' | 'error'>>;

const COLUMNS = `id, call_id AS callId, state, media_id AS mediaId, path, format, size_bytes AS sizeBytes,
  duration_ms AS durationMs, sha256, started_at AS startedAt, finished_at AS finishedAt, error`;

const FIELD_COLUMNS: Record<keyof RecordingFields, string> = {
  path: 'path', format: 'format', sizeBytes: 'size_bytes', durationMs: 'duration_ms', sha256: 'sha256',
  startedAt: 'started_at', finishedAt: 'finished_at', error: 'error',
};

/** The recordings index: one row per recorded call leg pair; the files live under the data dir. */
export class RecordingsRepo {
  constructor(private readonly db: Database) {}

  /** A recording starts (state 'recording'); returns its id. The calls row must exist. */
  insert(r: { callId: string; mediaId: string; startedAt: number }): number {
    const res = this.db.prepare(`INSERT INTO recordings (call_id, state, media_id, started_at) VALUES (?, 'recording', ?, ?)`)
      .run(r.callId, r.mediaId, r.startedAt);
    return Number(res.lastInsertRowid);
  }

  get(id: number): RecordingRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM recordings WHERE id = ?`).get(id) as RecordingRow | undefined;
  }

  /** Sets the state and the given columns (undefined ones are left as they are); true when the row exists. */
  setState(id: number, state: RecordingState, fields: RecordingFields = {}): boolean {
    const set = (Object.keys(FIELD_COLUMNS) as Array<keyof RecordingFields>).filter((k) => fields[k] !== undefined);
    const sql = `UPDATE recordings SET state = @state${set.map((k) => `, ${FIELD_COLUMNS[k]} = @${k}`).join('')} WHERE id = @id`;
    const params: Record<string, unknown> = { id, state };
    for (const k of set) params[k] = fields[k];
    return this.db.prepare(sql).run(params).changes > 0;
  }

  /** Rows whose conversion has not finished (the daemon stopped or crashed meanwhile), oldest first. */
  pending(): RecordingRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM recordings WHERE state IN ('recording', 'converting') ORDER BY id`).all() as RecordingRow[];
  }

  /** Finished recordings of calls that started before `before` (epoch ms): what retention removes. */
  expired(before: number): RecordingRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM recordings WHERE state = 'done' AND started_at < ? ORDER BY id`).all(before) as RecordingRow[];
  }

  /** Newest first. */
  list(opts: { limit?: number } = {}): RecordingRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM recordings ORDER BY started_at DESC, id DESC LIMIT ?`).all(opts.limit ?? 100) as RecordingRow[];
  }
}
