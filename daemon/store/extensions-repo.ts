import type { Database } from 'better-sqlite3';
import type { RecordPolicy } from './lines-repo.js';

export interface ExtensionRow {
  ext: string;
  displayName: string;
  realm: string;
  ha1Md5: string;
  ha1Sha256: string;
  enabled: boolean;
  record: RecordPolicy;
}

export type ExtensionInput = Omit<ExtensionRow, 'enabled' | 'record'>;

/**
 * What an extension may dial out: `outbound` off blocks every external number; `allowedLines` []
 * means any line; `allowPrefixes` lift a box-wide block (calls.blocked_prefixes); `denyPrefixes`
 * add blocks of its own. Defined here (not in daemon/calls) because the store imports no engine.
 */
export interface ExtensionPermissions {
  outbound: boolean;
  allowedLines: number[];
  allowPrefixes: string[];
  denyPrefixes: string[];
}

const COLUMNS = 'ext, display_name AS displayName, realm, ha1_md5 AS ha1Md5, ha1_sha256 AS ha1Sha256, enabled, record';

type StoredRow = Omit<ExtensionRow, 'enabled'> & { enabled: number };
const fromStored = (r: StoredRow): ExtensionRow => ({ ...r, enabled: r.enabled === 1 });

interface StoredPermissions { outbound: number; allowedLines: string; allowPrefixes: string; denyPrefixes: string }

/** A JSON array column as written by setPermissions; anything else (hand-edited) reads as []. */
function jsonArray<T>(text: string, keep: (v: unknown) => v is T): T[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter(keep) : [];
  } catch {
    return [];
  }
}
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isString = (v: unknown): v is string => typeof v === 'string';

export class ExtensionsRepo {
  constructor(private readonly db: Database) {}

  get(ext: string): ExtensionRow | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM extensions WHERE ext = ?`).get(ext) as StoredRow | undefined;
    return row && fromStored(row);
  }

  list(): ExtensionRow[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM extensions ORDER BY ext`).all() as StoredRow[];
    return rows.map(fromStored);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM extensions WHERE enabled = 1').get() as { n: number }).n;
  }

  upsert(e: ExtensionInput, now = Date.now()): void {
    this.db.prepare(`INSERT INTO extensions (ext, display_name, realm, ha1_md5, ha1_sha256, created_at, updated_at)
      VALUES (@ext, @displayName, @realm, @ha1Md5, @ha1Sha256, @now, @now)
      ON CONFLICT (ext) DO UPDATE SET display_name = excluded.display_name, realm = excluded.realm,
        ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256, updated_at = excluded.updated_at`)
      .run({ ext: e.ext, displayName: e.displayName, realm: e.realm, ha1Md5: e.ha1Md5, ha1Sha256: e.ha1Sha256, now });
  }

  /** The extension's outbound permissions; undefined when there is no such extension. */
  permissions(ext: string): ExtensionPermissions | undefined {
    const r = this.db.prepare(`SELECT outbound, allowed_lines AS allowedLines, allow_prefixes AS allowPrefixes,
      deny_prefixes AS denyPrefixes FROM extensions WHERE ext = ?`).get(ext) as StoredPermissions | undefined;
    if (!r) return undefined;
    return {
      outbound: r.outbound === 1,
      allowedLines: jsonArray(r.allowedLines, isNumber),
      allowPrefixes: jsonArray(r.allowPrefixes, isString),
      denyPrefixes: jsonArray(r.denyPrefixes, isString),
    };
  }

  /** Change only the given fields (validated by the caller); false when there is no such extension. */
  setPermissions(ext: string, p: Partial<ExtensionPermissions>, now = Date.now()): boolean {
    const set: string[] = ['updated_at = @now'];
    const values: Record<string, string | number> = { ext, now };
    if (p.outbound !== undefined) { set.push('outbound = @outbound'); values.outbound = p.outbound ? 1 : 0; }
    if (p.allowedLines !== undefined) { set.push('allowed_lines = @allowedLines'); values.allowedLines = JSON.stringify(p.allowedLines); }
    if (p.allowPrefixes !== undefined) { set.push('allow_prefixes = @allowPrefixes'); values.allowPrefixes = JSON.stringify(p.allowPrefixes); }
    if (p.denyPrefixes !== undefined) { set.push('deny_prefixes = @denyPrefixes'); values.denyPrefixes = JSON.stringify(p.denyPrefixes); }
    return this.db.prepare(`UPDATE extensions SET ${set.join(', ')} WHERE ext = @ext`).run(values).changes > 0;
  }

  /** When the extension's calls are recorded; false when there is no such extension. */
  setRecord(ext: string, record: RecordPolicy, now = Date.now()): boolean {
    return this.db.prepare('UPDATE extensions SET record = ?, updated_at = ? WHERE ext = ?').run(record, now, ext).changes > 0;
  }
}
