import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../daemon/config/index.js';
import { ROOT, TSX_LOADER } from '../helpers/octoline.js';

/** A real terminal (tmux) running `octoline setup`, answered prompt by prompt as a person would. */
function tmux(session: string, ...args: string[]): string {
  // One tmux server per session (-L): a server exiting after a test never races the next one.
  return execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
}

async function waitFor(session: string, text: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux(session, 'capture-pane', '-p', '-t', session, '-S', '-200');
    if (text.test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${text} on the screen:\n${screen}`);
}

function startSetup(t: Tap, session: string, config: string): void {
  const cmd = `cd ${ROOT} && node --import ${TSX_LOADER} daemon/cli/main.ts setup --config ${config}; echo "EXIT=$?"; sleep 30`;
  tmux(session, 'new-session', '-d', '-s', session, '-x', '200', '-y', '60', cmd);
  t.teardown(() => { try { tmux(session, 'kill-server'); } catch { /* gone */ } });
}

type Tap = { teardown(fn: () => void): void };

t.test('interactive setup asks each question, re-asks a bad answer, and saves', async (t) => {
  const dir = t.testdir({});
  const config = join(dir, 'octoline.conf');
  const s = `octo-setup-${process.pid}`;
  startSetup(t, s, config);
  const answer = async (prompt: RegExp, text: string) => {
    await waitFor(s, prompt);
    tmux(s, 'send-keys', '-t', s, '-l', text);
    tmux(s, 'send-keys', '-t', s, 'Enter');
  };
  await answer(/Admin password/, 'correct-horse-battery');
  await answer(/Address of this box/, '');
  await answer(/SIP port \[5060\]/, '70000');
  await waitFor(s, /✗ SIP port: a port number 1-65535/);
  await answer(/SIP port \[5060\]: *$/m, '5071');
  await answer(/Web page port/, '8091');
  await answer(/FXO gateway address/, '127.0.0.1:5062');
  await answer(/Gateway model/, 'yeastar-ta');
  await answer(/Phone number of line 1/, '021-5555-0101');
  for (let n = 2; n <= 8; n++) await answer(new RegExp(`Phone number of line ${n}`), '');
  await answer(/Agent extensions/, '1001,1002');
  const screen = await waitFor(s, /EXIT=\d/);
  t.match(screen, /EXIT=0/);
  t.match(screen, /✓ Setup saved/);
  t.match(screen, /1002\s+\S{12}/, 'generated SIP passwords shown');
  const cfg = loadConfig(config, { mustExist: true });
  t.equal(cfg.sip.port, 5071);
  t.equal(cfg.http.port, 8091);
});

t.test('Ctrl-C at a prompt cancels cleanly and writes nothing', async (t) => {
  const dir = t.testdir({});
  const config = join(dir, 'octoline.conf');
  const s = `octo-cancel-${process.pid}`;
  startSetup(t, s, config);
  await waitFor(s, /Admin password/);
  tmux(s, 'send-keys', '-t', s, 'C-c');
  const screen = await waitFor(s, /EXIT=\d/);
  t.match(screen, /setup cancelled; nothing was written/);
  t.match(screen, /EXIT=1/);
  t.notOk(existsSync(config));
});
