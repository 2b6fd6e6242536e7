import type { Database } from 'better-sqlite3';

export interface ExtensionRow {
  ext: string;
  displayName: string;
  realm: string;
  ha1Md5: string;
  ha1Sha256: string;
  enabled: boolean;
}

export type ExtensionInput = Omit<ExtensionRow, 'enabled'>;

const COLUMNS = 'ext, display_name AS displayName, realm, ha1_md5 AS ha1Md5, ha1_sha256 AS ha1Sha256, enabled';

export class ExtensionsRepo {
  constructor(private readonly db: Database) {}

  get(ext: string): ExtensionRow | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM extensions WHERE ext = ?`).get(ext) as (Omit<ExtensionRow, 'enabled'> & { enabled: number }) | undefined;
    return row && { ...row, enabled: row.enabled === 1 };
  }

  list(): ExtensionRow[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM extensions ORDER BY ext`).all() as Array<Omit<ExtensionRow, 'enabled'> & { enabled: number }>;
    return rows.map((r) => ({ ...r, enabled: r.enabled === 1 }));
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM extensions WHERE enabled = 1').get() as { n: number }).n;
  }

  upsert(e: ExtensionInput, now = Date.now()): void {
    this.db.prepare(`INSERT INTO extensions (ext, display_name, realm, ha1_md5, ha1_sha256, created_at, updated_at)
      VALUES (@ext, @displayName, @realm, @ha1Md5, @ha1Sha256, @now, @now)
      ON CONFLICT (ext) DO UPDATE SET display_name = excluded.display_name, realm = excluded.realm,
        ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256, updated_at = excluded.updated_at`)
      .run({ ...e, now });
  }
}
