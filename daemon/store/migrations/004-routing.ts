import type { Migration } from './migration.js';

/**
 * Inbound routing: lines already carry `target` and `direction` (001); this adds the blacklist of
 * callers refused before any agent rings. Matching is on the normalised number (digits, leading +).
 */
export const routing: Migration = {
  version: 4,
  name: 'routing',
  up(db) {
    db.exec(`
      CREATE TABLE blacklist (
        id          INTEGER PRIMARY KEY,
        number      TEXT NOT NULL,                 -- as typed
        number_norm TEXT NOT NULL UNIQUE CHECK (length(number_norm) >= 3),
        reason      TEXT NOT NULL DEFAULT '',
        created_at  INTEGER NOT NULL               -- UTC epoch ms
      ) STRICT;
    `);
  },
};
