import type { Command } from 'commander';
import type { RingGroup } from '../store/ring-groups-repo.js';
import { addRingGroup, removeRingGroup } from '../calls/ring-group-settings.js';
import { withStore } from './lines-command.js';
import { run } from './run.js';

export function registerGroups(program: Command): void {
  const groups = program.command('groups').description('ring groups: several extensions a line rings (lines route N group:NAME)');

  groups.command('add')
    .description('create ring group NAME, or replace its members')
    .argument('<name>', 'group name, e.g. sales')
    .requiredOption('--members <exts>', 'extensions in ring order: 1001,1002')
    .option('--strategy <strategy>', 'ring-all (every phone at once; the default for a new group) or linear (one after another)')
    .option('-c, --config <path>', 'config file of the box')
    .action((name: string, flags: { config?: string; members: string; strategy?: string }) => run(async () => {
      const g = withStore(flags.config, (s) => addRingGroup(s, name, flags.members, flags.strategy));
      process.stdout.write(`✓ group ${g.name}: ${g.strategy} ${g.members.join(', ')} (route a line to it with octoline lines route N group:${g.name})\n`);
    }));

  groups.command('remove')
    .description('remove ring group NAME (no line may route to it)')
    .argument('<name>', 'group name')
    .option('-c, --config <path>', 'config file of the box')
    .action((name: string, flags: { config?: string }) => run(async () => {
      withStore(flags.config, (s) => removeRingGroup(s, name));
      process.stdout.write(`✓ group ${name.trim().toLowerCase()} removed\n`);
    }));

  groups.command('list')
    .description('list the ring groups with their strategy and members')
    .option('-c, --config <path>', 'config file of the box')
    .option('--json', 'print the groups as JSON (for scripts)')
    .action((flags: { config?: string; json?: boolean }) => run(async () => {
      const rows = withStore(flags.config, (s) => s.ringGroups.list());
      process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : table(rows));
    }));
}

function table(rows: RingGroup[]): string {
  if (rows.length === 0) return 'No ring groups yet: octoline groups add NAME --members 1001,1002\n';
  const head = ['NAME', 'STRATEGY', 'MEMBERS'];
  const body = rows.map((g) => [g.name, g.strategy, g.members.join(',')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return `${[head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
