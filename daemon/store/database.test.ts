import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase } from './database.js';
import { MIGRATIONS } from './migrations/index.js';
import { schemaVersion } from './migrate.js';
import { Store } from './store.js';

const latest = MIGRATIONS.at(-1)?.version ?? 0;
const tables = (db: BetterSqlite3.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

t.test('an empty data dir gets a fresh database at the latest version, WAL, foreign keys on', async (t) => {
  const dir = t.testdir({});
  const db = openDatabase(join(dir, 'sub', 'octoline.db'));
  t.teardown(() => db.close());
  t.equal(schemaVersion(db), latest);
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('foreign_keys', { simple: true }), 1);
  for (const name of ['settings', 'gateways', 'lines', 'extensions', 'users', 'calls', 'events', 'schema_migrations']) {
    t.ok(tables(db).includes(name), `has table ${name}`);
  }
  const applied = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>;
  t.same(applied.map((r) => r.version), MIGRATIONS.map((m) => m.version), 'every version recorded');
});

t.test('a database from the previous version is migrated and keeps its rows', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'octoline.db');
  const old = openDatabase(path, { migrations: MIGRATIONS.slice(0, -1) });
  t.equal(schemaVersion(old), latest - 1);
  old.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '\"kept\"', 1)").run();
  old.close();

  const store = new Store(openDatabase(path));
  t.teardown(() => store.close());
  t.equal(schemaVersion(store.db), latest);
  t.equal(store.settings.get<string>('k'), 'kept', 'old rows survive the migration');
  t.ok(tables(store.db).includes('events'), 'new tables arrive');
});

t.test('opening twice is a no-op for migrations', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'octoline.db');
  openDatabase(path).close();
  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.equal((db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n, MIGRATIONS.length);
});

t.test('a database from a newer octoline is refused, untouched', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'octoline.db');
  openDatabase(path).close();
  const raw = new BetterSqlite3(path);
  raw.pragma(`user_version = ${latest + 5}`);
  raw.close();
  const before = readFileSync(path);
  t.throws(() => openDatabase(path), { code: 'STORE_TOO_NEW', message: /newer than this octoline/ });
  t.same(readFileSync(path), before, 'file not modified');
});

t.test('a corrupt file gives a clear error pointing at octoline restore, and is not overwritten', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'octoline.db');
  const junk = Buffer.from('this is not a database, it is a note the installer left here\n'.repeat(200));
  writeFileSync(path, junk);
  t.throws(() => openDatabase(path), { code: 'STORE_CORRUPT', message: /octoline restore/ });
  t.same(readFileSync(path), junk, 'nothing overwritten');
});

t.test('a damaged page inside a real database is caught', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'octoline.db');
  const db = openDatabase(path);
  const ins = db.prepare("INSERT INTO events (at, type, data) VALUES (?, 'x', ?)");
  db.transaction(() => { for (let i = 0; i < 2000; i++) ins.run(i, JSON.stringify({ i, pad: 'x'.repeat(100) })); })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE');
  db.close();
  const bytes = readFileSync(path);
  bytes.fill(0xa5, 4096 * 3 + 100, 4096 * 6); // scribble over some b-tree pages, keep the header
  writeFileSync(path, bytes);
  t.throws(() => openDatabase(path), { code: 'STORE_CORRUPT' });
});

t.test('an unwritable data dir is a clear error', async (t) => {
  const dir = t.testdir({});
  writeFileSync(join(dir, 'file'), 'x');
  // A path under a regular file can never be created, even by root (tests run as root here).
  t.throws(() => openDatabase(join(dir, 'file', 'octoline.db')), { code: 'STORE_UNWRITABLE', message: /data dir/ });
});
