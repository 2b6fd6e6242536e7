import type { Migration } from './migration.js';

/** Box-level business data: settings, the gateway, its lines, the agents' phones, users. */
export const box: Migration = {
  version: 1,
  name: 'box',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,               -- JSON
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE gateways (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        model      TEXT NOT NULL,               -- gateway profile id (generic, grandstream-gxw410x, …)
        host       TEXT NOT NULL,
        port       INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        transport  TEXT NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- The analog lines behind the gateway, numbered 1..N as the installer labels them.
      CREATE TABLE lines (
        id          INTEGER PRIMARY KEY CHECK (id >= 1),
        number      TEXT NOT NULL DEFAULT '',   -- as written on the line (PSTN number)
        number_norm TEXT NOT NULL DEFAULT '',   -- digits only, for matching
        gateway_id  INTEGER REFERENCES gateways(id) ON DELETE SET NULL,
        port_user   TEXT NOT NULL,              -- SIP user of the FXO port (line1..line8)
        direction   TEXT NOT NULL DEFAULT 'both' CHECK (direction IN ('in', 'out', 'both')),
        target      TEXT NOT NULL DEFAULT '',   -- where an inbound call goes (extension, group:NAME, …)
        enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        updated_at  INTEGER NOT NULL,
        UNIQUE (gateway_id, port_user)
      ) STRICT;

      -- Agent desk phones. Only digest HA1 values are kept, never the SIP password itself.
      CREATE TABLE extensions (
        ext          TEXT PRIMARY KEY CHECK (ext GLOB '[0-9]*' AND length(ext) BETWEEN 2 AND 8),
        display_name TEXT NOT NULL DEFAULT '',
        realm        TEXT NOT NULL,
        ha1_md5      TEXT NOT NULL,
        ha1_sha256   TEXT NOT NULL,
        enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE users (
        id                   INTEGER PRIMARY KEY,
        username             TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name         TEXT NOT NULL DEFAULT '',
        role                 TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'qa', 'agent')),
        password_hash        TEXT NOT NULL,     -- scrypt$N$r$p$salt$hash
        must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
        extension            TEXT REFERENCES extensions(ext) ON DELETE SET NULL,
        created_at           INTEGER NOT NULL,
        updated_at           INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
