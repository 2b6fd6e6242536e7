import type { Database } from 'better-sqlite3';
import type { QueueMember, QueueSettings } from '../acd/acd-types.js';

const COLUMNS = `name, strategy, ring_timeout_s AS ringTimeoutS, retry_s AS retryS, max_wait_s AS maxWaitS, overflow,
  max_length AS maxLength, join_empty AS joinEmpty, leave_empty AS leaveEmpty, wrap_up_s AS wrapUpS,
  announce_every_s AS announceEveryS, announce_position AS announcePosition, announce_wait AS announceWait,
  callback_digit AS callbackDigit, sticky_days AS stickyDays, sticky_wait_s AS stickyWaitS,
  auto_pause_after AS autoPauseAfter, language`;

type Flag = 'joinEmpty' | 'leaveEmpty' | 'announcePosition' | 'announceWait';
const FLAGS: readonly Flag[] = ['joinEmpty', 'leaveEmpty', 'announcePosition', 'announceWait'];

/** A `queues` row as SQLite returns it: booleans are 0/1. */
type QueueRow = Omit<QueueSettings, 'members' | Flag> & Record<Flag, number>;

/**
 * The ACD's queues with their members. Values arrive validated (daemon/acd/queue-settings.ts); the
 * table's CHECKs and foreign keys refuse anything else, so a bad write changes nothing.
 */
export class QueuesRepo {
  constructor(private readonly db: Database) {}

  /** By name. */
  list(): QueueSettings[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM queues ORDER BY name`).all() as QueueRow[];
    return rows.map((r) => this.settings(r));
  }

  get(name: string): QueueSettings | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM queues WHERE name = ?`).get(name) as QueueRow | undefined;
    return row && this.settings(row);
  }

  /** Create the queue or replace its settings and members, in one transaction (`now` stamps it). */
  upsert(q: QueueSettings, now: number): void {
    const flags = Object.fromEntries(FLAGS.map((f) => [f, q[f] ? 1 : 0]));
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO queues (name, strategy, ring_timeout_s, retry_s, max_wait_s, overflow, max_length, join_empty,
          leave_empty, wrap_up_s, announce_every_s, announce_position, announce_wait, callback_digit, sticky_days, sticky_wait_s,
          auto_pause_after, language, created_at, updated_at)
        VALUES (@name, @strategy, @ringTimeoutS, @retryS, @maxWaitS, @overflow, @maxLength, @joinEmpty, @leaveEmpty, @wrapUpS,
          @announceEveryS, @announcePosition, @announceWait, @callbackDigit, @stickyDays, @stickyWaitS, @autoPauseAfter, @language,
          @now, @now)
        ON CONFLICT (name) DO UPDATE SET strategy = excluded.strategy, ring_timeout_s = excluded.ring_timeout_s,
          retry_s = excluded.retry_s, max_wait_s = excluded.max_wait_s, overflow = excluded.overflow, max_length = excluded.max_length,
          join_empty = excluded.join_empty, leave_empty = excluded.leave_empty, wrap_up_s = excluded.wrap_up_s,
          announce_every_s = excluded.announce_every_s, announce_position = excluded.announce_position,
          announce_wait = excluded.announce_wait, callback_digit = excluded.callback_digit, sticky_days = excluded.sticky_days,
          sticky_wait_s = excluded.sticky_wait_s, auto_pause_after = excluded.auto_pause_after, language = excluded.language,
          updated_at = excluded.updated_at`)
        .run({ ...q, ...flags, now });
      this.db.prepare('DELETE FROM queue_members WHERE queue = ?').run(q.name);
      const add = this.db.prepare('INSERT INTO queue_members (queue, ext, penalty, position) VALUES (?, ?, ?, ?)');
      for (const m of q.members) add.run(q.name, m.ext, m.penalty, m.position);
    })();
  }

  /** false when there is no such queue; its members go with it. */
  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM queues WHERE name = ?').run(name).changes > 0;
  }

  private settings(row: QueueRow): QueueSettings {
    const flags = Object.fromEntries(FLAGS.map((f) => [f, row[f] === 1])) as Record<Flag, boolean>;
    return { ...row, ...flags, members: this.members(row.name) };
  }

  private members(name: string): QueueMember[] {
    return this.db.prepare('SELECT ext, penalty, position FROM queue_members WHERE queue = ? ORDER BY position, ext').all(name) as QueueMember[];
  }
}
