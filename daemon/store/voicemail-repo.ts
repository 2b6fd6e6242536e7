import type { Database } from 'better-sqlite3';

/** new → heard (someone listened) → deleted (file removed, row kept for the call history). */
export type VoicemailState = 'new' | 'heard' | 'deleted';

export interface VoicemailRow {
  id: number;
  /** Whose box: the flow's target (an extension, a group, `main`). */
  mailbox: string;
  /** Our call id; null once the calls row is gone. */
  callId: string | null;
  caller: string;
  /** The audio file, relative to the data dir. */
  path: string;
  durationMs: number;
  sizeBytes: number;
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
  state: VoicemailState;
  /** UTC epoch ms. */
  createdAt: number;
  heardAt: number | null;
}

export type VoicemailNew = Omit<VoicemailRow, 'id' | 'state' | 'heardAt'>;

export interface VoicemailListOptions {
  mailbox?: string;
  /** Only unheard messages. */
  onlyNew?: boolean;
  /** Deleted messages are left out unless asked for. */
  includeDeleted?: boolean;
  limit?: number;
}

const COLUMNS = `id, mailbox, call_id AS callId, caller, path, duration_ms AS durationMs, size_bytes AS sizeBytes, sha256,
  state, created_at AS createdAt, heard_at AS heardAt`;

/** The voicemail index: one row per message left; the audio files live under the data dir. */
export class VoicemailRepo {
  constructor(private readonly db: Database) {}

  /** A new message (state 'new'); returns its id. The calls row, when given, must exist. */
  insert(v: VoicemailNew): number {
    return Number(this.db.prepare(`INSERT INTO voicemail (mailbox, call_id, caller, path, duration_ms, size_bytes, sha256, created_at)
      VALUES (@mailbox, @callId, @caller, @path, @durationMs, @sizeBytes, @sha256, @createdAt)`).run(v).lastInsertRowid);
  }

  /** The file is named after the row id, so its path is known only after the insert. */
  setPath(id: number, path: string): void {
    this.db.prepare('UPDATE voicemail SET path = ? WHERE id = ?').run(path, id);
  }

  get(id: number): VoicemailRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM voicemail WHERE id = ?`).get(id) as VoicemailRow | undefined;
  }

  /** Newest first. */
  list(o: VoicemailListOptions = {}): VoicemailRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM voicemail
      WHERE (@mailbox IS NULL OR mailbox = @mailbox)
        AND (@onlyNew = 0 OR state = 'new')
        AND (@includeDeleted = 1 OR state != 'deleted')
      ORDER BY created_at DESC, id DESC LIMIT @limit`)
      .all({ mailbox: o.mailbox ?? null, onlyNew: o.onlyNew ? 1 : 0, includeDeleted: o.includeDeleted ? 1 : 0, limit: o.limit ?? 100 }) as VoicemailRow[];
  }

  /** Marks a message heard (the first time counts for heard_at); false when there is no such message or it is deleted. */
  markHeard(id: number, at: number): boolean {
    return this.db.prepare(`UPDATE voicemail SET state = 'heard', heard_at = coalesce(heard_at, ?) WHERE id = ? AND state != 'deleted'`)
      .run(at, id).changes > 0;
  }

  /** The file is gone; the row stays for the call history. False when there is no such message. */
  markDeleted(id: number): boolean {
    return this.db.prepare(`UPDATE voicemail SET state = 'deleted' WHERE id = ?`).run(id).changes > 0;
  }
}
