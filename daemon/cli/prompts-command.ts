import type { Command } from 'commander';
import { loadConfig, resolveConfigPath } from '../config/index.js';
import { PromptLibrary, type UploadedPrompt } from '../ivr/prompts.js';
import { Store } from '../store/store.js';
import { formatBoxTime } from './box-time.js';
import { run } from './run.js';

export function registerPrompts(program: Command): void {
  const prompts = program.command('prompts').description('owner-recorded prompts a flow plays as upload:NAME (any common audio format)');

  prompts.command('add')
    .description('convert FILE (WAV, MP3, OGG/Opus, M4A/AAC, FLAC; ≤ 50 MB, ≤ 10 min) to the prompt NAME, replacing one of that name')
    .argument('<name>', 'prompt name: lower-case letters, digits, - and _ (a flow plays it as upload:NAME)')
    .argument('<file>', 'the audio file')
    .option('-c, --config <path>', 'config file of the box')
    .action((name: string, file: string, flags: { config?: string }) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const p = await new PromptLibrary({ dataDir: config.box.data_dir }).add(name, file);
      process.stdout.write(`✓ prompt ${p.ref} ${p.replaced ? 'replaced' : 'added'} (${length(p.durationMs)}, 8 kHz mono WAV); flows play it from the next call\n`);
    }));

  prompts.command('list')
    .description('list the uploaded prompts with their length')
    .option('-c, --config <path>', 'config file of the box')
    .option('--json', 'print the prompts as JSON (for scripts)')
    .action((flags: { config?: string; json?: boolean }) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const rows = await new PromptLibrary({ dataDir: config.box.data_dir }).list();
      process.stdout.write(flags.json ? `${JSON.stringify(rows.map(json), null, 2)}\n` : table(rows, config.box.time_zone));
    }));

  prompts.command('remove')
    .description('delete the uploaded prompt NAME (refused while a flow plays it)')
    .argument('<name>', 'prompt name as listed')
    .option('-c, --config <path>', 'config file of the box')
    .action((name: string, flags: { config?: string }) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const store = Store.open(config.box.data_dir);
      try {
        await new PromptLibrary({ dataDir: config.box.data_dir, usedBy: (n) => store.flows.mentioning(`upload:${n}`) }).remove(name);
      } finally {
        store.close();
      }
      process.stdout.write(`✓ prompt upload:${name} removed\n`);
    }));
}

const json = (p: UploadedPrompt) => ({ name: p.name, ref: p.ref, path: p.path, durationMs: p.durationMs, sizeBytes: p.sizeBytes, modifiedAt: new Date(p.modifiedAt).toISOString() });

function length(ms: number | null): string {
  if (ms === null) return '?';
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} min`;
}

function table(rows: UploadedPrompt[], tz: string): string {
  if (rows.length === 0) return 'No uploaded prompts yet (octoline prompts add NAME FILE).\n';
  const head = ['NAME', 'FLOWS PLAY IT AS', 'LENGTH', 'SIZE', 'ADDED'];
  const body = rows.map((p) => [p.name, p.ref, length(p.durationMs), `${Math.ceil(p.sizeBytes / 1024)} KB`, formatBoxTime(p.modifiedAt, tz)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return `${[head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
