import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { MIGRATIONS } from './migrations/index.js';
import { StoreError } from './errors.js';
import { DB_FILE } from './store.js';
import { matchDataDirOwner } from './ownership.js';

/** Online backup (SQLite's backup API): consistent even while the daemon writes. */
export async function backupDatabase(dataDir: string, out: string): Promise<void> {
  const db = openDatabase(join(dataDir, DB_FILE), { readonly: true });
  try {
    await db.backup(out);
  } finally {
    db.close();
  }
}

/**
 * Put a backup in place of the box's database. The backup is checked first (it opens, passes
 * the integrity check, is not newer than this build); the current file is kept beside it as
 * octoline.db.replaced-<time>, never deleted. The daemon must be stopped (the caller checks).
 */
export function restoreDatabase(dataDir: string, from: string, now = new Date()): { keptAs: string | undefined } {
  if (!existsSync(from)) throw new StoreError('STORE_NOT_FOUND', `backup ${from} does not exist`);
  const probe = openDatabase(from, { readonly: true });
  try {
    const version = probe.pragma('user_version', { simple: true }) as number;
    const latest = MIGRATIONS.at(-1)?.version ?? 0;
    if (version > latest) throw new StoreError('STORE_TOO_NEW', `backup ${from} is at schema version ${version}, newer than this octoline (${latest})`);
  } finally {
    probe.close();
  }
  const target = join(dataDir, DB_FILE);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let keptAs: string | undefined;
  if (existsSync(target)) {
    keptAs = `${target}.replaced-${stamp}`;
    renameSync(target, keptAs);
    for (const side of ['-wal', '-shm']) if (existsSync(target + side)) renameSync(target + side, keptAs + side);
  }
  copyFileSync(from, target);
  rmSync(`${target}-wal`, { force: true });
  // An older backup is brought up to this build's schema now, not at the next start.
  openDatabase(target).close();
  matchDataDirOwner(dataDir);
  return { keptAs };
}
