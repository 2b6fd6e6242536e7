import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed tree's root (where package.json, web/, flows/, sounds/ sit), found by walking up
 * from this module: the same code runs from `dist/daemon` and, in tests, from `daemon/`.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('octoline: package.json not found above the running code');
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();

export const VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
