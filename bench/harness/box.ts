import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { freePort } from '../../test/helpers/ports.js';
import { CLI, ROOT } from './paths.js';

const run = promisify(execFile);

/** The box's own ports, and the gateway's (where SIPp plays the FXO gateway). */
export interface BoxPorts { sipPort: number; httpPort: number; ngPort: number; dtmfPort: number; gwPort: number }

export async function boxPorts(): Promise<BoxPorts> {
  const [sipPort, httpPort, ngPort, dtmfPort, gwPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  return { sipPort, httpPort, ngPort, dtmfPort, gwPort };
}

/** The config file a bench box starts from, before `octoline setup` adds to it; rtpengine's media ports are rtpMin..rtpMax. */
export function writeBoxConfig(configPath: string, ports: BoxPorts, rtpMin: number, rtpMax: number): void {
  writeFileSync(configPath, `[box]\nlog_level = "info"\n[sip]\nport = ${ports.sipPort}\n[http]\nport = ${ports.httpPort}\n` +
    `[rtpengine]\nng_port = ${ports.ngPort}\ndtmf_log_port = ${ports.dtmfPort}\nport_min = ${rtpMin}\nport_max = ${rtpMax}\n`);
}

/** Runs the built `octoline` CLI with `args`; its stdout. */
export async function octoline(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000, maxBuffer: 16 * 2 ** 20 });
  return stdout;
}
