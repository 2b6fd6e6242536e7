import { mkdirSync, accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreError } from './errors.js';
import { migrate } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type { Database };

export interface OpenOptions {
  log?: Logger;
  /** For tests of older files: apply only these. */
  migrations?: readonly Migration[];
  readonly?: boolean;
}

const CORRUPT_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE']);

/**
 * Open the box database: WAL (readers never wait for the call path's writes), foreign keys on,
 * integrity checked, migrated to this build's version. Errors name the file and the fix.
 */
export function openDatabase(path: string, opts: OpenOptions = {}): Database {
  ensureWritableDir(path, opts.readonly ?? false);
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    checkIntegrity(db, path);
    if (!opts.readonly) migrate(db, opts.migrations ?? MIGRATIONS, opts.log);
    return db;
  } catch (err) {
    db?.close();
    throw asStoreError(err, path);
  }
}

function ensureWritableDir(path: string, readonly: boolean): void {
  const dir = dirname(path);
  try {
    if (!readonly) mkdirSync(dir, { recursive: true });
    accessSync(dir, readonly ? constants.R_OK : constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new StoreError('STORE_UNWRITABLE', `data dir ${dir} is not ${readonly ? 'readable' : 'writable'} (${(err as NodeJS.ErrnoException).code ?? 'error'}); fix its owner or permissions, or set box.data_dir`, { cause: err });
  }
}

function checkIntegrity(db: Database, path: string): void {
  const rows = db.pragma('quick_check(5)', { simple: false }) as Array<{ quick_check: string }>;
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length > 0) throw corrupt(path, problems.join('; '));
}

function corrupt(path: string, detail: string): StoreError {
  return new StoreError('STORE_CORRUPT', `database ${path} is damaged (${detail}); nothing was changed. Restore the last backup with: octoline restore FILE (see docs/backup.md)`);
}

function asStoreError(err: unknown, path: string): unknown {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CORRUPT_CODES.has(code)) return corrupt(path, (err as Error).message);
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY') {
    return new StoreError('STORE_UNWRITABLE', `database ${path} cannot be opened for writing (${code}); check its owner and permissions`, { cause: err });
  }
  return err;
}
