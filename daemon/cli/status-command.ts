import type { Command } from 'commander';
import { loadConfig, resolveConfigPath } from '../config/index.js';
import type { BoxStatus } from '../http/status-schema.js';
import { getFromDaemon } from './daemon-client.js';
import { run } from './run.js';

export function registerStatus(program: Command): void {
  program.command('status')
    .description('ask the running daemon how the box is (exit code 1 when it is not running)')
    .option('-c, --config <path>', 'config file of the box to ask')
    .option('--json', 'print the status as JSON (for scripts)')
    .action((flags: { config?: string; json?: boolean }) => run(async () => {
      const config = loadConfig(resolveConfigPath(flags.config));
      const s = await getFromDaemon<BoxStatus>(config, '/api/v1/status');
      process.stdout.write(flags.json ? `${JSON.stringify(s, null, 2)}\n` : human(s));
    }));
}

function human(s: BoxStatus): string {
  const up = s.uptimeSeconds;
  const uptime = up >= 86400 ? `${Math.floor(up / 86400)}d ${Math.floor((up % 86400) / 3600)}h` : up >= 3600 ? `${Math.floor(up / 3600)}h ${Math.floor((up % 3600) / 60)}m` : `${Math.floor(up / 60)}m ${Math.floor(up % 60)}s`;
  const mark = s.rtpengine.state === 'running' ? '✓' : '✗';
  return [
    `Octoline ${s.version} (${s.name}), up ${uptime}, time zone ${s.timeZone}`,
    `  ${mark} rtpengine  ${s.rtpengine.state} (${s.rtpengine.mode}${s.rtpengine.pid ? `, pid ${s.rtpengine.pid}` : ''}${s.rtpengine.restarts ? `, ${s.rtpengine.restarts} restarts` : ''})`,
    `  SIP        ${s.sip.bind}:${s.sip.port} (udp, tcp)`,
    `  Lines      ${s.lines.configured} configured`,
    `  Phones     ${s.phones.registered} of ${s.phones.configured} registered`,
    `  Calls      ${s.calls.active} active`,
    '',
  ].join('\n');
}
