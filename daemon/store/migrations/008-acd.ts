import type { Migration } from './migration.js';

/**
 * The ACD (daemon/acd/acd-types.ts): queues with their members (penalty tiers, order for `linear`),
 * the part of an agent's state that survives a restart, and VIP callers. The ranges here are the
 * CLI's (daemon/acd/queue-settings.ts), so a row the engine reads is always one it can use.
 * The sticky agent ("who last spoke to this customer") is read from `calls`: inbound by caller_norm
 * (index calls_caller, 002), outbound by the dialled number with its formatting removed (calls_callee).
 */
export const acd: Migration = {
  version: 8,
  name: 'acd',
  up(db) {
    db.exec(`
      CREATE TABLE queues (
        name              TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 32 AND name GLOB '[a-z0-9]*' AND name NOT GLOB '*[^a-z0-9_-]*'),
        strategy          TEXT NOT NULL CHECK (strategy IN ('ring-all', 'longest-idle', 'round-robin', 'fewest-calls', 'least-talk', 'random', 'linear')),
        ring_timeout_s    INTEGER NOT NULL CHECK (ring_timeout_s BETWEEN 5 AND 120),
        retry_s           INTEGER NOT NULL CHECK (retry_s BETWEEN 0 AND 60),
        max_wait_s        INTEGER NOT NULL CHECK (max_wait_s BETWEEN 0 AND 86400),       -- 0 = no limit
        overflow          TEXT NOT NULL DEFAULT '',                                       -- a target; '' = goodbye and hang up
        max_length        INTEGER NOT NULL CHECK (max_length BETWEEN 0 AND 100),          -- 0 = no limit
        join_empty        INTEGER NOT NULL CHECK (join_empty IN (0, 1)),
        leave_empty       INTEGER NOT NULL CHECK (leave_empty IN (0, 1)),
        wrap_up_s         INTEGER NOT NULL CHECK (wrap_up_s BETWEEN 0 AND 3600),
        announce_every_s  INTEGER NOT NULL CHECK (announce_every_s BETWEEN -1 AND 3600),  -- 0 = on entry only, -1 = never
        announce_position INTEGER NOT NULL CHECK (announce_position IN (0, 1)),
        announce_wait     INTEGER NOT NULL CHECK (announce_wait IN (0, 1)),
        callback_digit    TEXT NOT NULL CHECK (callback_digit IN ('', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#')),
        sticky_days       INTEGER NOT NULL CHECK (sticky_days BETWEEN 0 AND 365),
        sticky_wait_s     INTEGER NOT NULL CHECK (sticky_wait_s BETWEEN 0 AND 300),
        auto_pause_after  INTEGER NOT NULL CHECK (auto_pause_after BETWEEN 0 AND 20),
        language          TEXT NOT NULL CHECK (language IN ('zh-CN', 'en')),
        created_at        INTEGER NOT NULL,                                               -- UTC epoch ms
        updated_at        INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE queue_members (
        queue    TEXT NOT NULL REFERENCES queues(name) ON DELETE CASCADE,
        ext      TEXT NOT NULL REFERENCES extensions(ext) ON DELETE CASCADE,
        penalty  INTEGER NOT NULL DEFAULT 0 CHECK (penalty BETWEEN 0 AND 9),                -- tier: 0 is offered first
        position INTEGER NOT NULL CHECK (position >= 0),                                  -- order for linear
        PRIMARY KEY (queue, ext)
      ) STRICT;
      CREATE INDEX queue_members_ext ON queue_members (ext);

      CREATE TABLE agents (
        ext          TEXT PRIMARY KEY REFERENCES extensions(ext) ON DELETE CASCADE,
        logged_in    INTEGER NOT NULL DEFAULT 0 CHECK (logged_in IN (0, 1)),
        paused       INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
        pause_reason TEXT NOT NULL DEFAULT '',
        wrap_up_s    INTEGER CHECK (wrap_up_s BETWEEN 0 AND 3600),                         -- NULL = the queue's
        updated_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE vip (
        number     TEXT PRIMARY KEY CHECK (length(number) BETWEEN 3 AND 32),   -- normalised: digits, leading +
        name       TEXT NOT NULL DEFAULT '',
        level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 9),
        pin        TEXT CHECK (pin IS NULL OR (length(pin) BETWEEN 4 AND 8 AND pin NOT GLOB '*[^0-9]*')),
        created_at INTEGER NOT NULL
      ) STRICT;

      -- The outbound half of the sticky-agent lookup (CallsRepo.lastAgentFor uses the same expression).
      CREATE INDEX calls_callee ON calls (replace(replace(replace(replace(replace(callee, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), started_at);
    `);
  },
};
