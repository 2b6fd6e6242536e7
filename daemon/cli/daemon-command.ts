import type { Command } from 'commander';
import { resolveConfigPath } from '../config/index.js';
import { Daemon } from '../main.js';
import { run } from './run.js';

const STOP_GRACE_MS = 15_000;

export function registerDaemon(program: Command): void {
  program.command('daemon')
    .description('run the call center in the foreground (systemd runs this); Ctrl-C or SIGTERM stops it')
    .option('-c, --config <path>', 'config file (default /etc/octoline/octoline.conf on a box, ./var/octoline.conf in a checkout; missing = embedded defaults)')
    .option('--require-config', 'refuse to start when the config file is missing')
    .action(async (flags: { config?: string; requireConfig?: boolean }) => {
      await run(async () => {
        const daemon = await Daemon.start({ configPath: resolveConfigPath(flags.config), mustExist: flags.requireConfig ?? false });
        await untilSignal(daemon);
      });
      // The daemon is the process: once it has stopped (or failed to start), nothing may keep
      // Node alive, whatever a library left open.
      process.exit(process.exitCode ?? 0);
    });
}

/** First SIGINT/SIGTERM: orderly stop within the grace period. A second one: leave now. */
function untilSignal(daemon: Daemon): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) {
        daemon.log.warn({ signal: sig }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      stopping = true;
      daemon.log.info({ signal: sig }, 'stopping');
      const force = setTimeout(() => {
        daemon.log.error('stop took longer than the grace period; exiting');
        process.exit(1);
      }, STOP_GRACE_MS);
      force.unref();
      void daemon.stop().then(() => {
        clearTimeout(force);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
