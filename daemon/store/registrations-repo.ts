import type { Database } from 'better-sqlite3';
import type { Binding, BindingStore } from '../../drivers/sip/registrar/index.js';

interface Row {
  extension: string;
  contact: string;
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
  expiresAt: number;
  callId: string;
  cseq: number;
  userAgent: string;
  updatedAt: number;
}

const COLUMNS = `extension, contact, source_transport AS transport, source_address AS address, source_port AS port,
  expires_at AS expiresAt, call_id AS callId, cseq, user_agent AS userAgent, updated_at AS updatedAt`;

/**
 * The registrar's bindings in SQLite (table `registrations`, migration 003): implements the
 * registrar's BindingStore so that registrations survive a daemon restart.
 */
export class RegistrationsRepo implements BindingStore {
  constructor(private readonly db: Database) {}

  loadAll(): Binding[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM registrations ORDER BY extension, updated_at`).all() as Row[];
    return rows.map(toBinding);
  }

  /** Bindings of one extension (for the CLI and status pages; the registrar keeps its own copy). */
  forExtension(extension: string): Binding[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM registrations WHERE extension = ? ORDER BY updated_at DESC`).all(extension) as Row[];
    return rows.map(toBinding);
  }

  upsert(b: Binding): void {
    this.db.prepare(`INSERT INTO registrations
        (extension, contact, source_transport, source_address, source_port, expires_at, call_id, cseq, user_agent, updated_at)
      VALUES (@extension, @contact, @transport, @address, @port, @expiresAt, @callId, @cseq, @userAgent, @updatedAt)
      ON CONFLICT (extension, contact) DO UPDATE SET source_transport = excluded.source_transport,
        source_address = excluded.source_address, source_port = excluded.source_port, expires_at = excluded.expires_at,
        call_id = excluded.call_id, cseq = excluded.cseq, user_agent = excluded.user_agent, updated_at = excluded.updated_at`)
      .run({
        extension: b.extension, contact: b.contact, transport: b.source.transport, address: b.source.address, port: b.source.port,
        expiresAt: b.expiresAt, callId: b.callId, cseq: b.cseq, userAgent: b.userAgent, updatedAt: b.updatedAt,
      });
  }

  remove(extension: string, contact: string): void {
    this.db.prepare('DELETE FROM registrations WHERE extension = ? AND contact = ?').run(extension, contact);
  }

  removeAll(extension: string): void {
    this.db.prepare('DELETE FROM registrations WHERE extension = ?').run(extension);
  }

  purgeExpired(now: number): number {
    return this.db.prepare('DELETE FROM registrations WHERE expires_at <= ?').run(now).changes;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

function toBinding(r: Row): Binding {
  return {
    extension: r.extension,
    contact: r.contact,
    source: { transport: r.transport, address: r.address, port: r.port },
    expiresAt: r.expiresAt,
    callId: r.callId,
    cseq: r.cseq,
    userAgent: r.userAgent,
    updatedAt: r.updatedAt,
  };
}
