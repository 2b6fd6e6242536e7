import { readLocalToken } from '../auth/local-token.js';
import type { Config } from '../config/index.js';
import { DaemonError } from '../errors.js';

/** The base URL the CLI uses to reach the daemon on this box (loopback when bound to any). */
export function daemonUrl(config: Config): string {
  const b = config.http.bind;
  const host = b === '0.0.0.0' ? '127.0.0.1' : b === '::' ? '[::1]' : b.includes(':') ? `[${b}]` : b;
  return `http://${host}:${config.http.port}`;
}

/** GET an API path as the box-local CLI, with a bounded wait. */
export async function getFromDaemon<T>(config: Config, path: string, timeoutMs = 3000): Promise<T> {
  const url = `${daemonUrl(config)}${path}`;
  const token = readLocalToken(config.box.runtime_dir);
  let res: Response;
  try {
    res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new DaemonError('DAEMON_NOT_RUNNING', `octoline is not running (no answer on ${daemonUrl(config)}); start it with: systemctl start octoline, or octoline daemon --config ${config.path}`, { cause: err });
  }
  if (res.status === 401) {
    throw new DaemonError('DAEMON_UNAUTHORIZED', `the daemon refused the CLI token in ${config.box.runtime_dir}; run this as root or as the octoline user`);
  }
  if (!res.ok) throw new DaemonError('DAEMON_NOT_RUNNING', `the daemon answered ${res.status} for ${path}`);
  return (await res.json()) as T;
}

/** True when something answers /healthz as octoline at the configured address. */
export async function daemonAnswers(config: Config, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(`${daemonUrl(config)}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { service?: unknown };
    return body.service === 'octoline';
  } catch {
    return false;
  }
}
