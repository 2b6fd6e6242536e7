import { chownSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DB_FILE } from './store.js';

/**
 * `setup` and `restore` run as root, the daemon as the octoline user: database files root
 * creates are handed to whoever owns the data dir, or the daemon could not open them.
 */
export function matchDataDirOwner(dataDir: string): void {
  if (process.getuid?.() !== 0 || !existsSync(dataDir)) return;
  const { uid, gid } = statSync(dataDir);
  if (uid === 0) return;
  for (const f of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) {
    const p = join(dataDir, f);
    if (existsSync(p)) chownSync(p, uid, gid);
  }
}

/** A config root writes goes to root:<group of its folder>, so the daemon's group can read it. */
export function matchConfigGroup(configPath: string): void {
  if (process.getuid?.() !== 0 || !existsSync(configPath)) return;
  const { gid } = statSync(dirname(configPath));
  if (gid !== 0) chownSync(configPath, 0, gid);
}
