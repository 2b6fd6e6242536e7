import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import { renderRtpengineConfig, type RtpengineSpawnSettings } from './config-file.js';
import { RtpengineError } from './errors.js';
import { NgClient } from './ng-client.js';
import { assertExecutable, killLeftover, RtpengineInstance, type ExitInfo } from './instance.js';

export type RtpengineState = 'stopped' | 'starting' | 'running' | 'restarting' | 'down';

export type RtpengineMode =
  | { kind: 'spawn'; binary: string; runtimeDir: string; settings: Omit<RtpengineSpawnSettings, 'pidFile'> }
  | { kind: 'external'; host: string; port: number };

export interface SupervisorOptions {
  mode: RtpengineMode;
  commandTimeoutMs: number;
  /** How long a fresh rtpengine may take to answer ping. */
  readyTimeoutMs?: number;
  /** First restart delay; doubles per failed attempt up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Interval of the health ping (external mode, and spawn mode for a hung process). */
  healthIntervalMs?: number;
  stopGraceMs?: number;
}

export interface SupervisorEvents {
  state: [RtpengineState];
  /** A spawned rtpengine died unexpectedly. */
  exited: [ExitInfo & { output: string }];
  /** It is back after a crash; `attempt` counts tries since the crash. */
  restarted: [{ attempt: number; pid: number | undefined }];
}

/**
 * Keeps exactly one rtpengine answering on the ng socket: starts it (spawn mode) and waits for
 * `ping`, restarts it with back-off when it dies, stops it on shutdown. In external mode it only
 * pings. Commands go through `client`.
 */
export class RtpengineSupervisor extends EventEmitter<SupervisorEvents> {
  readonly client: NgClient;
  private current: RtpengineState = 'stopped';
  private instance: RtpengineInstance | undefined;
  private restartTimer: TimerHandle | undefined;
  private healthTimer: TimerHandle | undefined;
  private attempts = 0;
  private missedPings = 0;
  private stopping = false;
  private readonly o: Required<Omit<SupervisorOptions, 'mode'>> & { mode: RtpengineMode };

  constructor(private readonly deps: { clock: Clock; log: Logger }, opts: SupervisorOptions) {
    super();
    this.o = { readyTimeoutMs: 10_000, backoffMs: 500, maxBackoffMs: 30_000, healthIntervalMs: 5_000, stopGraceMs: 3_000, ...opts };
    const [host, port] = opts.mode.kind === 'spawn' ? ['127.0.0.1', opts.mode.settings.ngPort] : [opts.mode.host, opts.mode.port];
    this.client = new NgClient({ host, port, timeoutMs: opts.commandTimeoutMs, log: deps.log });
  }

  get state(): RtpengineState {
    return this.current;
  }

  get pid(): number | undefined {
    return this.instance?.pid;
  }

  /** Resolves once rtpengine answers ping; rejects with a typed error naming the cause. */
  async start(): Promise<void> {
    this.stopping = false;
    this.setState('starting');
    if (this.o.mode.kind === 'spawn') await this.spawnAndWait(this.o.mode);
    else await this.waitForPing(undefined);
    this.setState('running');
    this.scheduleHealth();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.restartTimer?.cancel();
    this.healthTimer?.cancel();
    const inst = this.instance;
    this.instance = undefined;
    if (inst) await inst.stop(this.o.stopGraceMs);
    this.client.close();
    this.setState('stopped');
  }

  private async spawnAndWait(mode: Extract<RtpengineMode, { kind: 'spawn' }>): Promise<void> {
    assertExecutable(mode.binary);
    mkdirSync(mode.runtimeDir, { recursive: true });
    mkdirSync(mode.settings.spoolDir, { recursive: true });
    const configPath = join(mode.runtimeDir, 'rtpengine.conf');
    const pidFile = join(mode.runtimeDir, 'rtpengine.pid');
    await killLeftover(pidFile, configPath, this.deps.log);
    writeFileSync(configPath, renderRtpengineConfig({ ...mode.settings, pidFile }));
    const inst = new RtpengineInstance(mode.binary, configPath, this.deps.log.child({ component: 'rtpengine' }));
    this.instance = inst;
    try {
      await this.waitForPing(inst);
    } catch (err) {
      if (this.instance === inst) this.instance = undefined;
      await inst.stop(this.o.stopGraceMs);
      throw err;
    }
    void inst.exited.then((info) => this.onExit(inst, info));
    this.deps.log.info({ pid: inst.pid, ngPort: mode.settings.ngPort }, 'rtpengine running');
  }

  /** Ping every 50 ms until it answers, the process exits, or the time is up. */
  private async waitForPing(inst: RtpengineInstance | undefined): Promise<void> {
    const deadline = this.deps.clock.monotonic() + this.o.readyTimeoutMs;
    let last: unknown;
    while (this.deps.clock.monotonic() < deadline) {
      if (inst && !inst.running) break;
      try {
        await this.client.ping(250);
        return;
      } catch (err) {
        last = err;
      }
      await new Promise<void>((r) => this.deps.clock.setTimeout(r, 50));
    }
    const said = inst?.output() ? `; rtpengine said:\n${inst.output()}` : '';
    const why = inst && !inst.running ? 'rtpengine exited during start' : `no ping answer within ${this.o.readyTimeoutMs} ms`;
    throw new RtpengineError('RTPENGINE_START_FAILED', `${why} (ng ${this.describeNg()})${said}`, { cause: last });
  }

  private onExit(inst: RtpengineInstance, info: ExitInfo): void {
    if (this.stopping || this.instance !== inst) return;
    this.instance = undefined;
    this.deps.log.error({ ...info }, 'rtpengine exited; restarting');
    this.emit('exited', { ...info, output: inst.output() });
    this.setState('restarting');
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = Math.min(this.o.backoffMs * 2 ** this.attempts, this.o.maxBackoffMs);
    this.attempts++;
    this.restartTimer = this.deps.clock.setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.stopping || this.o.mode.kind !== 'spawn') return;
    try {
      await this.spawnAndWait(this.o.mode);
    } catch (err) {
      this.deps.log.error({ err, attempt: this.attempts }, 'rtpengine restart failed');
      if (!this.stopping) this.scheduleRestart();
      return;
    }
    if (this.stopping) return;
    this.emit('restarted', { attempt: this.attempts, pid: this.instance?.pid });
    this.attempts = 0;
    this.setState('running');
  }

  /** External mode: follow reachability. Spawn mode: a process that stops answering is killed. */
  private scheduleHealth(): void {
    this.healthTimer = this.deps.clock.setTimeout(() => void this.checkHealth(), this.o.healthIntervalMs);
  }

  private async checkHealth(): Promise<void> {
    if (this.stopping) return;
    // The process pinged is the one judged: a ping sent just before a crash must not condemn the
    // fresh process that replaced it meanwhile.
    const pinged = this.instance;
    const ok = await this.client.ping().then(() => true, () => false);
    if (this.stopping) return;
    this.missedPings = ok ? 0 : this.missedPings + 1;
    if (this.o.mode.kind === 'external') this.setState(ok ? 'running' : 'down');
    else if (this.missedPings >= 2 && pinged && pinged === this.instance && this.current === 'running') {
      this.deps.log.error({ pid: pinged.pid }, 'rtpengine stopped answering ping; killing it');
      this.missedPings = 0;
      void pinged.stop(0);
    }
    this.scheduleHealth();
  }

  private setState(s: RtpengineState): void {
    if (s === this.current) return;
    this.current = s;
    this.emit('state', s);
  }

  private describeNg(): string {
    return this.o.mode.kind === 'spawn' ? `127.0.0.1:${this.o.mode.settings.ngPort}` : `${this.o.mode.host}:${this.o.mode.port}`;
  }
}
