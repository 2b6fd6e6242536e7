import { CodedError } from '../../drivers/coded-error.js';
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
  return askDaemon<T>(config, path, { method: 'GET' }, timeoutMs);
}

/**
 * POST a JSON body to an API path as the box-local CLI. A refusal the daemon explains (a 4xx with
 * `{ code, message }`) is thrown with that code and message, so callers branch on e.g. AGENT_UNKNOWN.
 */
export async function postToDaemon<T>(config: Config, path: string, body: unknown, timeoutMs = 3000): Promise<T> {
  return askDaemon<T>(config, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, timeoutMs);
}

async function askDaemon<T>(config: Config, path: string, init: { method: string; headers?: Record<string, string>; body?: string }, timeoutMs: number): Promise<T> {
  const url = `${daemonUrl(config)}${path}`;
  const token = readLocalToken(config.box.runtime_dir);
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new DaemonError('DAEMON_NOT_RUNNING', `octoline is not running (no answer on ${daemonUrl(config)}); start it with: systemctl start octoline, or octoline daemon --config ${config.path}`, { cause: err });
  }
  if (res.status === 401) {
    throw new DaemonError('DAEMON_UNAUTHORIZED', `the daemon refused the CLI token in ${config.box.runtime_dir}; run this as root or as the octoline user`);
  }
  if (res.ok) return (await res.json()) as T;
  const refusal = res.status < 500 ? await explained(res) : undefined;
  if (refusal) throw new CodedError(refusal.code, refusal.message);
  throw new DaemonError('DAEMON_NOT_RUNNING', `the daemon answered ${res.status} for ${path}`);
}

/** The `{ code, message }` of an API error reply (error-schema.ts), if that is what came. */
async function explained(res: Response): Promise<{ code: string; message: string } | undefined> {
  try {
    const body = (await res.json()) as { code?: unknown; message?: unknown };
    return typeof body.code === 'string' && typeof body.message === 'string' ? { code: body.code, message: body.message } : undefined;
  } catch {
    return undefined;
  }
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
