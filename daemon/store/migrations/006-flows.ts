import type { Migration } from './migration.js';

/**
 * IVR flows, versioned: every save that changes a flow adds a row to flow_versions and moves
 * flows.current_version; a rollback writes the old JSON as a new version, so history only grows.
 * Lines point at a flow by name (`lines.target = 'flow:NAME'`).
 */
export const flows: Migration = {
  version: 6,
  name: 'flows',
  up(db) {
    db.exec(`
      CREATE TABLE flows (
        name            TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 32),
        current_version INTEGER NOT NULL CHECK (current_version >= 1),
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE flow_versions (
        id         INTEGER PRIMARY KEY,
        flow_name  TEXT NOT NULL REFERENCES flows(name) ON DELETE CASCADE,
        version    INTEGER NOT NULL CHECK (version >= 1),
        json       TEXT NOT NULL,                  -- the flow document, validated before it is saved
        created_at INTEGER NOT NULL,
        comment    TEXT NOT NULL DEFAULT '',
        UNIQUE (flow_name, version)
      ) STRICT;
    `);
  },
};
