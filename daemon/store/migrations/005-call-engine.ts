import type { Migration } from './migration.js';

/**
 * What the call engine needs beyond routing: per-line and per-extension recording policy and line
 * fallback, per-extension outbound permissions, ring groups, the CDR's derived durations, and the
 * recordings index (files live under the data dir; the row holds path, size, duration, checksum).
 */
export const callEngine: Migration = {
  version: 5,
  name: 'call-engine',
  up(db) {
    db.exec(`
      ALTER TABLE lines ADD COLUMN record TEXT NOT NULL DEFAULT 'off' CHECK (record IN ('off', 'ring', 'answer'));
      ALTER TABLE lines ADD COLUMN fallback TEXT NOT NULL DEFAULT '';  -- target after the ring time-out; '' = hang up

      ALTER TABLE extensions ADD COLUMN record TEXT NOT NULL DEFAULT 'off' CHECK (record IN ('off', 'ring', 'answer'));
      ALTER TABLE extensions ADD COLUMN allowed_lines TEXT NOT NULL DEFAULT '[]';   -- JSON [1,2]; [] = every line
      ALTER TABLE extensions ADD COLUMN allow_prefixes TEXT NOT NULL DEFAULT '[]';  -- JSON; lifts a box-wide block
      ALTER TABLE extensions ADD COLUMN deny_prefixes TEXT NOT NULL DEFAULT '[]';   -- JSON; extra blocks
      ALTER TABLE extensions ADD COLUMN outbound INTEGER NOT NULL DEFAULT 1 CHECK (outbound IN (0, 1));

      CREATE TABLE ring_groups (
        name       TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 32),
        strategy   TEXT NOT NULL DEFAULT 'ring-all' CHECK (strategy IN ('ring-all', 'linear')),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE ring_group_members (
        group_name TEXT NOT NULL REFERENCES ring_groups(name) ON DELETE CASCADE,
        ext        TEXT NOT NULL REFERENCES extensions(ext) ON DELETE CASCADE,
        position   INTEGER NOT NULL,
        PRIMARY KEY (group_name, ext)
      ) STRICT;

      ALTER TABLE calls ADD COLUMN caller_name TEXT NOT NULL DEFAULT '';
      ALTER TABLE calls ADD COLUMN ring_seconds REAL;
      ALTER TABLE calls ADD COLUMN talk_seconds REAL;
      ALTER TABLE calls ADD COLUMN hold_seconds REAL;
      ALTER TABLE calls ADD COLUMN recording_id INTEGER;

      CREATE TABLE recordings (
        id          INTEGER PRIMARY KEY,
        call_id     TEXT REFERENCES calls(id) ON DELETE SET NULL,
        state       TEXT NOT NULL CHECK (state IN ('recording', 'converting', 'done', 'failed', 'deleted')),
        media_id    TEXT NOT NULL,           -- the call-id rtpengine knows the call by (names its pcap)
        path        TEXT,                    -- compressed file, relative to the data dir
        format      TEXT,                    -- opus | mp3
        size_bytes  INTEGER,
        duration_ms INTEGER,
        sha256      TEXT,
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        error       TEXT
      ) STRICT;
      CREATE INDEX recordings_state ON recordings (state);
      CREATE INDEX recordings_call ON recordings (call_id);
    `);
  },
};
