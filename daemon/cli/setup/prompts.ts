import { createInterface, type Interface } from 'node:readline/promises';
import { GATEWAY_MODELS } from '../../../drivers/gateway/models.js';
import { errorMessage } from '../../../drivers/coded-error.js';
import { CliError } from '../errors.js';
import {
  checkAdminPassword, parseAddress, parseExtension, parseGateway, parseGatewayModel, parseLine, parsePort,
  type SetupAnswers,
} from './answers.js';

/**
 * The interactive form of setup: the same questions as the flags, each re-asked until valid;
 * Enter keeps the shown value.
 */
export async function askSetup(defaults: { bind: string; sipPort: number; httpPort: number }): Promise<SetupAnswers> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  // Ctrl-C at a prompt: close, which rejects the pending question (handled in question()).
  rl.on('SIGINT', () => rl.close());
  const ask = async <T>(q: string, def: string, parse: (v: string) => T): Promise<T> => {
    for (;;) {
      const v = (await question(rl, `${q}${def ? ` [${def}]` : ''}: `)).trim() || def;
      try {
        return parse(v);
      } catch (err) {
        process.stdout.write(`  ✗ ${errorMessage(err)}\n`);
      }
    }
  };
  try {
    process.stdout.write('Octoline setup. Press Enter to keep the value in brackets.\n\n');
    const a: SetupAnswers = { lines: new Map(), extensions: [] };
    const pw = await ask('Admin password for the web page (empty = generate one)', '', (v) => (v ? checkAdminPassword('admin password', v) : ''));
    if (pw) a.adminPassword = pw;
    a.bind = await ask('Address of this box on the LAN', defaults.bind, (v) => parseAddress('address', v));
    a.sipPort = await ask('SIP port', String(defaults.sipPort), (v) => parsePort('SIP port', v));
    a.httpPort = await ask('Web page port', String(defaults.httpPort), (v) => parsePort('web port', v));
    const gw = await ask('FXO gateway address HOST:PORT (empty = later)', '', (v) => (v ? parseGateway('gateway', v) : undefined));
    if (gw) {
      a.gateway = gw;
      process.stdout.write(`  models: ${Object.keys(GATEWAY_MODELS).join(', ')}\n`);
      a.gatewayModel = await ask('Gateway model', 'generic', (v) => parseGatewayModel('model', v));
    }
    for (let n = 1; n <= 8; n++) {
      await ask(`Phone number of line ${n} (empty = skip)`, '', (v) => (v ? parseLine('line', `${n}=${v}`, a.lines) : a.lines));
    }
    a.extensions = await ask('Agent extensions, comma separated (e.g. 1001,1002; passwords are generated)', '', (v) =>
      v.split(',').map((s) => s.trim()).filter(Boolean)
        .reduce((acc, e) => parseExtension('extension', e, acc), [] as SetupAnswers['extensions']));
    return a;
  } finally {
    rl.close();
  }
}

/** Ctrl-C / Ctrl-D at a prompt ends setup cleanly, having written nothing. */
function question(rl: Interface, q: string): Promise<string> {
  const cancelled = () => new CliError('SETUP_CANCELLED', 'setup cancelled; nothing was written');
  return new Promise((resolve, reject) => {
    // Closing the interface does not settle a pending question in Node 20: listen for it.
    const onClose = () => reject(cancelled());
    rl.once('close', onClose);
    rl.question(q).then(
      (answer) => { rl.off('close', onClose); resolve(answer); },
      (err: unknown) => { rl.off('close', onClose); reject((err as Error).name === 'AbortError' ? cancelled() : err); },
    );
  });
}
