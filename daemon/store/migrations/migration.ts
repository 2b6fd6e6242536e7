import type { Database } from 'better-sqlite3';

/** Up-only: a box never goes back a version; `octoline restore` brings back an older backup. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
