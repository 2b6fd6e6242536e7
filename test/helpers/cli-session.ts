import type { Test } from 'tap';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { makeTestBox, runCli, type TestBox } from './octoline.js';

/**
 * An installer's CLI session against a box set up by `octoline setup` (no daemon): run commands,
 * check they succeed or are refused in one line, and read what they stored.
 */

/** Rows of `sql` from the box database, read-only. */
export function dbRows<T>(box: TestBox, sql: string): T[] {
  const db = new BetterSqlite3(join(box.dataDir, 'octoline.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** `octoline setup` with a gateway on 127.0.0.1:5062, `lines` numbered 1.. and `extensions`. */
export async function setUpCliBox(t: Test, o: { lines?: number; extensions?: string[] } = {}): Promise<{ box: TestBox; c: string[] }> {
  const box = await makeTestBox(t);
  const args = ['setup', '--config', box.configPath, '--yes', '--admin-password', 'correct-horse-battery', '--data-dir', box.dataDir, '--gateway', '127.0.0.1:5062'];
  for (let n = 1; n <= (o.lines ?? 2); n++) args.push('--line', `${n}=021-5555-010${n}`);
  for (const ext of o.extensions ?? ['1001', '1002', '1003']) args.push('--extension', ext);
  const r = await runCli(args);
  t.equal(r.code, 0, r.stderr);
  return { box, c: ['--config', box.configPath] };
}

/** A command that succeeds (exit 0) and prints `out`; returns what it printed. */
export async function cliOk(t: Test, args: string[], out: RegExp): Promise<{ stdout: string; stderr: string }> {
  const r = await runCli(args);
  t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  t.match(r.stdout, out, args.join(' '));
  return r;
}

/** A refused command: exit code `code`, one line on stderr matching `msg`. */
export async function cliRefused(t: Test, args: string[], msg: RegExp, code = 1): Promise<void> {
  const r = await runCli(args);
  t.equal(r.code, code, args.join(' '));
  t.match(r.stderr, msg, args.join(' '));
  t.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
}

/** As `cliOk`, returning only what went to stdout. */
export async function cliOut(t: Test, args: string[], out: RegExp): Promise<string> {
  return (await cliOk(t, args, out)).stdout;
}
