import { readLocalToken } from '../../daemon/auth/local-token.js';
import { loadConfig } from '../../daemon/config/index.js';

/**
 * The running daemon's HTTP API as the box-local CLI calls it (daemon/cli/daemon-client.ts): the
 * bearer token the daemon wrote into its runtime dir. Faster than a CLI run per action, which
 * matters when a bench pauses agents every few seconds.
 */
export class DaemonApi {
  private readonly base: string;
  private readonly runtimeDir: string;

  constructor(configPath: string) {
    const config = loadConfig(configPath);
    this.base = `http://127.0.0.1:${config.http.port}/api/v1`;
    this.runtimeDir = config.box.runtime_dir;
  }

  get<T>(path: string, timeoutMs = 5000): Promise<T> {
    return this.ask<T>(path, { method: 'GET' }, timeoutMs);
  }

  post<T>(path: string, body: unknown, timeoutMs = 5000): Promise<T> {
    return this.ask<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, timeoutMs);
  }

  /** Throws `METHOD path: STATUS body` when the daemon refuses (the body holds `{ code, message }`). */
  private async ask<T>(path: string, init: { method: string; headers?: Record<string, string>; body?: string }, timeoutMs: number): Promise<T> {
    const token = readLocalToken(this.runtimeDir) ?? '';
    const res = await fetch(`${this.base}${path}`, {
      ...init, headers: { ...init.headers, authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`${init.method} ${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as T;
  }
}
