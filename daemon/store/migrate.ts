import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreError } from './errors.js';
import type { Migration } from './migrations/index.js';

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Apply the migrations newer than the file's version, each in its own transaction with its
 * version recorded in the same transaction (PRAGMA user_version and schema_migrations), so a crash
 * mid-way leaves the file at the last complete version. A file newer than this build is refused.
 */
export function migrate(db: Database, migrations: readonly Migration[], log?: Logger): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StoreError('STORE_TOO_NEW',
      `database ${db.name} is at schema version ${current}, newer than this octoline (${latest}); install the newer octoline or restore an older backup with: octoline restore FILE`);
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations.filter((m) => m.version > current)) {
    try {
      db.transaction(() => {
        m.up(db);
        record.run(m.version, m.name, Date.now());
        db.pragma(`user_version = ${m.version}`);
      })();
      log?.info({ version: m.version, name: m.name }, 'database migrated');
    } catch (err) {
      throw new StoreError('STORE_MIGRATION_FAILED', `migration ${m.version} (${m.name}) failed: ${(err as Error).message}; the database is left at version ${schemaVersion(db)}`, { cause: err });
    }
  }
  return schemaVersion(db);
}
