import type { Database } from 'better-sqlite3';
import type { AgentRow } from '../acd/acd-types.js';

const COLUMNS = `ext, logged_in AS loggedIn, paused, pause_reason AS pauseReason, wrap_up_s AS wrapUpS, updated_at AS updatedAt`;

type Row = Omit<AgentRow, 'loggedIn' | 'paused'> & { loggedIn: number; paused: number };

const agent = (r: Row): AgentRow => ({ ...r, loggedIn: r.loggedIn === 1, paused: r.paused === 1 });

/**
 * What survives a restart of each agent's state (logged in, paused and why, own wrap-up). A queue
 * member without a row counts as logged in (a static member) with the queue's wrap-up.
 */
export class AgentsRepo {
  constructor(private readonly db: Database) {}

  get(ext: string): AgentRow | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM agents WHERE ext = ?`).get(ext) as Row | undefined;
    return row && agent(row);
  }

  /** By extension. */
  list(): AgentRow[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM agents ORDER BY ext`).all() as Row[]).map(agent);
  }

  /** Insert or replace the agent's row; the extension must exist. */
  save(row: AgentRow): void {
    this.db.prepare(`INSERT INTO agents (ext, logged_in, paused, pause_reason, wrap_up_s, updated_at)
      VALUES (@ext, @loggedIn, @paused, @pauseReason, @wrapUpS, @updatedAt)
      ON CONFLICT (ext) DO UPDATE SET logged_in = excluded.logged_in, paused = excluded.paused,
        pause_reason = excluded.pause_reason, wrap_up_s = excluded.wrap_up_s, updated_at = excluded.updated_at`)
      .run({ ...row, loggedIn: row.loggedIn ? 1 : 0, paused: row.paused ? 1 : 0 });
  }
}
