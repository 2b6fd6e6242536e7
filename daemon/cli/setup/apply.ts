import { existsSync } from 'node:fs';
import { loadConfig, validateConfigObject, writeConfig, type Config, type ConfigFile } from '../../config/index.js';
import { Store } from '../../store/store.js';
import { matchConfigGroup, matchDataDirOwner } from '../../store/ownership.js';
import { generatePassword, hashPassword } from '../../auth/password.js';
import { sipHa1 } from '../../auth/sip-credentials.js';
import { normalizeNumber } from '../../lines/phone-number.js';
import { importShippedFlows, type ShippedImport } from '../../ivr/flow-library.js';
import type { SetupAnswers } from './answers.js';

export interface SetupResult {
  config: Config;
  /** Passwords generated in this run (shown once; only hashes are stored). */
  generated: { admin?: string; extensions: Array<{ ext: string; password: string }> };
  /** The shipped flows (flows/*.json): a new version only when the file changed. */
  flows: ShippedImport[];
  /** Lines that had no target and now go to flow:main. */
  routedToMain: number[];
}

/** The file as it is now (or the defaults), with the answers laid over it. */
export function mergedConfig(path: string, a: SetupAnswers): ConfigFile {
  const cur = existsSync(path) ? loadConfig(path) : undefined;
  const base = cur ?? validateConfigObject(path, {});
  const file: ConfigFile = { box: { ...base.box }, sip: { ...base.sip }, http: { ...base.http }, rtpengine: { ...base.rtpengine },
    calls: { ...base.calls, blocked_prefixes: [...base.calls.blocked_prefixes] }, recording: { ...base.recording }, acd: { ...base.acd } };
  if (!cur) {
    // Keep derived paths derived: an empty data_dir follows the config's location.
    file.box.data_dir = '';
    file.box.runtime_dir = '';
  }
  if (a.bind) { file.sip.bind = a.bind; file.http.bind = a.bind; file.rtpengine.interface = a.bind; }
  if (a.sipPort) file.sip.port = a.sipPort;
  if (a.httpPort) file.http.port = a.httpPort;
  if (a.dataDir) file.box.data_dir = a.dataDir;
  if (a.rtpPorts) { file.rtpengine.port_min = a.rtpPorts.min; file.rtpengine.port_max = a.rtpPorts.max; }
  return file;
}

/**
 * Validate everything first, then write the database rows in one transaction, then the config
 * file: a refused value changes nothing, and running setup again updates in place.
 */
export async function applySetup(path: string, a: SetupAnswers): Promise<SetupResult> {
  const file = mergedConfig(path, a);
  const config = validateConfigObject(path, file);
  const store = Store.open(config.box.data_dir);
  try {
    const generated = await writeRows(store, config, a);
    const flows = importShippedFlows(store, config.box.data_dir);
    const routedToMain = routeNewLinesToMain(store);
    writeConfig(path, withoutDerivedPaths(file, config));
    matchConfigGroup(path);
    return { config: validateConfigObject(path, file), generated, flows, routedToMain };
  } finally {
    store.close();
    matchDataDirOwner(config.box.data_dir);
  }
}

async function writeRows(store: Store, config: Config, a: SetupAnswers): Promise<SetupResult['generated']> {
  const generated: SetupResult['generated'] = { extensions: [] };
  const adminExists = store.users.byUsername('admin') !== undefined;
  const adminPassword = a.adminPassword ?? (adminExists ? undefined : generatePassword());
  if (!a.adminPassword && adminPassword) generated.admin = adminPassword;
  const adminHash = adminPassword ? await hashPassword(adminPassword) : undefined;
  const exts = a.extensions.map((e) => {
    const password = e.password ?? generatePassword(12);
    if (!e.password) generated.extensions.push({ ext: e.ext, password });
    return { ext: e.ext, ...sipHa1(e.ext, config.sip.realm, password) };
  });

  store.transaction(() => {
    if (adminHash) store.users.upsert({ username: 'admin', role: 'admin', passwordHash: adminHash, mustChangePassword: !a.adminPassword });
    const gatewayId = a.gateway
      ? store.gateways.upsert({ name: 'gateway', model: a.gatewayModel ?? 'generic', host: a.gateway.host, port: a.gateway.port, transport: 'udp' })
      : store.gateways.list()[0]?.id ?? null;
    for (const [id, number] of a.lines) {
      store.lines.upsert({ id, number, numberNorm: normalizeNumber(number), gatewayId, portUser: `line${id}` });
    }
    for (const e of exts) store.extensions.upsert({ ...e, displayName: '', realm: config.sip.realm });
  });
  return generated;
}

/** A line nobody routed yet answers with the main flow; a line with a target keeps it. */
function routeNewLinesToMain(store: Store): number[] {
  if (!store.flows.get('main')) return [];
  const lines = store.lines.list().filter((l) => l.target === '').map((l) => l.id);
  store.transaction(() => lines.forEach((id) => store.lines.setTarget(id, 'flow:main')));
  return lines;
}

/** Write back what the person chose, not the paths we derived from where the file lives. */
function withoutDerivedPaths(file: ConfigFile, config: Config): ConfigFile {
  const production = config.path.startsWith('/etc/');
  const box = { ...file.box };
  if (!box.data_dir && production) box.data_dir = config.box.data_dir;
  return { ...file, box };
}
