import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'cli.token';

/**
 * The CLI on the box talks to the running daemon with a token the daemon writes at start into its
 * runtime dir (mode 0600): whoever can read that file is root or the octoline user already.
 */
export function writeLocalToken(runtimeDir: string): string {
  mkdirSync(runtimeDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  const path = join(runtimeDir, TOKEN_FILE);
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}

export function readLocalToken(runtimeDir: string): string | undefined {
  try {
    return readFileSync(join(runtimeDir, TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function removeLocalToken(runtimeDir: string): void {
  rmSync(join(runtimeDir, TOKEN_FILE), { force: true });
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
