import type { Database } from 'better-sqlite3';

export type CallDirection = 'inbound' | 'outbound' | 'internal';
export const CALL_DIRECTIONS: readonly CallDirection[] = ['inbound', 'outbound', 'internal'];

export type Disposition = 'answered' | 'no_answer' | 'busy' | 'blocked' | 'failed' | 'abandoned' | 'rejected';
export const DISPOSITIONS: readonly Disposition[] = ['answered', 'no_answer', 'busy', 'blocked', 'failed', 'abandoned', 'rejected'];

export function isDisposition(s: unknown): s is Disposition {
  return typeof s === 'string' && (DISPOSITIONS as readonly string[]).includes(s);
}

/** What the engine knows when a call starts. */
export interface CallOpen {
  id: string;
  sipCallId: string;
  direction: CallDirection;
  lineId: number | null;
  extension: string | null;
  caller: string;
  callerNorm: string;
  callerName: string;
  callee: string;
  startedAt: number;
}

/**
 * The final figures of a call, derived from its events (`deriveCdr` in daemon/calls/cdr.ts). Defined
 * here because the store imports no engine.
 */
export interface CdrFields {
  answeredAt: number | null;
  endedAt: number;
  disposition: Disposition;
  cause: string;
  ringSeconds: number;
  talkSeconds: number;
  holdSeconds: number;
  extension: string | null;
  recordingId: number | null;
}

/** One `calls` row: the CDR. The figures are null until the call ends. */
export interface CallRow extends CallOpen {
  answeredAt: number | null;
  endedAt: number | null;
  disposition: Disposition | null;
  cause: string | null;
  ringSeconds: number | null;
  talkSeconds: number | null;
  holdSeconds: number | null;
  recordingId: number | null;
}

export type CallPatch = Partial<Pick<CallRow, 'lineId' | 'extension' | 'callee' | 'recordingId'>>;

export interface CallListOptions {
  limit?: number;
  /** Calls started at or after this epoch ms. */
  since?: number;
  direction?: CallDirection;
  /** Digits the caller's or callee's number contains (formatting ignored). */
  number?: string;
}

const COLUMNS = `id, sip_call_id AS sipCallId, direction, line_id AS lineId, extension, caller, caller_norm AS callerNorm,
  caller_name AS callerName, callee, started_at AS startedAt, answered_at AS answeredAt, ended_at AS endedAt,
  disposition, cause, ring_seconds AS ringSeconds, talk_seconds AS talkSeconds, hold_seconds AS holdSeconds,
  recording_id AS recordingId`;

const PATCH_COLUMNS: Record<keyof CallPatch, string> = { lineId: 'line_id', extension: 'extension', callee: 'callee', recordingId: 'recording_id' };

/** SQL for a number column with its usual formatting removed, so digits match however it was written. */
const digitsOf = (col: string) => `replace(replace(replace(replace(replace(replace(${col}, '+', ''), '-', ''), ' ', ''), '(', ''), ')', ''), '.', '')`;

/**
 * The dialled number without its formatting, as the index calls_callee (migration 008) holds it:
 * the sticky-agent lookup must use this exact expression for SQLite to use the index.
 */
const CALLEE_PLAIN = `replace(replace(replace(replace(replace(callee, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')`;

/** CallsRepo.lastAgentFor's query (exported for its query-plan test: both halves must use an index). */
export const LAST_AGENT_SQL = `SELECT extension, started_at FROM calls
    WHERE caller_norm = @number AND started_at >= @since AND direction = 'inbound' AND answered_at IS NOT NULL AND extension IS NOT NULL
  UNION ALL
  SELECT extension, started_at FROM calls
    WHERE ${CALLEE_PLAIN} = @number AND started_at >= @since AND direction = 'outbound' AND answered_at IS NOT NULL AND extension IS NOT NULL
  ORDER BY started_at DESC LIMIT 1`;

/** The CDRs (DESIGN.md "Calls are events"): opened when a call starts, finalized from its events. */
export class CallsRepo {
  constructor(private readonly db: Database) {}

  open(c: CallOpen): void {
    this.db.prepare(`INSERT INTO calls (id, sip_call_id, direction, line_id, extension, caller, caller_norm, caller_name, callee, started_at)
      VALUES (@id, @sipCallId, @direction, @lineId, @extension, @caller, @callerNorm, @callerName, @callee, @startedAt)`).run(c);
  }

  /** What the engine learns while the call runs (the line it took, who answered, the recording). */
  update(id: string, patch: CallPatch): void {
    const keys = (Object.keys(patch) as Array<keyof CallPatch>).filter((k) => k in PATCH_COLUMNS && patch[k] !== undefined);
    if (keys.length === 0) return;
    const set = keys.map((k) => `${PATCH_COLUMNS[k]} = @${k}`).join(', ');
    const params = Object.fromEntries(keys.map((k) => [k, patch[k]]));
    this.db.prepare(`UPDATE calls SET ${set} WHERE id = @id`).run({ ...params, id });
  }

  finalize(id: string, cdr: CdrFields): void {
    this.db.prepare(`UPDATE calls SET answered_at = @answeredAt, ended_at = @endedAt, disposition = @disposition, cause = @cause,
      ring_seconds = @ringSeconds, talk_seconds = @talkSeconds, hold_seconds = @holdSeconds, extension = @extension,
      recording_id = @recordingId WHERE id = @id`).run({ ...cdr, id });
  }

  get(id: string): CallRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM calls WHERE id = ?`).get(id) as CallRow | undefined;
  }

  /** Newest first. */
  list(opts: CallListOptions = {}): CallRow[] {
    const digits = opts.number?.replace(/\D/g, '') ?? '';
    return this.db.prepare(`SELECT ${COLUMNS} FROM calls
      WHERE (@since IS NULL OR started_at >= @since)
        AND (@direction IS NULL OR direction = @direction)
        AND (@number = '' OR instr(${digitsOf('caller_norm')}, @number) > 0 OR instr(${digitsOf('callee')}, @number) > 0)
      ORDER BY started_at DESC, rowid DESC LIMIT @limit`)
      .all({ since: opts.since ?? null, direction: opts.direction ?? null, number: digits, limit: opts.limit ?? 100 }) as CallRow[];
  }

  /**
   * The sticky agent: the extension that answered (inbound, by caller_norm) or placed (outbound, by
   * the dialled number) the most recent answered call with this customer started at or after
   * `since` (epoch ms). `number` is normalised (digits, leading +), as caller_norm is.
   */
  lastAgentFor(number: string, since: number): string | undefined {
    if (number === '') return undefined;
    const row = this.db.prepare(LAST_AGENT_SQL).get({ number, since }) as { extension: string } | undefined;
    return row?.extension;
  }

  /** Calls without an end: in progress, or cut off by a daemon stop. Oldest first. */
  unfinished(): CallRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM calls WHERE ended_at IS NULL ORDER BY started_at, rowid`).all() as CallRow[];
  }
}
