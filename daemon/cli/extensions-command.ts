import type { Command } from 'commander';
import type { ExtensionPermissions, ExtensionRow } from '../store/extensions-repo.js';
import { setExtensionPermissions, setExtensionRecord, setExtensionSupervisor } from '../calls/extension-settings.js';
import { withStore } from './lines-command.js';
import { run } from './run.js';

interface Listed { ext: ExtensionRow; perm: ExtensionPermissions }

export function registerExtensions(program: Command): void {
  const exts = program.command('extensions').description('the agents\' extensions: what they may dial out and whether their calls are recorded');

  exts.command('list')
    .description('list the extensions with their recording policy and outbound permissions')
    .option('-c, --config <path>', 'config file of the box')
    .option('--json', 'print the extensions as JSON (for scripts)')
    .action((flags: { config?: string; json?: boolean }) => run(async () => {
      const rows = withStore(flags.config, (s) => s.extensions.list().map((ext): Listed => ({ ext, perm: s.extensions.permissions(ext.ext) as ExtensionPermissions })));
      process.stdout.write(flags.json ? `${JSON.stringify(rows.map(json), null, 2)}\n` : table(rows));
    }));

  exts.command('permit')
    .description('set what EXT may dial out: which lines, which number prefixes, or no outside calls at all')
    .argument('<ext>', 'extension, e.g. 1001')
    .option('--lines <list>', 'lines it may call out on: 1,2 or all')
    .option('--allow <prefixes>', 'prefixes it may dial although the box blocks them (calls.blocked_prefixes): 00,+852; none clears')
    .option('--deny <prefixes>', 'extra prefixes it may not dial: 9,0900; none clears')
    .option('--outbound <on|off>', 'off: no outside calls at all')
    .option('-c, --config <path>', 'config file of the box')
    .action((ext: string, flags: { config?: string; lines?: string; allow?: string; deny?: string; outbound?: string }) => run(async () => {
      const p = withStore(flags.config, (s) => setExtensionPermissions(s, ext, flags));
      process.stdout.write(`✓ extension ${ext}: outbound ${p.outbound ? 'on' : 'off'}, lines ${lines(p)}, allow ${list(p.allowPrefixes)}, deny ${list(p.denyPrefixes)} (applies to the next call)\n`);
    }));

  exts.command('record')
    .description('record EXT\'s calls: off, from the first ring, or from the answer')
    .argument('<ext>', 'extension, e.g. 1001')
    .argument('<policy>', 'off, ring or answer')
    .option('-c, --config <path>', 'config file of the box')
    .action((ext: string, policy: string, flags: { config?: string }) => run(async () => {
      const r = withStore(flags.config, (s) => setExtensionRecord(s, ext, policy));
      process.stdout.write(`✓ extension ${ext}: recording ${r} (applies to the next call)\n`);
    }));

  exts.command('supervisor')
    .description('let EXT\'s phone listen in, whisper and barge (spy codes 555/556/557 + extension), or take that right back')
    .argument('<ext>', 'extension, e.g. 1003')
    .argument('<on|off>', 'on or off')
    .option('-c, --config <path>', 'config file of the box')
    .action((ext: string, value: string, flags: { config?: string }) => run(async () => {
      const on = withStore(flags.config, (s) => setExtensionSupervisor(s, ext, value));
      process.stdout.write(`✓ extension ${ext}: supervisor ${on ? 'on' : 'off'}\n`);
    }));
}

const lines = (p: ExtensionPermissions) => (p.allowedLines.length === 0 ? 'all' : p.allowedLines.join(','));
const list = (xs: string[]) => (xs.length === 0 ? '-' : xs.join(','));

const json = ({ ext, perm }: Listed) => ({
  ext: ext.ext, name: ext.displayName, record: ext.record, outbound: perm.outbound,
  lines: perm.allowedLines, allow: perm.allowPrefixes, deny: perm.denyPrefixes,
});

function table(rows: Listed[]): string {
  if (rows.length === 0) return 'No extensions yet: run octoline setup --extension 1001 …\n';
  const head = ['EXT', 'NAME', 'RECORD', 'OUTBOUND', 'LINES', 'ALLOW', 'DENY'];
  const body = rows.map(({ ext, perm }) => [ext.ext, ext.displayName || '-', ext.record, perm.outbound ? 'on' : 'off', lines(perm), list(perm.allowPrefixes), list(perm.denyPrefixes)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return `${[head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
