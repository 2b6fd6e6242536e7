import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import { createRequest, serialize } from '../../../drivers/sip/message/index.js';
import type { Config } from '../../config/index.js';
import { openDatabase } from '../../store/database.js';
import { DB_FILE } from '../../store/store.js';
import { GatewaysRepo, type GatewayRow } from '../../store/gateways-repo.js';
import { fail, pass, type Check, type CheckResult } from './check.js';

const WAIT_MS = 2000;

/** Does the FXO gateway answer a SIP OPTIONS from this box's address? (Any SIP answer counts.) */
export function gatewayCheck(config: Config): Check {
  return {
    label: 'gateway',
    async run() {
      const gateways = readGateways(config);
      if (gateways.length === 0) return pass('none configured yet (octoline setup --gateway HOST:PORT)');
      const results = await Promise.all(gateways.map((g) => ping(config, g)));
      return results.find((r) => !r.ok) ?? pass(results.map((r) => r.detail).join('; '));
    },
  };
}

function readGateways(config: Config): GatewayRow[] {
  const path = join(config.box.data_dir, DB_FILE);
  if (!existsSync(path)) return [];
  const db = openDatabase(path, { readonly: true });
  try {
    return new GatewaysRepo(db).list();
  } finally {
    db.close();
  }
}

function ping(config: Config, g: GatewayRow): Promise<CheckResult> {
  const from = config.sip.public_address || config.sip.bind;
  const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
  const sock = createSocket(isIPv6(from) ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    const started = Date.now();
    const done = (r: CheckResult) => { clearTimeout(timer); sock.close(); resolve(r); };
    const timer = setTimeout(() => done(fail(`${g.host}:${g.port} (${g.model}) did not answer OPTIONS within ${WAIT_MS / 1000} s`,
      `check the gateway's address and power, and that its SIP server points at ${from}:${config.sip.port}`)), WAIT_MS);
    sock.on('error', (err) => done(fail(`cannot send to ${g.host}:${g.port}: ${err.message}`, 'check the gateway address (octoline setup --gateway HOST:PORT)')));
    sock.on('message', (m) => {
      const status = /^SIP\/2\.0 (\d{3})/.exec(m.toString('latin1'))?.[1];
      if (status) done(pass(`${g.host}:${g.port} (${g.model}) answered OPTIONS: ${status} in ${Date.now() - started} ms`));
    });
    sock.bind(0, from, () => {
      const port = sock.address().port;
      const host = isIPv6(from) ? `[${from}]` : from;
      const req = createRequest({
        method: 'OPTIONS', uri: `sip:${g.host.includes(':') ? `[${g.host}]` : g.host}:${g.port}`,
        via: [`SIP/2.0/UDP ${host}:${port};branch=${branch};rport`],
        from: `<sip:doctor@${host}>;tag=${randomBytes(4).toString('hex')}`, to: `<sip:${g.host}>`,
        callId: randomBytes(12).toString('hex'), cseq: 1, headers: [['User-Agent', 'Octoline doctor']],
      });
      sock.send(serialize(req), g.port, g.host);
    });
  });
}
