import type { Migration } from './migration.js';

/**
 * SIP registrations of the agents' phones (drivers/sip/registrar), so that a daemon restart keeps
 * phones reachable until they re-register. One row per binding (extension, contact URI); the
 * source columns hold where the REGISTER came from, which is where calls are sent (NAT).
 */
export const registrations: Migration = {
  version: 3,
  name: 'registrations',
  up(db) {
    db.exec(`
      CREATE TABLE registrations (
        extension        TEXT NOT NULL REFERENCES extensions(ext) ON DELETE CASCADE,
        contact          TEXT NOT NULL,                 -- Contact URI as registered
        source_transport TEXT NOT NULL CHECK (source_transport IN ('udp', 'tcp')),
        source_address   TEXT NOT NULL,
        source_port      INTEGER NOT NULL CHECK (source_port BETWEEN 1 AND 65535),
        expires_at       INTEGER NOT NULL,              -- UTC epoch ms
        call_id          TEXT NOT NULL,
        cseq             INTEGER NOT NULL CHECK (cseq >= 0),
        user_agent       TEXT NOT NULL DEFAULT '',
        updated_at       INTEGER NOT NULL,              -- UTC epoch ms
        PRIMARY KEY (extension, contact)
      ) STRICT;
      CREATE INDEX registrations_expires ON registrations (expires_at);
    `);
  },
};
