import type { Command } from 'commander';
import type { VipRow } from '../acd/acd-types.js';
import { addVip, removeVip, VIP_DEFAULT_LEVEL, type VipFlags } from '../acd/queue-settings.js';
import { withStore } from './lines-command.js';
import { run } from './run.js';

export function registerVip(program: Command): void {
  const vip = program.command('vip').description('VIP callers: served ahead of other callers in every queue (matched on digits, however written)');

  vip.command('add')
    .description('add NUMBER as a VIP caller, or change the given fields of one already listed')
    .argument('<number>', 'phone number, e.g. 138-0013-8000 or +86 138 0013 8000')
    .option('--name <text>', 'who it is (shown to the agent and in the list)')
    .option('--level <1-9>', `queue priority, higher is served first (default ${VIP_DEFAULT_LEVEL} for a new VIP)`)
    .option('--pin <digits>', 'PIN of 4-8 digits a flow\'s pin_check node (source vip) asks for; none removes it')
    .option('-c, --config <path>', 'config file of the box')
    .action((number: string, flags: VipFlags & { config?: string }) => run(async () => {
      const { config, ...fields } = flags;
      const row = withStore(config, (s) => addVip(s, number, fields));
      process.stdout.write(`✓ VIP ${row.number}${row.name ? ` (${row.name})` : ''}: level ${row.level}, PIN ${row.pin ? 'set' : 'none'} (takes effect on the next call)\n`);
    }));

  vip.command('remove')
    .description('take NUMBER off the VIP list')
    .argument('<number>', 'phone number as listed (any formatting)')
    .option('-c, --config <path>', 'config file of the box')
    .action((number: string, flags: { config?: string }) => run(async () => {
      const removed = withStore(flags.config, (s) => removeVip(s, number));
      process.stdout.write(`✓ ${removed} is no longer a VIP caller\n`);
    }));

  vip.command('list')
    .description('list the VIP callers (a PIN shows as "set", never its digits)')
    .option('-c, --config <path>', 'config file of the box')
    .option('--json', 'print the list as JSON (for scripts)')
    .action((flags: { config?: string; json?: boolean }) => run(async () => {
      const rows = withStore(flags.config, (s) => s.vip.list());
      process.stdout.write(flags.json ? `${JSON.stringify(rows.map(json), null, 2)}\n` : table(rows));
    }));
}

/** The PIN is a secret: whether there is one, never its digits. */
const json = (v: VipRow) => ({ number: v.number, name: v.name, level: v.level, pin: v.pin ? 'set' : null, createdAt: new Date(v.createdAt).toISOString() });

function table(rows: VipRow[]): string {
  if (rows.length === 0) return 'No VIP callers yet: octoline vip add NUMBER --name NAME --level 1-9\n';
  const head = ['NUMBER', 'NAME', 'LEVEL', 'PIN', 'ADDED'];
  const body = rows.map((v) => [v.number, v.name || '-', String(v.level), v.pin ? 'set' : '-', new Date(v.createdAt).toISOString().slice(0, 10)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return `${[head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
