import { InvalidArgumentError, type Command } from 'commander';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, resolveConfigPath, type Config } from '../config/index.js';
import { EventBus } from '../events/bus.js';
import { CallbackList } from '../ivr/callback-list.js';
import { VoicemailBox } from '../ivr/voicemail-box.js';
import type { CallbackRow } from '../store/callbacks-repo.js';
import { Store } from '../store/store.js';
import type { VoicemailRow } from '../store/voicemail-repo.js';
import { formatBoxTime } from './box-time.js';
import { run } from './run.js';

function id(s: string): number {
  if (!/^[0-9]{1,12}$/.test(s)) throw new InvalidArgumentError('use the number in the ID column of the list');
  return Number(s);
}

/** The box's store and config for one command, closed when `fn` returns. */
function withBox<T>(configPath: string | undefined, fn: (store: Store, config: Config) => T): T {
  const config = loadConfig(resolveConfigPath(configPath));
  const store = Store.open(config.box.data_dir);
  try {
    return fn(store, config);
  } finally {
    store.close();
  }
}

/** The services the daemon runs, on the box's store: a change made here is an event like any other. */
function services(store: Store, config: Config): { box: VoicemailBox; callbacks: CallbackList } {
  const log = pino({ level: 'silent' });
  const bus = new EventBus({ events: store.events, log });
  const callbacks = new CallbackList({ store, bus, log });
  return { box: new VoicemailBox({ store, bus, log, callbacks }, { dataDir: config.box.data_dir }), callbacks };
}

export function registerVoicemail(program: Command): void {
  const vm = program.command('voicemail').description('messages callers left: list them, mark them heard');

  vm.command('list')
    .description('list messages, newest first (all mailboxes unless one is named)')
    .argument('[mailbox]', 'the mailbox (the flow\'s voicemail target, e.g. 1001 or group:sales)')
    .option('--new', 'only messages nobody has heard yet')
    .option('-c, --config <path>', 'config file of the box')
    .option('--json', 'print the messages as JSON (for scripts)')
    .action((mailbox: string | undefined, flags: { new?: boolean; config?: string; json?: boolean }) => run(async () => {
      const out = withBox(flags.config, (store, config) => {
        const rows = store.voicemail.list({ ...(mailbox ? { mailbox } : {}), onlyNew: flags.new === true, limit: 1000 });
        return flags.json ? `${JSON.stringify(rows.map((r) => voicemailJson(r, config.box.data_dir)), null, 2)}\n` : voicemailTable(rows, config.box.time_zone);
      });
      process.stdout.write(out);
    }));

  vm.command('heard')
    .description('mark message ID as heard')
    .argument('<id>', 'message id (voicemail list)', id)
    .option('-c, --config <path>', 'config file of the box')
    .action((n: number, flags: { config?: string }) => run(async () => {
      const row = withBox(flags.config, (store, config) => services(store, config).box.markHeard(n));
      process.stdout.write(`✓ message ${row.id} (${row.mailbox}, from ${row.caller || 'unknown'}) marked heard\n`);
    }));
}

export function registerCallbacks(program: Command): void {
  const cb = program.command('callbacks').description('callers waiting to be called back (from voicemail, the IVR, the queue)');

  cb.command('list')
    .description('list callbacks, newest first; with --pending only the open ones, in the order to make them')
    .option('--pending', 'only callbacks not yet done, by the time the caller wants')
    .option('-c, --config <path>', 'config file of the box')
    .option('--json', 'print the callbacks as JSON (for scripts)')
    .action((flags: { pending?: boolean; config?: string; json?: boolean }) => run(async () => {
      const out = withBox(flags.config, (store, config) => {
        const rows = flags.pending ? store.callbacks.pending(1000) : store.callbacks.list(1000);
        return flags.json ? `${JSON.stringify(rows.map(callbackJson), null, 2)}\n` : callbackTable(rows, config.box.time_zone, flags.pending === true);
      });
      process.stdout.write(out);
    }));

  cb.command('done')
    .description('mark callback ID as done')
    .argument('<id>', 'callback id (callbacks list)', id)
    .option('--note <text>', 'what came of it (kept with the callback)')
    .option('-c, --config <path>', 'config file of the box')
    .action((n: number, flags: { note?: string; config?: string }) => run(async () => {
      const row = withBox(flags.config, (store, config) => services(store, config).callbacks.done(n, flags.note ?? ''));
      process.stdout.write(`✓ callback ${row.id} to ${row.number} done\n`);
    }));
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const voicemailJson = (r: VoicemailRow, dataDir: string) => ({
  id: r.id, mailbox: r.mailbox, callId: r.callId, caller: r.caller, path: r.path, file: join(dataDir, r.path), durationMs: r.durationMs,
  sizeBytes: r.sizeBytes, sha256: r.sha256, state: r.state, createdAt: iso(r.createdAt), heardAt: iso(r.heardAt),
});

const callbackJson = (r: CallbackRow) => ({ ...r, wantedAt: iso(r.wantedAt), createdAt: iso(r.createdAt), doneAt: iso(r.doneAt) });

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function voicemailTable(rows: VoicemailRow[], tz: string): string {
  if (rows.length === 0) return 'No messages.\n';
  return columns(['ID', 'LEFT', 'MAILBOX', 'CALLER', 'LENGTH', 'STATE', 'FILE'], rows.map((r) => [
    String(r.id), formatBoxTime(r.createdAt, tz), r.mailbox, r.caller || '-', seconds(r.durationMs), r.state, r.path,
  ]));
}

function callbackTable(rows: CallbackRow[], tz: string, pending: boolean): string {
  if (rows.length === 0) return pending ? 'No callbacks waiting.\n' : 'No callbacks.\n';
  return columns(['ID', 'ASKED', 'NUMBER', 'WANTED', 'SOURCE', 'STATE', 'NOTE'], rows.map((r) => [
    String(r.id), formatBoxTime(r.createdAt, tz), r.number, r.wantedAt === null ? 'asap' : formatBoxTime(r.wantedAt, tz), r.source, r.state, r.note,
  ]));
}

function columns(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return `${[head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
