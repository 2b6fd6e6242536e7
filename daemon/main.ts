import { join } from 'node:path';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../drivers/clock.js';
import { RtpengineSupervisor } from '../drivers/rtpengine/supervisor.js';
import { DtmfLogListener } from '../drivers/rtpengine/dtmf-log.js';
import { SipStack } from '../drivers/sip/stack.js';
import { loadConfig, type Config } from './config/index.js';
import { createLogger } from './logging/logger.js';
import { Store } from './store/store.js';
import { EventBus } from './events/bus.js';
import { ensureFirstAdmin } from './first-start.js';
import { removeLocalToken, writeLocalToken } from './auth/local-token.js';
import { buildHttpServer, listenHttp } from './http/server.js';
import type { BoxStatus } from './http/status-schema.js';
import { PACKAGE_ROOT, VERSION } from './package-info.js';
import { rtpengineMode } from './rtpengine-mode.js';
import { Phones } from './phones/phones.js';
import { CallEngine } from './calls/call-engine.js';
import { CallRecords } from './calls/call-records.js';
import { LineBoard } from './lines/line-board.js';
import { BlfPresence } from './phones/blf.js';
import { Recordings } from './recording/recordings.js';
import { RtpSink } from '../drivers/rtpengine/rtp-sink.js';
import { PromptLibrary } from './ivr/prompts.js';
import { CallbackList } from './ivr/callback-list.js';
import { VoicemailBox } from './ivr/voicemail-box.js';
import { loadFlow as loadStoredFlow } from './ivr/flow-library.js';
import { hasCode } from '../drivers/coded-error.js';
import type { Flow } from './ivr/flow-types.js';

export interface DaemonOptions {
  configPath: string;
  /** Refuse to run on embedded defaults when the file is missing. */
  mustExist?: boolean;
  /** Overrides the config's logger (tests). */
  log?: Logger;
  clock?: Clock;
  /** Where the human banner (first-start password, URLs) goes; stderr by default. */
  announce?: (text: string) => void;
}

type Stopper = { name: string; stop: () => Promise<void> | void };

/**
 * The composition root: start in dependency order (config → store → rtpengine → SIP → HTTP),
 * stop in reverse. A failed step stops what already started, so a refused start leaves nothing
 * running and no port held.
 */
export class Daemon {
  private readonly stoppers: Stopper[] = [];
  private readonly startedAt: number;
  private restarts = 0;
  private ready = false;
  private token: string | undefined;
  private stopped: Promise<void> | undefined;
  private phones: Phones | undefined;
  private engine: CallEngine | undefined;

  private constructor(readonly config: Config, readonly log: Logger, private readonly clock: Clock) {
    this.startedAt = clock.now();
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const config = loadConfig(opts.configPath, { mustExist: opts.mustExist ?? false });
    const log = opts.log ?? createLogger({ level: config.box.log_level });
    const d = new Daemon(config, log, opts.clock ?? systemClock);
    try {
      await d.boot(opts.announce ?? ((s) => process.stderr.write(s)));
    } catch (err) {
      await d.stop();
      throw err;
    }
    return d;
  }

  private async boot(announce: (text: string) => void): Promise<void> {
    const { config, log } = this;
    log.info({ version: VERSION, config: config.path, defaults: config.fromDefaults }, 'octoline starting');

    const store = Store.open(config.box.data_dir, log.child({ component: 'store' }));
    this.push('store', () => store.close());
    const bus = new EventBus({ events: store.events, log: log.child({ component: 'events' }) });
    const firstAdmin = await ensureFirstAdmin(store);

    const rtp = new RtpengineSupervisor({ clock: this.clock, log: log.child({ component: 'rtpengine' }) }, {
      mode: rtpengineMode(config), commandTimeoutMs: config.rtpengine.command_timeout_ms,
    });
    rtp.on('exited', (info) => bus.publish('system.rtpengine.exited', { code: info.code, signal: info.signal }));
    rtp.on('restarted', (r) => { this.restarts++; bus.publish('system.rtpengine.restarted', { attempt: r.attempt, pid: r.pid ?? null }); });
    this.push('rtpengine', () => rtp.stop());
    const dtmf = new DtmfLogListener({ log: log.child({ component: 'dtmf' }) }, { port: config.rtpengine.dtmf_log_port });
    this.push('dtmf-log', () => dtmf.stop());
    await dtmf.start();
    await rtp.start();

    // Each stopper is pushed before its start: a start that fails half-way is still undone.
    const sipLog = log.child({ component: 'sip' });
    const sip = new SipStack({ clock: this.clock, log: sipLog }, {
      address: config.sip.bind, port: config.sip.port, userAgent: `Octoline/${VERSION}`,
      timers: { t1: config.sip.t1_ms, t2: config.sip.t2_ms, t4: config.sip.t4_ms },
      ...(config.sip.public_address ? { publicAddress: config.sip.public_address } : {}),
    });
    this.push('sip', () => sip.stop());
    await sip.start();
    const phones = new Phones({ clock: this.clock, log: sipLog.child({ part: 'registrar' }), store, bus, stack: sip }, {
      realm: config.sip.realm, algorithms: config.sip.digest_algorithms, md5OnlyUserAgents: config.sip.md5_only_user_agents,
    });
    this.push('phones', () => phones.stop());
    phones.start();
    const blf = new BlfPresence({ log: sipLog.child({ part: 'blf' }), stack: sip, phones, clock: this.clock, extensions: store.extensions });
    this.push('blf', () => blf.stop());
    blf.start();
    this.engine = await this.startCalls({ store, bus, sip, phones, blf, rtp, dtmf });
    this.phones = phones;

    this.token = writeLocalToken(config.box.runtime_dir);
    this.push('cli-token', () => removeLocalToken(config.box.runtime_dir));
    const http = buildHttpServer({
      log: log.child({ component: 'http' }), status: () => this.status(rtp, store), ready: () => this.ready,
      localToken: () => this.token, webDir: join(PACKAGE_ROOT, 'web'),
      agents: this.engine.acd, supervisor: this.engine.supervision,
    });
    this.push('http', () => http.close());
    await listenHttp(http, { bind: config.http.bind, port: config.http.port });

    this.ready = true;
    bus.publish('system.started', { version: VERSION });
    announce(banner(config, firstAdmin));
  }

  /** Recordings (pending ones from a crash converted), unfinished CDRs closed, then the call engine. */
  private async startCalls(p: { store: Store; bus: EventBus; sip: SipStack; phones: Phones; blf: BlfPresence; rtp: RtpengineSupervisor; dtmf: DtmfLogListener }): Promise<CallEngine> {
    const { config, log } = this;
    const callsLog = log.child({ component: 'calls' });
    const recordings = new Recordings({ log: log.child({ component: 'recording' }), store: p.store, bus: p.bus, clock: this.clock }, {
      dataDir: config.box.data_dir, spoolDir: join(config.box.data_dir, 'spool'), format: config.recording.format,
      retentionDays: config.recording.retention_days, minFreeMb: config.recording.min_free_mb,
    });
    this.push('recordings', () => recordings.stop());
    const records = new CallRecords({ store: p.store, bus: p.bus, clock: this.clock });
    const closed = records.recoverUnfinished();
    if (closed > 0) callsLog.warn({ calls: closed }, 'calls left open by the last run were closed');
    const converted = await recordings.recoverPending();
    if (converted > 0) callsLog.info({ recordings: converted }, 'recordings left by the last run were converted');
    recordings.start();
    const sink = new RtpSink();
    await sink.start();
    this.push('rtp-sink', () => sink.stop());
    const prompts = new PromptLibrary({ dataDir: config.box.data_dir });
    // A stored flow passed validation when it was imported: a call only reads and parses it.
    const loadFlow = (name: string): Flow | undefined => {
      try {
        return loadStoredFlow(p.store, name);
      } catch (err) {
        if (hasCode(err, 'FLOW_NOT_FOUND')) return undefined;
        throw err;
      }
    };
    const callbacks = new CallbackList({ store: p.store, bus: p.bus, log: callsLog, clock: this.clock });
    const voicemail = new VoicemailBox({ store: p.store, bus: p.bus, log: callsLog, callbacks, clock: this.clock }, { dataDir: config.box.data_dir, format: config.recording.format });
    const board = new LineBoard(p.store.lines.list().map((l) => ({ line: l.id, gatewayId: l.gatewayId, direction: l.direction })), { hunt: config.calls.hunt });
    const engine = new CallEngine({
      log: callsLog, clock: this.clock, stack: p.sip, phones: p.phones, store: p.store, bus: p.bus, ng: () => p.rtp.client,
      records, recordings, board, blf: p.blf, sink, prompts, loadFlow,
      ivr: { voicemail, callbacks, spoolDir: join(config.box.data_dir, 'spool') },
    }, { calls: config.calls, acd: config.acd, timeZone: config.box.time_zone, mohFile: config.calls.moh_file || join(PACKAGE_ROOT, 'sounds', 'build', 'moh', 'default.wav') });
    this.push('calls', () => engine.stop());
    p.dtmf.on('dtmf', (ev) => engine.onDtmf(ev));
    engine.start();
    return engine;
  }

  /** Reverse order; safe to call twice (the second call waits for the first). */
  stop(): Promise<void> {
    this.stopped ??= this.stopAll();
    return this.stopped;
  }

  private async stopAll(): Promise<void> {
    this.ready = false;
    for (const s of this.stoppers.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        this.log.error({ err, step: s.name }, 'error while stopping');
      }
    }
    this.log.info('octoline stopped');
  }

  private push(name: string, stop: () => Promise<void> | void): void {
    this.stoppers.push({ name, stop });
  }

  private status(rtp: RtpengineSupervisor, store: Store): BoxStatus {
    const { config } = this;
    return {
      name: config.box.name,
      version: VERSION,
      startedAt: this.startedAt,
      uptimeSeconds: Math.round((this.clock.now() - this.startedAt) / 100) / 10,
      timeZone: config.box.time_zone,
      rtpengine: { mode: config.rtpengine.mode, state: rtp.state, pid: rtp.pid ?? null, restarts: this.restarts },
      sip: { bind: config.sip.bind, port: config.sip.port },
      lines: { configured: store.lines.count() },
      phones: { configured: store.extensions.count(), registered: this.phones?.registeredCount() ?? 0 },
      calls: { active: this.engine?.activeCalls() ?? 0 },
    };
  }
}


function banner(config: Config, firstAdmin: { username: string; password: string } | undefined): string {
  const host = config.http.bind.includes(':') ? `[${config.http.bind}]` : config.http.bind;
  const lines = [
    '',
    `Octoline ${VERSION} is running.`,
    `  Web page:  http://${host}:${config.http.port}/`,
    `  SIP:       ${config.sip.bind}:${config.sip.port} (udp, tcp)`,
    `  Data:      ${config.box.data_dir}${config.fromDefaults ? '   (embedded defaults: no config file yet)' : ''}`,
  ];
  if (firstAdmin) {
    lines.push(`  First start: user "${firstAdmin.username}", one-time password: ${firstAdmin.password}`,
      '  (you will be asked to change it at first sign-in; `octoline setup` can set it too)');
  }
  return `${lines.join('\n')}\n\n`;
}
