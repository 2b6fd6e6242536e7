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

  /** The strongest role of the users linked to a desk-phone extension (supervisor features check it). */
  roleForExtension(ext: string): Role | undefined {
    const rows = this.db.prepare('SELECT role FROM users WHERE extension = ?').all(ext) as Array<{ role: Role }>;
    const rank: Record<Role, number> = { admin: 4, supervisor: 3, qa: 2, agent: 1 };
    return rows.map((r) => r.role).sort((a, b) => rank[b] - rank[a])[0];
  }

  /**
   * Give a desk phone supervisor rights (or take them back): a user `phone-EXT` with role supervisor,
   * linked to the extension, with no password (no web login) until the users issue manages it.
   */
  setPhoneSupervisor(ext: string, on: boolean, now = Date.now()): void {
    const username = `phone-${ext}`;
    if (!on) {
      this.db.prepare('DELETE FROM users WHERE username = ?').run(username);
      return;
    }
    this.db.prepare(`INSERT INTO users (username, role, password_hash, must_change_password, extension, created_at, updated_at)
      VALUES (?, 'supervisor', '!', 1, ?, ?, ?)
      ON CONFLICT (username) DO UPDATE SET role = 'supervisor', extension = excluded.extension, updated_at = excluded.updated_at`).run(username, ext, now, now);
  }
}
