import type { Database } from 'better-sqlite3';
import { StoreError } from './errors.js';

/**
 * The stored IVR flows, versioned. The store knows a flow only as a JSON document with a `name`
 * (daemon/ivr validates it before it gets here); a change is a new version, never an edit in place.
 */
export interface FlowDocument {
  name: string;
}

export interface FlowSummary {
  name: string;
  currentVersion: number;
  /** How many versions exist. */
  versions: number;
  description: string;
  createdAt: number;
  updatedAt: number;
}

export interface FlowVersionInfo {
  name: string;
  version: number;
  createdAt: number;
  comment: string;
  current: boolean;
}

export interface FlowVersion extends FlowVersionInfo {
  /** The flow document as saved (pretty-printed JSON). */
  json: string;
}

export interface SavedFlow {
  name: string;
  version: number;
  /** false when the document equals the current version (nothing was written). */
  created: boolean;
}

/** Key order does not make two documents different. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  return `{${Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

const VERSION_COLUMNS = `v.flow_name AS name, v.version, v.created_at AS createdAt, v.comment, v.version = f.current_version AS current`;

export class FlowsRepo {
  constructor(private readonly db: Database) {}

  /** Save `flow` as the new current version of `flow.name`; the same document as the current one writes nothing. */
  save(flow: FlowDocument, comment = '', now = Date.now()): SavedFlow {
    return this.db.transaction((): SavedFlow => {
      const cur = this.get(flow.name);
      if (cur && canonical(JSON.parse(cur.json)) === canonical(flow)) return { name: flow.name, version: cur.version, created: false };
      return { name: flow.name, version: this.append(flow.name, JSON.stringify(flow, null, 2), comment, now, cur !== undefined), created: true };
    })();
  }

  /** The current version, or version `version`; undefined when there is no such flow or version. */
  get(name: string, version?: number): FlowVersion | undefined {
    const row = this.db.prepare(`SELECT ${VERSION_COLUMNS}, v.json FROM flow_versions v JOIN flows f ON f.name = v.flow_name
      WHERE v.flow_name = ? AND v.version = coalesce(?, f.current_version)`).get(name, version ?? null) as (Omit<FlowVersion, 'current'> & { current: number }) | undefined;
    return row && { ...row, current: row.current === 1 };
  }

  list(): FlowSummary[] {
    return this.db.prepare(`SELECT f.name, f.current_version AS currentVersion,
        (SELECT count(*) FROM flow_versions WHERE flow_name = f.name) AS versions,
        coalesce(json_extract(v.json, '$.description'), '') AS description, f.created_at AS createdAt, f.updated_at AS updatedAt
      FROM flows f JOIN flow_versions v ON v.flow_name = f.name AND v.version = f.current_version ORDER BY f.name`).all() as FlowSummary[];
  }

  /** Oldest first; empty when there is no such flow. */
  versions(name: string): FlowVersionInfo[] {
    const rows = this.db.prepare(`SELECT ${VERSION_COLUMNS} FROM flow_versions v JOIN flows f ON f.name = v.flow_name
      WHERE v.flow_name = ? ORDER BY v.version`).all(name) as Array<Omit<FlowVersionInfo, 'current'> & { current: number }>;
    return rows.map((r) => ({ ...r, current: r.current === 1 }));
  }

  /**
   * Make `version`'s document current again, as a new version (history only grows); nothing is
   * written when it already is the current document. Undefined when there is no such version.
   */
  rollback(name: string, version: number, now = Date.now()): SavedFlow | undefined {
    const old = this.get(name, version);
    if (!old) return undefined;
    return this.save(JSON.parse(old.json) as FlowDocument, `rollback to version ${version}`, now);
  }

  /** Lines whose inbound target or fallback is `flow:NAME`. */
  routedLines(name: string): number[] {
    const target = `flow:${name}`;
    return (this.db.prepare('SELECT id FROM lines WHERE target = ? OR fallback = ? ORDER BY id').all(target, target) as Array<{ id: number }>).map((r) => r.id);
  }

  /** Names of the flows whose current version holds `text` as a JSON string (`"upload:promo"`, `"flow:holiday"`). */
  mentioning(text: string): string[] {
    const needle = `%${JSON.stringify(text).replace(/[\\%_]/g, '\\$&')}%`;
    return (this.db.prepare(`SELECT f.name FROM flows f JOIN flow_versions v ON v.flow_name = f.name AND v.version = f.current_version
      WHERE v.json LIKE ? ESCAPE '\\' ORDER BY f.name`).all(needle) as Array<{ name: string }>).map((r) => r.name);
  }

  /** Delete the flow and its history; false when there is none. Refused while a line routes to it. */
  remove(name: string): boolean {
    const lines = this.routedLines(name);
    if (lines.length > 0) {
      throw new StoreError('STORE_CONFLICT', `${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')} still route${lines.length === 1 ? 's' : ''} to flow:${name}; route ${lines.length === 1 ? 'it' : 'them'} elsewhere first (octoline lines route N TARGET)`);
    }
    return this.db.prepare('DELETE FROM flows WHERE name = ?').run(name).changes > 0;
  }

  private append(name: string, json: string, comment: string, now: number, exists: boolean): number {
    if (!exists) this.db.prepare('INSERT INTO flows (name, current_version, created_at, updated_at) VALUES (?, 1, ?, ?)').run(name, now, now);
    const version = exists
      ? (this.db.prepare('SELECT max(version) AS v FROM flow_versions WHERE flow_name = ?').get(name) as { v: number }).v + 1
      : 1;
    this.db.prepare('INSERT INTO flow_versions (flow_name, version, json, created_at, comment) VALUES (?, ?, ?, ?, ?)').run(name, version, json, now, comment);
    this.db.prepare('UPDATE flows SET current_version = ?, updated_at = ? WHERE name = ?').run(version, now, name);
    return version;
  }
}
