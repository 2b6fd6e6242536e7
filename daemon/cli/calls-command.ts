import type { Command } from 'commander';
import { CodedError } from '../../drivers/coded-error.js';
import { loadConfig, resolveConfigPath } from '../config/index.js';
import { Store } from '../store/store.js';
import { CALL_DIRECTIONS, type CallDirection, type CallRow } from '../store/calls-repo.js';
import { formatBoxTime, parseWallTime, wallTimeToEpoch, type WallTime } from './box-time.js';
import { run } from './run.js';

export type CallsCliErrorCode = 'CALLS_BAD_FLAG';

/** A bad `octoline calls` flag; thrown from commander's option parsing, so main.ts exits 2. */
export class CallsCliError extends CodedError<CallsCliErrorCode> {}

interface CallsFlags {
  limit: number;
  since?: WallTime;
  number?: string;
  direction?: CallDirection;
  json?: boolean;
  config?: string;
}

const bad = (msg: string): never => {
  throw new CallsCliError('CALLS_BAD_FLAG', msg);
};

function parseLimit(v: string): number {
  const n = /^[0-9]{1,4}$/.test(v.trim()) ? Number(v) : NaN;
  return n >= 1 && n <= 1000 ? n : bad(`--limit: "${v}" is not a number of calls from 1 to 1000`);
}

function parseSince(v: string): WallTime {
  return parseWallTime(v) ?? bad(`--since: "${v}" is not a date or date-time such as 2024-05-01 or 2024-05-01T08:30 (box time zone)`);
}

function parseNumber(v: string): string {
  return /^\+?[0-9( ][0-9 ().-]*$/.test(v.trim()) && /[0-9]/.test(v) ? v.replace(/\D/g, '') : bad(`--number: "${v}" is not a phone number or extension (digits)`);
}

function parseDirection(v: string): CallDirection {
  const d = CALL_DIRECTIONS.find((x) => x === v);
  return d ?? bad(`--direction: "${v}" is not a direction: use inbound, outbound or internal`);
}

export function registerCalls(program: Command): void {
  program.command('calls')
    .description('list recent calls (the CDRs), newest first')
    .option('-n, --limit <n>', 'how many calls, 1-1000', parseLimit, 20)
    .option('--since <date>', 'calls started at or after this date or date-time (box time zone unless it ends in Z or ±HH:MM)', parseSince)
    .option('--number <digits>', 'calls whose caller or callee number contains these digits', parseNumber)
    .option('--direction <d>', 'inbound, outbound or internal', parseDirection)
    .option('--json', 'print the calls as JSON (for scripts)')
    .option('-c, --config <path>', 'config file of the box')
    .action((flags: CallsFlags) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const tz = config.box.time_zone;
      const store = Store.open(config.box.data_dir);
      let rows: CallRow[];
      try {
        rows = store.calls.list({
          limit: flags.limit,
          ...(flags.since ? { since: wallTimeToEpoch(flags.since, tz) } : {}),
          ...(flags.number ? { number: flags.number } : {}),
          ...(flags.direction ? { direction: flags.direction } : {}),
        });
      } finally {
        store.close();
      }
      process.stdout.write(flags.json ? `${JSON.stringify(rows.map(json), null, 2)}\n` : table(rows, tz));
    }));
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The row as stored, times in ISO 8601 UTC (as `blacklist list --json`). */
const json = (c: CallRow) => ({ ...c, startedAt: iso(c.startedAt), answeredAt: iso(c.answeredAt), endedAt: iso(c.endedAt) });

const secs = (s: number | null) => (s === null ? '-' : s.toFixed(1));
const dash = (s: string | number | null) => (s === null || s === '' ? '-' : String(s));

function table(rows: CallRow[], tz: string): string {
  if (rows.length === 0) return 'No calls match.\n';
  const head = ['START', 'DIRECTION', 'LINE', 'CALLER', 'CALLEE', 'EXT', 'RING', 'TALK', 'HOLD', 'DISPOSITION', 'CAUSE', 'REC'];
  const body = rows.map((c) => [
    formatBoxTime(c.startedAt, tz), c.direction, dash(c.lineId), dash(c.caller), dash(c.callee), dash(c.extension),
    secs(c.ringSeconds), secs(c.talkSeconds), secs(c.holdSeconds),
    c.endedAt === null ? 'in progress' : dash(c.disposition), dash(c.cause), dash(c.recordingId),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return `${[head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
