import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { loadConfig, resolveConfigPath } from '../config/index.js';
import { applySetup, type SetupResult } from './setup/apply.js';
import {
  checkAdminPassword, parseAddress, parseExtension, parseGateway, parseGatewayModel, parseLine, parsePort, parseRtpPorts,
  type SetupAnswers,
} from './setup/answers.js';
import { askSetup } from './setup/prompts.js';
import { CliError } from './errors.js';
import { run } from './run.js';

/** Commander's view of the flags: the answers under their flag names, plus --config and --yes. */
type SetupFlags = Omit<SetupAnswers, 'lines' | 'extensions'> & {
  config?: string;
  yes?: boolean;
  line: SetupAnswers['lines'];
  extension: SetupAnswers['extensions'];
};

export function registerSetup(program: Command): void {
  program.command('setup')
    .description('set the box up: admin password, addresses, gateway, lines, agent extensions (interactive, or by flags with --yes)')
    .option('-c, --config <path>', 'config file to write (default /etc/octoline/octoline.conf on a box, ./var/octoline.conf in a checkout)')
    .option('-y, --yes', 'no questions: take the flags (for scripts)')
    .option('--admin-password <password>', 'password of the web user "admin" (at least 10 characters)', (v) => checkAdminPassword('--admin-password', v))
    .option('--bind <addr>', 'address of this box for SIP, RTP and the web page', (v) => parseAddress('--bind', v))
    .option('--sip-port <n>', 'SIP port (UDP and TCP)', (v) => parsePort('--sip-port', v))
    .option('--http-port <n>', 'web page and API port', (v) => parsePort('--http-port', v))
    .option('--data-dir <dir>', 'database, recordings, voicemail')
    .option('--rtp-ports <a-b>', 'RTP port range, e.g. 30000-30999', (v) => parseRtpPorts('--rtp-ports', v))
    .option('--gateway <host:port>', 'the FXO gateway', (v) => parseGateway('--gateway', v))
    .option('--gateway-model <model>', 'gateway profile: generic, generic-inband, grandstream-gxw410x, dinstar-dag, synway-smg, yeastar-ta', (v) => parseGatewayModel('--gateway-model', v))
    .option('--line <n=number>', 'phone number of analog line N (repeatable)', (v, acc: Map<number, string>) => parseLine('--line', v, acc), new Map<number, string>())
    .option('--extension <ext[:password]>', 'an agent extension; no password = generate one (repeatable)', (v, acc: SetupAnswers['extensions']) => parseExtension('--extension', v, acc), [])
    .action((flags: SetupFlags) => run(async () => {
      const path = resolveConfigPath(flags.config);
      const answers = flags.yes ? fromFlags(flags) : await interactive(path);
      process.stdout.write(`Writing ${path} and the database…\n`);
      const result = await applySetup(path, answers);
      process.stdout.write(summary(result));
    }));
}

function fromFlags(f: SetupFlags): SetupAnswers {
  const { config: _config, yes: _yes, line, extension, ...rest } = f;
  return { ...rest, lines: line, extensions: extension };
}

async function interactive(path: string): Promise<SetupAnswers> {
  if (!process.stdin.isTTY) {
    throw new CliError('SETUP_NEEDS_TTY', 'setup: no terminal to ask questions on; pass --yes with flags (see octoline setup --help)');
  }
  const cur = existsSync(path) ? loadConfig(path) : undefined;
  return askSetup({ bind: cur?.sip.bind ?? '127.0.0.1', sipPort: cur?.sip.port ?? 5060, httpPort: cur?.http.port ?? 8080 });
}

function flowLines(r: SetupResult): string[] {
  const saved = r.flows.flatMap((f) => (f.saved ? [`${f.name} v${f.saved.version}${f.saved.created ? ' (new)' : ''}`] : []));
  const out = saved.length > 0 ? [`  IVR flows: ${saved.join(', ')}`] : [];
  for (const f of r.flows.filter((x) => !x.saved)) {
    const first = f.findings.find((x) => x.level === 'error');
    out.push(`  IVR flow ${f.name} not imported: ${first ? `${first.path} ${first.message}` : 'errors'} (octoline flows validate ${f.file})`);
  }
  if (r.routedToMain.length > 0) out.push(`  Lines ${r.routedToMain.join(', ')} answer with flow:main (change with octoline lines route N TARGET)`);
  return out;
}

function summary(r: SetupResult): string {
  const c = r.config;
  const out = [
    '✓ Setup saved.',
    `  Config:    ${c.path}`,
    `  Data:      ${c.box.data_dir}`,
    `  SIP:       ${c.sip.bind}:${c.sip.port} (udp, tcp), realm ${c.sip.realm}`,
    `  Web page:  http://${c.http.bind.includes(':') ? `[${c.http.bind}]` : c.http.bind}:${c.http.port}/`,
  ];
  out.push(...flowLines(r));
  if (r.generated.admin) out.push(`  Web user "admin", one-time password: ${r.generated.admin}  (change it at first sign-in)`);
  if (r.generated.extensions.length > 0) {
    out.push('  Generated SIP passwords (shown once; put them in the phones now):');
    for (const e of r.generated.extensions) out.push(`    ${e.ext}  ${e.password}`);
  }
  out.push(`Next: octoline doctor --config ${c.path}   then start the daemon (systemctl enable --now octoline, or octoline daemon --config ${c.path}).`);
  return `${out.join('\n')}\n`;
}
