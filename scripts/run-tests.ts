/**
 * `make test`: run the whole tap suite, stream its TAP output, and end with the line CI reads:
 * `N passed, N failed` — N counting the test sentences (each file's top-level subtests), plus a
 * file that died before any subtest ran as one failure.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

interface Tally { passed: number; failed: number; failedNames: string[] }

export function tally(tap: string): Tally {
  const t: Tally = { passed: 0, failed: 0, failedNames: [] };
  let fileHadSubtests = false;
  for (const line of tap.split('\n')) {
    const sub = /^ {4}(not )?ok \d+ - (.*?)(?: # (?:time|SKIP|TODO).*)?$/.exec(line);
    if (sub) {
      fileHadSubtests = true;
      if (sub[1]) { t.failed++; t.failedNames.push(sub[2] ?? ''); } else t.passed++;
      continue;
    }
    const top = /^(not )?ok \d+ - (\S+)/.exec(line);
    if (top) {
      if (top[1] && !fileHadSubtests) { t.failed++; t.failedNames.push(`${top[2] ?? ''} (file failed)`); }
      fileHadSubtests = false;
    }
  }
  return t;
}

async function main(): Promise<number> {
  const args = ['tap', '--reporter=tap', ...process.argv.slice(2)];
  // The Makefile built dist/ just before: the CLI and daemon under test are that build.
  const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OCTOLINE_TEST_BUILT: '1' } });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => { out += chunk; process.stdout.write(chunk); });
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  mkdirSync('var', { recursive: true });
  writeFileSync('var/test-output.tap', out);
  const t = tally(out);
  if (t.failedNames.length) process.stdout.write(`\nFailed:\n${t.failedNames.map((n) => `  - ${n}`).join('\n')}\n`);
  if (code !== 0 && t.failed === 0) t.failed = 1; // tap itself failed (a crash outside any test)
  process.stdout.write(`\n${t.passed} passed, ${t.failed} failed\n`);
  return t.failed ? 1 : code;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
