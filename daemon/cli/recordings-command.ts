import { InvalidArgumentError, type Command } from 'commander';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, resolveConfigPath } from '../config/index.js';
import { EventBus } from '../events/bus.js';
import { Recordings } from '../recording/recordings.js';
import type { Config } from '../config/index.js';
import type { RecordingRow } from '../store/recordings-repo.js';
import { Store } from '../store/store.js';
import { formatBoxTime } from './box-time.js';
import { run } from './run.js';

const MAX_LIMIT = 10_000;

function limit(s: string): number {
  if (!/^[0-9]+$/.test(s) || Number(s) < 1 || Number(s) > MAX_LIMIT) throw new InvalidArgumentError(`use a whole number from 1 to ${MAX_LIMIT}`);
  return Number(s);
}

export function registerRecordings(program: Command): void {
  const rec = program.command('recordings').description('call recordings: list them, apply the retention now');

  rec.command('list')
    .description('list recordings, newest first')
    .option('-c, --config <path>', 'config file of the box')
    .option('-n, --limit <n>', `how many (1-${MAX_LIMIT}, default 50)`, limit, 50)
    .option('--json', 'print the recordings as JSON (for scripts)')
    .action((flags: { config?: string; limit: number; json?: boolean }) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const rows = withBoxStore(config, (s) => s.recordings.list({ limit: flags.limit }));
      process.stdout.write(flags.json ? `${JSON.stringify(rows.map(json), null, 2)}\n` : table(rows, config.box.time_zone));
    }));

  rec.command('sweep')
    .description('delete the files of recordings older than recording.retention_days now (the daemon does it daily)')
    .option('-c, --config <path>', 'config file of the box')
    .action((flags: { config?: string }) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const days = config.recording.retention_days;
      if (days === 0) {
        process.stdout.write('recording.retention_days is 0: recordings are kept forever, nothing deleted\n');
        return;
      }
      const n = withBoxStore(config, (store) => {
        const log = pino({ level: 'silent' });
        return new Recordings({ log, store, bus: new EventBus({ events: store.events, log }) }, {
          // The spool is rtpengine's (daemon/rtpengine-mode.ts); a sweep does not touch it.
          dataDir: config.box.data_dir, spoolDir: join(config.box.data_dir, 'spool'), format: config.recording.format,
          retentionDays: days, minFreeMb: config.recording.min_free_mb,
        }).sweep();
      });
      process.stdout.write(`✓ ${n} recording${n === 1 ? '' : 's'} older than ${days} days deleted (rows kept as state deleted)\n`);
    }));
}

function withBoxStore<T>(config: Config, fn: (store: Store) => T): T {
  const store = Store.open(config.box.data_dir);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const json = (r: RecordingRow) => ({
  id: r.id, callId: r.callId, state: r.state, mediaId: r.mediaId, path: r.path, format: r.format, sizeBytes: r.sizeBytes,
  durationMs: r.durationMs, sha256: r.sha256, startedAt: iso(r.startedAt), finishedAt: iso(r.finishedAt), error: r.error,
});

function duration(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function size(bytes: number | null): string {
  if (bytes === null) return '-';
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Times at the box (box.time_zone), as the rest of the CLI shows them. */
function table(rows: RecordingRow[], timeZone: string): string {
  if (rows.length === 0) return 'No recordings yet.\n';
  const head = ['ID', 'STARTED', 'CALL', 'STATE', 'LENGTH', 'SIZE', 'FILE'];
  const body = rows.map((r) => [
    String(r.id), formatBoxTime(r.startedAt, timeZone), r.callId ?? '-', r.state, duration(r.durationMs), size(r.sizeBytes),
    r.state === 'failed' ? `(${(r.error ?? '').split(':')[0]})` : r.path ?? '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return `${[head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
