import type { Migration } from './migration.js';

/**
 * Calls are events (DESIGN.md): every state change is a row in `events`; the `calls` row is the
 * CDR derived from them. Events without a call (an rtpengine restart, a gateway going down) have
 * a NULL call_id.
 */
export const calls: Migration = {
  version: 2,
  name: 'calls',
  up(db) {
    db.exec(`
      CREATE TABLE calls (
        id           TEXT PRIMARY KEY,           -- our call id (uuid)
        sip_call_id  TEXT NOT NULL,
        direction    TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
        line_id      INTEGER REFERENCES lines(id) ON DELETE SET NULL,
        extension    TEXT,
        caller       TEXT NOT NULL DEFAULT '',
        caller_norm  TEXT NOT NULL DEFAULT '',
        callee       TEXT NOT NULL DEFAULT '',
        started_at   INTEGER NOT NULL,           -- UTC epoch ms
        answered_at  INTEGER,
        ended_at     INTEGER,
        disposition  TEXT,                       -- answered, no_answer, busy, blocked, failed, abandoned
        cause        TEXT
      ) STRICT;
      CREATE INDEX calls_started ON calls (started_at);
      CREATE INDEX calls_caller ON calls (caller_norm, started_at);

      CREATE TABLE events (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        at      INTEGER NOT NULL,                -- UTC epoch ms
        type    TEXT NOT NULL,                   -- call.offered, agent.state, system.rtpengine.restarted, …
        call_id TEXT REFERENCES calls(id) ON DELETE CASCADE,
        data    TEXT NOT NULL DEFAULT '{}'       -- JSON
      ) STRICT;
      CREATE INDEX events_call ON events (call_id, id);
      CREATE INDEX events_type_at ON events (type, at);
    `);
  },
};
