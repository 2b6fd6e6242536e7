import { generatePassword, hashPassword } from './auth/password.js';
import type { Store } from './store/store.js';

/**
 * A box with no users gets an `admin` with a one-time password (must change at first sign-in),
 * returned once so the daemon can print it; it is never logged.
 */
export async function ensureFirstAdmin(store: Store): Promise<{ username: string; password: string } | undefined> {
  if (store.users.count() > 0) return undefined;
  const password = generatePassword();
  store.users.upsert({ username: 'admin', role: 'admin', passwordHash: await hashPassword(password), mustChangePassword: true });
  return { username: 'admin', password };
}
