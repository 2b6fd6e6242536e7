import type { Command } from 'commander';
import { loadConfig, resolveConfigPath } from '../config/index.js';
import { Store } from '../store/store.js';
import type { LineRow } from '../store/lines-repo.js';
import { routeLine, setLineDirection, setLineFallback, setLineRecord } from '../lines/routing.js';
import { LinesError } from '../lines/errors.js';
import { run } from './run.js';

/** The box's store for a CLI command, closed when `fn` returns (the daemon reads it on each call). */
export function withStore<T>(configPath: string | undefined, fn: (store: Store) => T): T {
  const config = loadConfig(resolveConfigPath(configPath));
  const store = Store.open(config.box.data_dir);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** A line number as typed (1, 2, …). */
function lineNumber(s: string): number {
  if (!/^[0-9]{1,3}$/.test(s)) throw new LinesError('LINE_NOT_FOUND', `"${s}" is not a line number (1, 2, … as in octoline lines list)`);
  return Number(s);
}

export function registerLines(program: Command): void {
  const lines = program.command('lines').description('the analog lines: list them, route inbound calls, set their direction, fallback and recording');

  lines.command('list')
    .description('list the lines with their number, direction and where inbound calls go')
    .option('-c, --config <path>', 'config file of the box')
    .option('--json', 'print the lines as JSON (for scripts)')
    .action((flags: { config?: string; json?: boolean }) => run(async () => {
      const rows = withStore(flags.config, (s) => s.lines.list());
      process.stdout.write(flags.json ? `${JSON.stringify(rows.map(json), null, 2)}\n` : table(rows));
    }));

  lines.command('route')
    .description('send inbound calls on line N to an extension (1001), a group (group:NAME), an ACD queue (queue:NAME) or an IVR flow (flow:NAME)')
    .argument('<n>', 'line number')
    .argument('<target>', 'EXT, group:NAME, queue:NAME or flow:NAME')
    .option('-c, --config <path>', 'config file of the box')
    .action((n: string, target: string, flags: { config?: string }) => run(async () => {
      const stored = withStore(flags.config, (s) => routeLine(s, lineNumber(n), target));
      process.stdout.write(`✓ line ${n}: inbound calls go to ${stored} (applies to the next call; no restart needed)\n`);
    }));

  lines.command('flow')
    .description('send inbound calls on line N to IVR flow FLOW (the same as lines route N flow:FLOW)')
    .argument('<n>', 'line number')
    .argument('<flow>', 'a stored flow name, e.g. main (octoline flows list)')
    .option('-c, --config <path>', 'config file of the box')
    .action((n: string, flow: string, flags: { config?: string }) => run(async () => {
      const stored = withStore(flags.config, (s) => routeLine(s, lineNumber(n), flow.startsWith('flow:') ? flow : `flow:${flow}`));
      process.stdout.write(`✓ line ${n}: inbound calls go to ${stored} (applies to the next call; no restart needed)\n`);
    }));

  lines.command('direction')
    .description('allow line N inbound calls only (in), outbound only (out) or both')
    .argument('<n>', 'line number')
    .argument('<direction>', 'in, out or both')
    .option('-c, --config <path>', 'config file of the box')
    .action((n: string, direction: string, flags: { config?: string }) => run(async () => {
      const d = withStore(flags.config, (s) => setLineDirection(s, lineNumber(n), direction));
      process.stdout.write(`✓ line ${n}: direction ${d}\n`);
    }));

  lines.command('record')
    .description('record calls on line N: off, from the first ring, or from the answer')
    .argument('<n>', 'line number')
    .argument('<policy>', 'off, ring or answer')
    .option('-c, --config <path>', 'config file of the box')
    .action((n: string, policy: string, flags: { config?: string }) => run(async () => {
      const r = withStore(flags.config, (s) => setLineRecord(s, lineNumber(n), policy));
      process.stdout.write(`✓ line ${n}: recording ${r} (applies to the next call)\n`);
    }));

  lines.command('fallback')
    .description('where a call on line N goes when its target does not answer in time (calls.ring_timeout_s)')
    .argument('<n>', 'line number')
    .argument('<target>', 'EXT, group:NAME, or hangup')
    .option('-c, --config <path>', 'config file of the box')
    .action((n: string, target: string, flags: { config?: string }) => run(async () => {
      const stored = withStore(flags.config, (s) => setLineFallback(s, lineNumber(n), target));
      process.stdout.write(`✓ line ${n}: unanswered calls ${stored === '' ? 'are hung up' : `go to ${stored}`} (applies to the next call)\n`);
    }));
}

const json = (l: LineRow) => ({ line: l.id, number: l.number, portUser: l.portUser, direction: l.direction, target: l.target, fallback: l.fallback, record: l.record, enabled: l.enabled });

function table(rows: LineRow[]): string {
  if (rows.length === 0) return 'No lines yet: run octoline setup --line 1=NUMBER …\n';
  const head = ['LINE', 'NUMBER', 'PORT', 'DIRECTION', 'TARGET', 'FALLBACK', 'RECORD'];
  const body = rows.map((l) => [String(l.id), l.number || '-', l.portUser, l.direction, l.target || '(none)', l.fallback || 'hangup', l.record]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return `${[head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
