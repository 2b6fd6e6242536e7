import type { Database } from 'better-sqlite3';

export type Role = 'admin' | 'supervisor' | 'qa' | 'agent';

export interface UserRow {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  mustChangePassword: boolean;
}

export interface UserInput {
  username: string;
  role: Role;
  passwordHash: string;
  mustChangePassword: boolean;
}

const COLUMNS = 'id, username, display_name AS displayName, role, password_hash AS passwordHash, must_change_password AS mustChange';

export class UsersRepo {
  constructor(private readonly db: Database) {}

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  byUsername(username: string): UserRow | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM users WHERE username = ?`).get(username) as
      (Omit<UserRow, 'mustChangePassword'> & { mustChange: number }) | undefined;
    if (!row) return undefined;
    const { mustChange, ...rest } = row;
    return { ...rest, mustChangePassword: mustChange === 1 };
  }

  /** Create the user, or set role and password of an existing one (setup is safe to run again). */
  upsert(u: UserInput, now = Date.now()): void {
    this.db.prepare(`INSERT INTO users (username, role, password_hash, must_change_password, created_at, updated_at)
      VALUES (@username, @role, @passwordHash, @must, @now, @now)
      ON CONFLICT (username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
        must_change_password = excluded.must_change_password, updated_at = excluded.updated_at`)
      .run({ username: u.username, role: u.role, passwordHash: u.passwordHash, must: u.mustChangePassword ? 1 : 0, now });
  }
}
