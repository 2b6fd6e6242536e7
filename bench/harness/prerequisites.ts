import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './paths.js';

const run = promisify(execFile);

/**
 * What a bench of the built daemon does first: checks SIPp, sox and rtpengine are installed,
 * rebuilds dist/ when stale, and makes the run's directory (/tmp/octoline-NAME-XXXXXX).
 */
export async function prepareDaemonBench(name: string): Promise<string> {
  requireTools(['sipp', 'sox', '/usr/bin/rtpengine']);
  await ensureBuilt();
  return mkdtempSync(join(tmpdir(), `octoline-${name}-`));
}

/** Throws naming the first of `bins` (names on PATH or absolute paths) that is not installed. */
export function requireTools(bins: string[]): void {
  for (const bin of bins) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) throw new Error(`${bin} is not installed (make deps test-deps)`);
  }
}

/** Rebuild dist/ when a source file is newer than its build output: the bench measures production code. */
export async function ensureBuilt(): Promise<void> {
  if (!stale('daemon') && !stale('drivers')) return;
  process.stdout.write('dist/ is older than the sources: npx tsc -p tsconfig.build.json\n');
  try {
    await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
  } catch (err) {
    // tsc still emits on type errors (no noEmitOnError): measure what it emitted, and say so.
    const out = String((err as { stdout?: unknown }).stdout ?? '').trim().split('\n').slice(0, 5).join('\n  ');
    process.stdout.write(`the build reported type errors; measuring the JavaScript it emitted anyway:\n  ${out}\n`);
  }
}

function stale(dir: string): boolean {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .some((f) => {
      const out = join(ROOT, 'dist', dir, f.replace(/\.ts$/, '.js'));
      return !existsSync(out) || statSync(out).mtimeMs < statSync(join(ROOT, dir, f)).mtimeMs;
    });
}
