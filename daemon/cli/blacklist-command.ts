import type { Command } from 'commander';
import { Blacklist } from '../lines/blacklist.js';
import { withStore } from './lines-command.js';
import { run } from './run.js';

export function registerBlacklist(program: Command): void {
  const bl = program.command('blacklist').description('callers refused before any agent rings (matched on digits, however written)');

  bl.command('add')
    .description('refuse calls from NUMBER')
    .argument('<number>', 'phone number, e.g. 021-5555-0199 or +86 21 5555 0199')
    .option('-r, --reason <text>', 'why (shown in the list)')
    .option('-c, --config <path>', 'config file of the box')
    .action((number: string, flags: { config?: string; reason?: string }) => run(async () => {
      const row = withStore(flags.config, (s) => new Blacklist(s.blacklist).add(number, flags.reason));
      process.stdout.write(`✓ ${row.number} is blacklisted (takes effect on the next call)\n`);
    }));

  bl.command('remove')
    .description('take NUMBER off the blacklist')
    .argument('<number>', 'phone number as listed (any formatting)')
    .option('-c, --config <path>', 'config file of the box')
    .action((number: string, flags: { config?: string }) => run(async () => {
      withStore(flags.config, (s) => new Blacklist(s.blacklist).remove(number));
      process.stdout.write(`✓ ${number.trim()} removed from the blacklist\n`);
    }));

  bl.command('list')
    .description('list the blacklisted numbers')
    .option('-c, --config <path>', 'config file of the box')
    .option('--json', 'print the list as JSON (for scripts)')
    .action((flags: { config?: string; json?: boolean }) => run(async () => {
      const rows = withStore(flags.config, (s) => new Blacklist(s.blacklist).list());
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(rows.map((r) => ({ number: r.number, numberNorm: r.numberNorm, reason: r.reason, createdAt: new Date(r.createdAt).toISOString() })), null, 2)}\n`);
      } else if (rows.length === 0) process.stdout.write('The blacklist is empty.\n');
      else process.stdout.write(`${rows.map((r) => `${r.number.padEnd(20)}  ${new Date(r.createdAt).toISOString().slice(0, 10)}  ${r.reason}`.trimEnd()).join('\n')}\n`);
    }));
}
