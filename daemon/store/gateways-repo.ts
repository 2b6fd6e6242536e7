import type { Database } from 'better-sqlite3';

export interface GatewayRow {
  id: number;
  name: string;
  model: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
}

export type GatewayInput = Omit<GatewayRow, 'id'>;

export class GatewaysRepo {
  constructor(private readonly db: Database) {}

  list(): GatewayRow[] {
    return this.db.prepare('SELECT id, name, model, host, port, transport FROM gateways ORDER BY id').all() as GatewayRow[];
  }

  /** Insert or update by name; returns the id. */
  upsert(g: GatewayInput, now = Date.now()): number {
    const row = this.db.prepare(`INSERT INTO gateways (name, model, host, port, transport, created_at, updated_at)
      VALUES (@name, @model, @host, @port, @transport, @now, @now)
      ON CONFLICT (name) DO UPDATE SET model = excluded.model, host = excluded.host, port = excluded.port,
        transport = excluded.transport, updated_at = excluded.updated_at
      RETURNING id`).get({ ...g, now }) as { id: number };
    return row.id;
  }
}
