import type { Test } from 'tap';
import { connect, type Socket } from 'node:net';
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, freePorts } from './ports.js';
import { makeTone } from './tone.js';
import {
  PeerError, assertLoopback, makePeerDir, spawnPeer, udpOrTcpBoundBy, waitUntil, type PeerExit, type PeerProcess,
} from './sipp.js';

export interface BaresipOptions {
  /** The account's user, e.g. `1001` or `line1`. */
  user: string;
  /** `auth_pass` for digest challenges. */
  password?: string;
  /** Digest user when it differs from `user`. */
  authUser?: string;
  /**
   * The registrar / proxy / peer the account belongs to (the AoR's host:port): `dial 2000` goes
   * there. Omitted: the AoR points at this phone itself and only full URIs can be dialled.
   */
  server?: { host?: '127.0.0.1'; port: number };
  /** REGISTER to `server` every `regintS` (default true when `server` is given). */
  register?: boolean;
  regintS?: number;
  /** `auto` answers incoming calls at once; `manual` (default) waits for `answer()`. */
  answerMode?: 'auto' | 'manual';
  /**
   * 8 kHz mono 16-bit WAV sent as the microphone. baresip ends the call when the file ends, so the
   * default is silence as long as `lifetimeS`.
   */
  audioFile?: string;
  transport?: 'udp' | 'tcp';
  /** Extra `;name=value` account parameters, e.g. `;ptime=20` or `;audio_codecs=PCMA/8000/1`. */
  accountParams?: string;
  /** Extra config lines. */
  extraConfig?: string[];
  /** baresip quits by itself after this (`-t`, default 120 s). */
  lifetimeS?: number;
  /** Bound on start-up (default 5000 ms). */
  startTimeoutMs?: number;
  /** `-s`: print every SIP message into the log (`.log`), for debugging. */
  sipTrace?: boolean;
}

/** A ctrl_tcp event, e.g. `{ class: 'call', type: 'CALL_ESTABLISHED', peeruri, id, param }`. */
export interface BaresipEvent {
  class: string;
  type: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  id?: string;
  param?: string;
  raw: Record<string, unknown>;
}

export interface BaresipRecordings {
  /** sndfile's `*-dec.wav`: what this phone heard, one file per call, oldest first. */
  heard: string[];
  /** sndfile's `*-enc.wav`: what it sent. */
  sent: string[];
}

export interface BaresipHandle {
  readonly pid: number;
  readonly sipPort: number;
  readonly ctrlPort: number;
  /** The account's AoR as baresip reports it, e.g. `sip:1001@127.0.0.1:5060`. */
  readonly aor: string;
  /** A URI that reaches this phone directly: `sip:USER@127.0.0.1:SIPPORT`. */
  readonly uri: string;
  readonly dir: string;
  /** Everything captured from stdout and stderr (the last 256 KiB of each). */
  readonly log: string;
  /** Every event received so far. */
  readonly events: readonly BaresipEvent[];
  /** Run a ctrl_tcp command; resolves with its `data`, rejects PEER_COMMAND_FAILED if not ok. */
  command(cmd: string, params?: string, timeoutMs?: number): Promise<string>;
  /**
   * The first not yet consumed event matching `pred`, past or future; it is consumed, so two
   * successive waits for CALL_ESTABLISHED see two different calls.
   */
  waitEvent(pred: (e: BaresipEvent) => boolean, timeoutMs?: number): Promise<BaresipEvent>;
  /** `waitEvent` for a call event type (CALL_INCOMING, CALL_RINGING, CALL_ESTABLISHED, CALL_CLOSED…). */
  waitCall(type: string, timeoutMs?: number): Promise<BaresipEvent>;
  dial(uri: string): Promise<void>;
  answer(): Promise<void>;
  hangup(): Promise<void>;
  /** RFC 4733 telephone-events, one per character (0-9 * # A-D). */
  sendDtmf(digits: string): Promise<void>;
  hold(): Promise<void>;
  resume(): Promise<void>;
  /** Blind transfer (REFER) of the current call. */
  transfer(uri: string): Promise<void>;
  /** Resolves once the account is registered; rejects PEER_REGISTER_FAILED on a final failure. */
  waitRegistered(timeoutMs?: number): Promise<void>;
  recordings(): Promise<BaresipRecordings>;
  /** Wait until the newest heard recording holds at least `seconds` of audio. */
  waitHeard(seconds: number, timeoutMs?: number): Promise<BaresipRecordings>;
  /** `quit` (unregisters, hangs up), SIGKILL after `graceMs` (default 3000). */
  stop(graceMs?: number): Promise<PeerExit>;
}

const MODULES = ['g711.so', 'aufile.so', 'aubridge.so', 'sndfile.so'];
const G711_BYTES_PER_S = 16000; // sndfile writes decoded G.711 as 8 kHz 16-bit mono

/** Start a baresip desk phone on loopback, controlled over ctrl_tcp; stopped at test end. */
export async function startBaresip(t: Test, opts: BaresipOptions): Promise<BaresipHandle> {
  if (opts.server?.host !== undefined) assertLoopback(opts.server.host, 'baresip server');
  const dir = await makePeerDir(t, 'baresip');
  const [sipPort] = await freePorts(1, 2); // UDP+TCP on P, TLS on P+1
  const ctrlPort = await freePort();
  const [rtpMin] = await freePorts(1, 20);
  const lifetimeS = opts.lifetimeS ?? 120;
  const audioFile = await sourceFile(dir, opts.audioFile, lifetimeS);
  const ports = { sip: sipPort as number, ctrl: ctrlPort, rtpMin: rtpMin as number };
  await mkdir(join(dir, 'recordings'));
  await writeFile(join(dir, 'config'), configText(dir, audioFile, ports, opts));
  const { line, aor } = accountLine(opts, ports.sip);
  await writeFile(join(dir, 'accounts'), `${line}\n`);
  const args = ['-f', dir, '-t', String(lifetimeS), ...(opts.sipTrace ? ['-s'] : [])];
  const peer = spawnPeer(t, 'baresip', args, { cwd: dir, hardLimitMs: (lifetimeS + 10) * 1000 });
  const ready = { timeoutMs: opts.startTimeoutMs ?? 5000, peer };
  await waitUntil(() => udpOrTcpBoundBy(peer.pid, 'tcp', ctrlPort), { ...ready, what: `baresip ctrl_tcp on ${ctrlPort}` });
  await waitUntil(() => udpOrTcpBoundBy(peer.pid, 'udp', ports.sip), { ...ready, what: `baresip SIP on ${ports.sip}` });
  const ctrl = new CtrlConnection(peer, await connectCtrl(ctrlPort));
  const handle = makeHandle({ peer, ctrl, dir, aor, ports, user: opts.user });
  t.teardown(() => handle.stop());
  return handle;
}

/**
 * baresip 1.0.0 keeps `audio_source` in a 128-byte buffer and, given a truncated path, leaves an
 * answered call hanging: the WAV is copied to a short path in the phone's own directory.
 */
async function sourceFile(dir: string, given: string | undefined, lifetimeS: number): Promise<string> {
  const path = join(dir, 'source.wav');
  if (path.length > 110) throw new PeerError('PEER_BAD_OPTIONS', `baresip temp dir path too long for its config: ${path}`);
  if (given === undefined) return makeTone(path, { freqHz: 0, seconds: lifetimeS });
  await copyFile(given, path);
  return path;
}

function configText(dir: string, audioFile: string, p: { sip: number; ctrl: number; rtpMin: number }, o: BaresipOptions): string {
  return [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${p.sip}`,
    'net_interface 127.0.0.1',
    'call_local_timeout 30',
    'call_max_calls 4',
    'audio_path /usr/share/baresip',
    'audio_player aubridge,player-sink', // aubridge devices without a source: heard audio goes nowhere
    'audio_alert aubridge,alert-sink', // (a device name shared by player and alert stalls incoming calls)
    `audio_source aufile,${audioFile}`,
    `rtp_ports ${p.rtpMin}-${p.rtpMin + 19}`,
    'rtcp_mux no',
    'jitter_buffer_delay 1-10',
    'module_path /usr/lib/baresip/modules',
    ...MODULES.map((m) => `module ${m}`),
    'module_tmp uuid.so',
    'module_tmp account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${p.ctrl}`,
    `snd_path ${join(dir, 'recordings')}`,
    'statmode_default off',
    ...(o.extraConfig ?? []),
    '',
  ].join('\n');
}

function accountLine(o: BaresipOptions, sipPort: number): { line: string; aor: string } {
  const host = o.server?.host ?? '127.0.0.1';
  const port = o.server?.port ?? sipPort;
  const register = o.server !== undefined && (o.register ?? true);
  const params = [
    o.password !== undefined ? `;auth_pass=${o.password}` : '',
    o.authUser !== undefined ? `;auth_user=${o.authUser}` : '',
    `;answermode=${o.answerMode ?? 'manual'}`,
    `;regint=${register ? (o.regintS ?? 600) : 0}`,
    o.accountParams ?? '',
  ].join('');
  const aor = `sip:${o.user}@${host}:${port}`;
  return { line: `<${aor};transport=${o.transport ?? 'udp'}>${params}`, aor };
}

async function connectCtrl(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => resolve(sock));
    sock.once('error', (err) => reject(new PeerError('PEER_EXITED', `ctrl_tcp connect failed: ${err.message}`)));
  });
}

interface Waiter {
  pred: (e: BaresipEvent) => boolean;
  resolve: (e: BaresipEvent) => void;
}

/** Netstring-framed JSON over ctrl_tcp: commands with tokens, and the event stream. */
class CtrlConnection {
  readonly events: BaresipEvent[] = [];
  private readonly consumed = new Set<number>();
  private readonly waiters = new Set<Waiter>();
  private readonly pending = new Map<string, (r: { ok: boolean; data: string }) => void>();
  private buf = Buffer.alloc(0);
  private seq = 0;

  constructor(private readonly peer: PeerProcess, private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', () => undefined); // a closing baresip resets the connection; exits are reported elsewhere
  }

  async command(cmd: string, params: string, timeoutMs: number): Promise<string> {
    const token = `t${++this.seq}`;
    const json = JSON.stringify({ command: cmd, params, token });
    const reply = new Promise<{ ok: boolean; data: string }>((resolve) => this.pending.set(token, resolve));
    this.sock.write(`${Buffer.byteLength(json)}:${json},`);
    const r = await this.bounded(reply, timeoutMs, `a reply to ${cmd} ${params}`);
    if (!r.ok) throw new PeerError('PEER_COMMAND_FAILED', `baresip ${cmd} ${params} failed: ${r.data}`);
    return r.data;
  }

  async waitEvent(pred: (e: BaresipEvent) => boolean, timeoutMs: number, what: string): Promise<BaresipEvent> {
    const i = this.events.findIndex((e, idx) => !this.consumed.has(idx) && pred(e));
    if (i >= 0) {
      this.consumed.add(i);
      return this.events[i] as BaresipEvent;
    }
    let waiter: Waiter | undefined;
    const found = new Promise<BaresipEvent>((resolve) => {
      waiter = { pred, resolve };
      this.waiters.add(waiter);
    });
    try {
      return await this.bounded(found, timeoutMs, what);
    } finally {
      if (waiter) this.waiters.delete(waiter);
    }
  }

  close(): void {
    this.sock.destroy();
  }

  /** Race `p` against the timeout and the process exit, with the log tail in the error. */
  private async bounded<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PeerError('PEER_TIMEOUT',
        `baresip: no ${what} within ${timeoutMs} ms; events: ${this.eventSummary()}\n${this.peer.tail()}`)), timeoutMs);
    });
    const exited = this.peer.exited.then((x): never => {
      throw new PeerError('PEER_EXITED', `baresip exited (code ${x.code}) before ${what}\n${this.peer.tail()}`);
    });
    try {
      return await Promise.race([p, timeout, exited]);
    } finally {
      clearTimeout(timer);
    }
  }

  private eventSummary(): string {
    return this.events.map((e) => e.type).join(' ') || '(none)';
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const colon = this.buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(this.buf.toString('latin1', 0, colon));
      if (!Number.isInteger(len) || len < 0) {
        this.sock.destroy(new PeerError('PEER_BAD_OUTPUT', 'bad netstring length from baresip ctrl_tcp'));
        return;
      }
      if (this.buf.length < colon + len + 2) return;
      const payload = this.buf.toString('utf8', colon + 1, colon + 1 + len);
      this.buf = this.buf.subarray(colon + len + 2); // skip the trailing ','
      this.onMessage(parseJson(payload));
    }
  }

  private onMessage(msg: unknown): void {
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as Record<string, unknown>;
    if (m['response'] === true && typeof m['token'] === 'string') {
      this.pending.get(m['token'])?.({ ok: m['ok'] === true, data: typeof m['data'] === 'string' ? m['data'] : '' });
      this.pending.delete(m['token']);
    } else if (m['event'] === true) {
      this.onEvent(toEvent(m));
    }
  }

  private onEvent(e: BaresipEvent): void {
    const index = this.events.push(e) - 1;
    for (const w of this.waiters) {
      if (w.pred(e)) {
        this.consumed.add(index);
        this.waiters.delete(w);
        w.resolve(e);
        return;
      }
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // not JSON: ignored, like any message that is neither a reply nor an event
  }
}

function toEvent(m: Record<string, unknown>): BaresipEvent {
  const str = (k: string): string | undefined => (typeof m[k] === 'string' ? (m[k] as string) : undefined);
  const e: BaresipEvent = { class: str('class') ?? '', type: str('type') ?? '', raw: m };
  for (const k of ['accountaor', 'direction', 'peeruri', 'id', 'param'] as const) {
    const v = str(k);
    if (v !== undefined) e[k] = v;
  }
  return e;
}

interface HandleParts {
  peer: PeerProcess;
  ctrl: CtrlConnection;
  dir: string;
  aor: string;
  user: string;
  ports: { sip: number; ctrl: number };
}

function makeHandle({ peer, ctrl, dir, aor, user, ports }: HandleParts): BaresipHandle {
  const cmd = (c: string, p = '', timeoutMs = 5000): Promise<string> => ctrl.command(c, p, timeoutMs);
  let stopping: Promise<PeerExit> | undefined;
  const recordings = async (): Promise<BaresipRecordings> => {
    const names = (await readdir(join(dir, 'recordings'))).sort();
    const pick = (suffix: string): string[] => names.filter((n) => n.endsWith(suffix)).map((n) => join(dir, 'recordings', n));
    return { heard: pick('-dec.wav'), sent: pick('-enc.wav') };
  };
  const handle: BaresipHandle = {
    pid: peer.pid, sipPort: ports.sip, ctrlPort: ports.ctrl, aor, dir,
    uri: `sip:${user}@127.0.0.1:${ports.sip}`,
    get log() { return peer.output(); },
    get events() { return ctrl.events; },
    command: cmd,
    waitEvent: (pred, timeoutMs = 5000) => ctrl.waitEvent(pred, timeoutMs, 'matching event'),
    waitCall: (type, timeoutMs = 5000) => ctrl.waitEvent((e) => e.type === type, timeoutMs, `${type} event`),
    dial: async (uri) => { await cmd('dial', uri); },
    answer: async () => { await cmd('accept'); },
    hangup: async () => { await cmd('hangup'); },
    sendDtmf: async (digits) => { await cmd('sndcode', digits); },
    hold: async () => { await cmd('hold'); },
    resume: async () => { await cmd('resume'); },
    transfer: async (uri) => { await cmd('transfer', uri); },
    waitRegistered: (timeoutMs = 5000) => waitRegistered(ctrl, cmd, aor, timeoutMs, peer),
    recordings,
    async waitHeard(seconds, timeoutMs = 10_000) {
      await waitUntil(async () => {
        const last = (await recordings()).heard.at(-1);
        return last !== undefined && (await stat(last)).size >= 44 + seconds * G711_BYTES_PER_S;
      }, { timeoutMs, what: `${seconds} s of heard audio in ${dir}/recordings`, peer, intervalMs: 50 });
      return recordings();
    },
    stop(graceMs = 3000) {
      stopping ??= (async () => {
        if (!peer.hasExited()) await cmd('quit', '', 1000).catch(() => undefined);
        const exit = await peer.waitOrKill(graceMs);
        ctrl.close();
        return exit;
      })();
      return stopping;
    },
  };
  return handle;
}

/**
 * REGISTER_OK/REGISTER_FAIL may come before ctrl_tcp is connected, so besides the events this polls
 * `reginfo` (a line per account: `> sip:1001@127.0.0.1:5060   OK  Expires 600s`, or `ERR`).
 */
async function waitRegistered(
  ctrl: CtrlConnection, cmd: (c: string) => Promise<string>, aor: string, timeoutMs: number, peer: PeerProcess,
): Promise<void> {
  const failed = (why: string): PeerError =>
    new PeerError('PEER_REGISTER_FAILED', `${aor} failed to register: ${why}\n${peer.tail()}`);
  await waitUntil(async () => {
    const fail = ctrl.events.find((e) => e.type === 'REGISTER_FAIL' && e.accountaor === aor);
    if (fail) throw failed(fail.param ?? '');
    if (ctrl.events.some((e) => e.type === 'REGISTER_OK' && e.accountaor === aor)) return true;
    // eslint-disable-next-line no-control-regex
    const line = (await cmd('reginfo')).replace(/\x1b\[[0-9;]*m/g, '').split('\n').find((l) => l.includes(aor)) ?? '';
    if (/\bERR\b/.test(line)) throw failed(/reg: [^\n]*/.exec(peer.stdout())?.[0] ?? line.trim());
    return /\bOK\b/.test(line);
  }, { timeoutMs, what: `${aor} to register`, peer, intervalMs: 50 });
}
