import type { Migration } from './migration.js';

/**
 * What the IVR stores beyond flows (issue 5): voicemail messages (the audio lives under the data
 * dir; the row holds path, size, length, checksum and new/heard state), the callback list (from
 * voicemail, an IVR `callback_request` node, later the queue) and survey answers. Each row outlives
 * its call: call_id goes NULL when a calls row is removed.
 */
export const voicemail: Migration = {
  version: 7,
  name: 'voicemail',
  up(db) {
    db.exec(`
      CREATE TABLE voicemail (
        id          INTEGER PRIMARY KEY,
        mailbox     TEXT NOT NULL CHECK (length(mailbox) BETWEEN 1 AND 64),
        call_id     TEXT REFERENCES calls(id) ON DELETE SET NULL,
        caller      TEXT NOT NULL DEFAULT '',
        path        TEXT NOT NULL,                -- relative to the data dir
        duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
        size_bytes  INTEGER NOT NULL CHECK (size_bytes >= 0),
        sha256      TEXT NOT NULL,
        state       TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'heard', 'deleted')),
        created_at  INTEGER NOT NULL,             -- UTC epoch ms
        heard_at    INTEGER
      ) STRICT;
      CREATE INDEX voicemail_mailbox ON voicemail (mailbox, state, created_at);
      CREATE INDEX voicemail_call ON voicemail (call_id);

      CREATE TABLE callbacks (
        id         INTEGER PRIMARY KEY,
        call_id    TEXT REFERENCES calls(id) ON DELETE SET NULL,
        number     TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 32),
        wanted_at  INTEGER,                       -- when the caller asked to be called; NULL = as soon as possible
        source     TEXT NOT NULL CHECK (source IN ('voicemail', 'ivr', 'queue')),
        state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
        created_at INTEGER NOT NULL,
        done_at    INTEGER,
        note       TEXT NOT NULL DEFAULT ''
      ) STRICT;
      CREATE INDEX callbacks_state ON callbacks (state, created_at);
      CREATE INDEX callbacks_call ON callbacks (call_id);

      CREATE TABLE surveys (
        id         INTEGER PRIMARY KEY,
        call_id    TEXT REFERENCES calls(id) ON DELETE SET NULL,
        name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
        score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX surveys_call ON surveys (call_id);
      CREATE INDEX surveys_name ON surveys (name, created_at);
    `);
  },
};
