import type { Test } from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { freePort } from './ports.js';
import { makeTestBox, runCli, spawnDaemon, waitHealthy, type RunningDaemon, type TestBox } from './octoline.js';
import { startBaresip, type BaresipHandle } from './baresip.js';
import { SIPP_SCENARIO_DIR, waitUntil } from './sipp.js';
import { makeTone } from './tone.js';

const run = promisify(execFile);

/** A running box with a gateway (SIPp plays it, on `gwPort`), lines and extensions, set up by the CLI. */
export interface CallBox {
  box: TestBox;
  daemon: RunningDaemon;
  gwPort: number;
  /** Read-only view of the box database. */
  db: BetterSqlite3.Database;
  /** µ-law 1 kHz tone for SIPp's rtp_stream (the caller's voice). */
  gatewayTone: string;
  /** 500 Hz 16-bit tone for baresip (the agent's voice). */
  phoneTone: string;
  cli(args: string[]): Promise<void>;
  /**
   * A scenario of test/peers/sipp with `[tone]` (the gateway tone's path) and `attrs` written into a
   * copy: SIPp 3.6.1 substitutes keywords in messages only, not in `rtp_stream` or `timeout`.
   */
  scenario(name: string, attrs?: Record<string, string | number>): string;
  phone(ext: string, extra?: Partial<Parameters<typeof startBaresip>[1]>): Promise<BaresipHandle>;
  /** Events of one type, oldest first. */
  events(type: string): Array<{ callId: string | null; data: Record<string, unknown> }>;
  /** Wait until `sql` returns a row (polling the database). */
  waitRow<T>(sql: string, params?: unknown[], timeoutMs?: number): Promise<T>;
}

export const PASSWORD = (ext: string): string => `pass-${ext}-ok`;

/** `gatewayModel`: `setup --gateway-model` (default: setup's own, generic). */
export async function startCallBox(t: Test, o: { lines?: number; extensions: string[]; extraToml?: string; gatewayModel?: string }): Promise<CallBox> {
  const box = await makeTestBox(t, o.extraToml ?? '');
  const gwPort = await freePort();
  const args = ['setup', '--config', box.configPath, '--yes', '--gateway', `127.0.0.1:${gwPort}`];
  if (o.gatewayModel !== undefined) args.push('--gateway-model', o.gatewayModel);
  for (let n = 1; n <= (o.lines ?? 2); n++) args.push('--line', `${n}=0215555010${n}`);
  for (const ext of o.extensions) args.push('--extension', `${ext}:${PASSWORD(ext)}`);
  const setup = await runCli(args);
  t.equal(setup.code, 0, `setup: ${setup.stderr}`);
  const daemon = spawnDaemon(t, box);
  await waitHealthy(daemon, box);
  const db = new BetterSqlite3(join(box.dataDir, 'octoline.db'), { readonly: true, fileMustExist: true });
  t.teardown(() => db.close());
  const gatewayTone = join(box.dir, 'gw-1k.wav');
  await run('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', gatewayTone, 'synth', '60', 'sine', '1000', 'vol', '0.5']);
  const phoneTone = join(box.dir, 'phone-500.wav');
  await makeTone(phoneTone, { freqHz: 500, seconds: 60 });
  const cb: CallBox = {
    box, daemon, gwPort, db, gatewayTone, phoneTone,
    async cli(a) {
      const r = await runCli([...a, '--config', box.configPath]);
      t.equal(r.code, 0, `octoline ${a.join(' ')}: ${r.stderr}`);
    },
    scenario(name, attrs = {}) {
      const out = join(box.dir, `with-tone-${Object.values(attrs).join('-').replace(/[^A-Za-z0-9_-]/g, '_')}-${name}`);
      let text = readFileSync(join(SIPP_SCENARIO_DIR, name), 'utf8').replaceAll('[tone]', gatewayTone);
      for (const [k, v] of Object.entries(attrs)) text = text.replaceAll(`[${k}]`, String(v));
      writeFileSync(out, text);
      return out;
    },
    async phone(ext, extra = {}) {
      const p = await startBaresip(t, { user: ext, password: PASSWORD(ext), server: { port: box.sipPort }, regintS: 600, answerMode: 'auto', audioFile: phoneTone, ...extra });
      await p.waitRegistered(10_000);
      return p;
    },
    events(type) {
      return (db.prepare('SELECT call_id AS callId, data FROM events WHERE type = ? ORDER BY id').all(type) as Array<{ callId: string | null; data: string }>)
        .map((r) => ({ callId: r.callId, data: JSON.parse(r.data) as Record<string, unknown> }));
    },
    async waitRow<T>(sql: string, params: unknown[] = [], timeoutMs = 20_000): Promise<T> {
      let row: T | undefined;
      await waitUntil(() => {
        row = db.prepare(sql).get(...params) as T | undefined;
        return row !== undefined;
      }, { timeoutMs, what: sql });
      return row as T;
    },
  };
  return cb;
}

/** One channel (1 = left, 2 = right) of a compressed stereo recording, decoded to a mono WAV. */
export async function recordingChannel(file: string, channel: 1 | 2, out: string): Promise<string> {
  await run('ffmpeg', ['-v', 'error', '-y', '-i', file, '-af', `pan=mono|c0=c${channel - 1}`, '-ar', '8000', '-c:a', 'pcm_s16le', out]);
  return out;
}
