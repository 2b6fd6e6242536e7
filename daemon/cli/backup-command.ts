import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadConfig, resolveConfigPath } from '../config/index.js';
import { backupDatabase, restoreDatabase } from '../store/backup.js';
import { daemonAnswers } from './daemon-client.js';
import { CliError } from './errors.js';
import { run } from './run.js';

export function registerBackup(program: Command): void {
  program.command('backup')
    .description('copy the database to a file (safe while the daemon runs)')
    .option('-c, --config <path>', 'config file of the box')
    .option('-o, --out <file>', 'where to write the backup (default octoline-backup-<date>.db here)')
    .action((flags: { config?: string; out?: string }) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const out = resolve(flags.out ?? `octoline-backup-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.db`);
      process.stdout.write(`Backing up ${config.box.data_dir} …\n`);
      await backupDatabase(config.box.data_dir, out);
      process.stdout.write(`✓ database saved to ${out}\n`);
    }));

  program.command('restore')
    .description('replace the database with a backup (the daemon must be stopped; the current file is kept aside)')
    .argument('<file>', 'a file made by octoline backup')
    .option('-c, --config <path>', 'config file of the box')
    .action((file: string, flags: { config?: string }) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      if (await daemonAnswers(config)) {
        throw new CliError('RESTORE_REFUSED', 'restore: the daemon is running; stop it first (systemctl stop octoline)');
      }
      const { keptAs } = restoreDatabase(config.box.data_dir, resolve(file));
      process.stdout.write(`✓ restored ${resolve(file)}${keptAs ? `\n  the previous database is kept as ${keptAs}` : ''}\n`);
    }));
}
