import type { Command } from 'commander';
import { loadConfig, resolveConfigPath, type Config } from '../config/index.js';
import { errorMessage } from '../../drivers/coded-error.js';
import { boxChecks } from './doctor/checks.js';
import { daemonAnswers } from './daemon-client.js';
import { run } from './run.js';

export function registerDoctor(program: Command): void {
  program.command('doctor')
    .description('check that this machine can run the box: ✓/✗ with a fix for each ✗ (exit code 1 if any ✗)')
    .option('-c, --config <path>', 'config file of the box to check')
    .action((flags: { config?: string }) => run(async () => {
      const path = resolveConfigPath(flags.config);
      let config: Config;
      try {
        config = loadConfig(path);
      } catch (err) {
        line(false, 'config', errorMessage(err), `fix the file, or rewrite it with: octoline setup --config ${path}`);
        return 1;
      }
      line(true, 'config', config.fromDefaults ? `${path} does not exist: embedded defaults` : `${path} valid`);
      const running = await daemonAnswers(config);
      line(true, 'daemon', running ? 'running' : 'not running');
      let failed = 0;
      for (const check of boxChecks(config, running)) {
        const r = await check.run();
        line(r.ok, check.label, r.detail, r.fix);
        if (!r.ok) failed++;
      }
      process.stdout.write(failed ? `\n${failed} problem${failed > 1 ? 's' : ''} found.\n` : '\nAll checks passed.\n');
      return failed ? 1 : 0;
    }));
}

function line(ok: boolean, label: string, detail: string, fix?: string): void {
  process.stdout.write(`${ok ? '✓' : '✗'} ${label}: ${detail}\n${!ok && fix ? `    fix: ${fix}\n` : ''}`);
}
