import { isIP } from 'node:net';
import { callerIdFrom, lineFromInvite } from '../../drivers/gateway/inbound.js';
import { isGatewayModel } from '../../drivers/gateway/models.js';
import { outboundTarget } from '../../drivers/gateway/outbound.js';
import { gatewayProfile } from '../../drivers/gateway/profiles.js';
import type { GatewayProfile } from '../../drivers/gateway/profile-types.js';
import { getFrom } from '../../drivers/sip/message/index.js';
import { SipError, type Dialog, type IncomingInvite, type OptionsPinger } from '../../drivers/sip/ua/index.js';
import type { Remote } from '../../drivers/sip/transport/index.js';
import { Blacklist } from '../lines/blacklist.js';
import { parseTarget } from '../lines/routing-target.js';
import type { GatewayRow } from '../store/gateways-repo.js';
import type { LineRow } from '../store/lines-repo.js';
import type { LineBoard } from '../lines/line-board.js';
import type { Call } from './call.js';
import type { CallEngine } from './call-engine.js';
import { strictestPolicy } from './call-engine.js';
import { outboundDecision } from './permissions.js';

/** How often the gateway is pinged; three misses in a row mark its lines down. */
const PING_INTERVAL_MS = 30_000;

/**
 * The FXO gateway's side of the engine: which INVITEs are the gateway's (by source address),
 * inbound calls on a line (blacklist, routing, fallback), outbound calls through a free line
 * (permissions, hunting, the port the profile names), and the OPTIONS health check that marks a
 * dead gateway's lines down.
 */
export class GatewayCalls {
  private pinger: OptionsPinger | undefined;
  private readonly down = new Set<number>();

  constructor(private readonly engine: CallEngine) {}

  start(): void {
    const { stack, store, bus, board } = this.engine.deps;
    const pinger = stack.createPinger({ missesBeforeDown: 3, timeoutMs: 5_000 });
    this.pinger = pinger;
    const byTarget = new Map<string, GatewayRow>();
    for (const gw of store.gateways.list()) {
      const target = `sip:${hostPort(gw.host, gw.port)}`;
      byTarget.set(target, gw);
      pinger.watch(target, PING_INTERVAL_MS);
    }
    pinger.on('down', (s) => {
      const gw = byTarget.get(s.target);
      if (!gw || this.down.has(gw.id)) return;
      this.down.add(gw.id);
      board.gateway(gw.id, false);
      bus.publish('gateway.down', { gateway: gw.name, host: gw.host, port: gw.port, misses: s.misses });
    });
    pinger.on('up', (s) => {
      const gw = byTarget.get(s.target);
      if (gw) this.markUp(gw, 'options');
    });
  }

  /** The gateway answered a ping, or sent a call: it is alive whatever the pings said. */
  private markUp(gw: GatewayRow, by: 'options' | 'invite'): void {
    const wasDown = this.down.delete(gw.id);
    this.engine.deps.board.gateway(gw.id, true);
    if (wasDown) this.engine.deps.bus.publish('gateway.up', { gateway: gw.name, host: gw.host, port: gw.port, by });
  }

  stop(): void {
    this.pinger?.close();
  }

  /** The gateway an INVITE came from: matched on the source address (the gateway is a trusted peer on the LAN). */
  gatewayOf(source: Remote): GatewayRow | undefined {
    const gws = this.engine.deps.store.gateways.list();
    const exact = gws.find((g) => sameHost(g.host, source.address) && g.port === source.port);
    if (exact) return exact;
    // A gateway may send from another port than it listens on; a phone on the same address (a
    // test box, an ATA next to the gateway) must then still authenticate as a phone.
    const phoneThere = this.engine.deps.phones.registrar.allBindings().some((b) => b.source.address === source.address);
    return phoneThere ? undefined : gws.find((g) => sameHost(g.host, source.address));
  }

  /** The CLI changes lines in the database while the daemon runs: the board follows on each call. */
  private syncBoard(): void {
    const { store, board } = this.engine.deps;
    board.sync(store.lines.list().filter((l) => l.enabled).map((l) => ({ line: l.id, gatewayId: l.gatewayId, direction: l.direction })));
  }

  async inbound(inv: IncomingInvite, gw: GatewayRow): Promise<void> {
    const { store, bus, board } = this.engine.deps;
    // Some gateways never answer OPTIONS: a call from one proves it is up.
    if (this.down.has(gw.id)) this.markUp(gw, 'invite');
    this.syncBoard();
    const profile = profileOf(gw);
    const uri = inv.request.uri;
    const line = lineFromInvite(profile, { requestUser: uri.kind === 'sip' ? uri.user : undefined, toUser: userOf(inv.to.uri) });
    const row = line === undefined ? this.trunkLine(gw) : store.lines.list().find((l) => l.id === line && l.gatewayId === gw.id) ?? store.lines.get(line);
    if (!row && line === undefined && store.lines.list().some((l) => l.enabled && l.gatewayId === gw.id && l.direction !== 'out')) {
      // Trunk mode with every line taken: the box is busy, not misconfigured.
      inv.log.info({ gateway: gw.name }, 'INVITE from the gateway while every line is busy');
      inv.reject(486, { reason: 'All Lines Busy' });
      return;
    }
    if (!row || !row.enabled) {
      inv.log.warn({ gateway: gw.name, requestUri: uri.kind === 'sip' ? uri.user : undefined }, 'INVITE from the gateway for no known line');
      inv.reject(404, { reason: 'No Such Line' });
      return;
    }
    const from = getFrom(inv.request);
    const caller = callerIdFrom(profile, {
      fromUser: userOf(from.uri), pAssertedIdentity: inv.request.headers.get('P-Asserted-Identity'), remotePartyId: inv.request.headers.get('Remote-Party-ID'),
    }) ?? '';
    const call = this.engine.openCall(inv, {
      direction: 'inbound', caller, callerName: from.displayName ?? '', callee: row.number || `line${row.id}`, line: row.id, customerIsA: true,
      record: row.record, inbandDtmf: profile.dtmf === 'inband',
    });
    if (new Blacklist(store.blacklist).isBlocked(caller)) {
      bus.publish('call.blocked', { caller, line: row.id, reason: 'blacklist' }, call.id);
      inv.reject(486, { reason: 'Busy Here' });
      await this.engine.end(call, { cause: 'blacklisted', disposition: 'blocked', by: 'system' });
      return;
    }
    const refuse = board.apply(row.id, { type: 'inbound-invite' })?.find((e) => e.type === 'refuse');
    if (refuse && refuse.type === 'refuse') {
      // The line is not ours (another call holds it, or it is down): nothing to release.
      inv.reject(refuse.status);
      await this.engine.end(call, { cause: refuse.status === 503 ? 'line_down' : 'line_busy', disposition: 'busy', by: 'system' });
      return;
    }
    releaseOnEnd(call, board, row.id);
    const target = parseTarget(row.target);
    if (target?.kind === 'flow') {
      await this.engine.runFlow(call, inv, target.name);
      return;
    }
    if (target?.kind === 'queue') {
      await this.engine.runQueue(call, inv, target.name);
      return;
    }
    const exts = this.extensionsOf(row.target);
    if (exts === undefined) {
      bus.publish('call.unrouted', { line: row.id, target: row.target }, call.id);
      inv.reject(480, { reason: 'No Route' });
      await this.engine.end(call, { cause: 'no_route', disposition: 'failed', by: 'system' });
      return;
    }
    const fallback = row.fallback ? this.extensionsOf(row.fallback) : undefined;
    await this.engine.ringAndConnect(call, inv, { exts, fallback });
  }

  /**
   * Trunk mode: every port forwards to one user, so the INVITE does not say which line rang. The
   * call is counted on the lowest idle inbound-capable line of the gateway (busy lines and routing
   * stay right as long as the lines share their routing, which is how trunk mode is set up).
   */
  private trunkLine(gw: GatewayRow): LineRow | undefined {
    const { store, board } = this.engine.deps;
    return store.lines.list().find((l) => l.enabled && l.gatewayId === gw.id && l.direction !== 'out' && board.state(l.id) === 'idle');
  }

  /** The extensions a routing target rings: one, or a ring group's members; undefined when unroutable. */
  private extensionsOf(target: string): string[] | undefined {
    const t = parseTarget(target);
    if (!t) return undefined;
    if (t.kind === 'extension') return [t.ext];
    if (t.kind === 'group') return this.engine.deps.store.ringGroups.get(t.name)?.members;
    return undefined; // queue: and flow: are answered by the box (runQueue, runFlow)
  }

  async outbound(inv: IncomingInvite, ext: string, number: string): Promise<void> {
    const extRow = this.engine.deps.store.extensions.get(ext);
    const call = this.engine.openCall(inv, {
      direction: 'outbound', caller: ext, callerName: extRow?.displayName ?? '', callee: number, ext, customerIsA: false,
      record: extRow?.record ?? 'off',
    });
    const seized = this.seizeLine(call, ext, number);
    if (seized.kind === 'refused') {
      inv.reject(403, { reason: seized.reason });
      await this.engine.end(call, { cause: 'rejected', disposition: 'rejected', by: 'system' });
      return;
    }
    if (seized.kind === 'no-line') {
      inv.reject(503, { reason: 'No Free Line', headers: [['Retry-After', String(this.engine.opts.calls.retry_after_s)]] });
      await this.engine.end(call, { cause: 'line_busy', disposition: 'busy', by: 'system' });
      return;
    }
    this.engine.deps.store.calls.update(call.id, { lineId: seized.line.row.id });
    call.info.line = seized.line.row.id;
    await this.dialOut(call, inv, seized.line, number);
  }

  /**
   * `ext` may call `number` (its permissions and the box's blocked prefixes) and a free line is
   * seized for it (held by `call` until it ends). Refusals are events on the call.
   */
  seizeLine(call: Call, ext: string | undefined, number: string): Seizure {
    const { store, bus, board } = this.engine.deps;
    // A call flow dialling out (ext undefined) has no allow list of its own: the box-wide blocks apply.
    const perms = ext === undefined
      ? { outbound: true, allowedLines: [], allowPrefixes: [], denyPrefixes: [] }
      : store.extensions.permissions(ext) ?? { outbound: false, allowedLines: [], allowPrefixes: [], denyPrefixes: [] };
    const decision = outboundDecision(perms, number, this.engine.opts.calls.blocked_prefixes, ext);
    if (!decision.allowed) {
      bus.publish('call.refused', { reason: decision.code, extension: ext ?? null, ...(decision.prefix !== undefined ? { prefix: decision.prefix } : {}) }, call.id);
      call.log.warn({ callId: call.id, extension: ext, code: decision.code }, decision.message);
      return { kind: 'refused', reason: decision.code === 'PREFIX_BLOCKED' ? 'Number Not Allowed' : 'Outbound Calls Not Allowed' };
    }
    this.syncBoard();
    const line = board.pickOutbound(decision.lines);
    const row = line === undefined ? undefined : store.lines.get(line);
    const gw = row?.gatewayId == null ? undefined : store.gateways.list().find((g) => g.id === row.gatewayId);
    if (line === undefined || !row || !gw) {
      bus.publish('call.no_line', { allowed: decision.lines ?? 'any' }, call.id);
      return { kind: 'no-line' };
    }
    board.apply(line, { type: 'outbound-seize' });
    const release = releaseOnEnd(call, board, line);
    bus.publish('call.line_seized', { line }, call.id);
    return { kind: 'seized', line: { row, gw }, release };
  }

  /** INVITE to the gateway for `number` on the seized line, with rtpengine's `offer`; rejects with the gateway's SipError. */
  dial(call: Call, line: SeizedLine, number: string, offer: string, o: { signal: AbortSignal; onRinging?: () => void }): Promise<Dialog> {
    const { row, gw } = line;
    const target = outboundTarget(profileOf(gw), row.id, number);
    const hp = hostPort(gw.host, gw.port);
    const abort = new AbortController();
    o.signal.addEventListener('abort', () => abort.abort(), { once: true });
    const timer = setTimeout(() => abort.abort(), DIAL_TIMEOUT_MS);
    call.onCleanup(() => abort.abort());
    return this.engine.deps.stack.createUAC(`sip:${target.user}@${hp}`, {
      localSdp: offer,
      from: `<sip:${target.account ?? row.portUser}@${this.engine.hostPort()}>`,
      to: `<sip:${target.user}@${hp}>`,
      destination: { transport: gw.transport, address: gw.host, port: gw.port },
      signal: abort.signal,
      onProvisional: (res) => {
        if (res.status === 180 || res.status === 183) o.onRinging?.();
      },
    }).finally(() => clearTimeout(timer));
  }

  private async dialOut(call: Call, inv: IncomingInvite, line: SeizedLine, number: string): Promise<void> {
    const offerSdp = inv.sdp;
    if (offerSdp === undefined) {
      inv.reject(488, { reason: 'SDP Offer Required' });
      await this.engine.end(call, { cause: 'failed', disposition: 'failed', by: 'system' });
      return;
    }
    const tag = call.nextTag();
    try {
      const offer = await call.media.offer(offerSdp, 'a');
      const dialog = await this.dial(call, line, number, offer, {
        signal: inv.signal, onRinging: () => { if (inv.state === 'pending') inv.progress(180); },
      });
      await this.engine.connect(call, inv, { dialog, tag });
    } catch (err) {
      const status = err instanceof SipError && err.status !== undefined ? err.status : 500;
      if (inv.state === 'pending') inv.reject(status === 487 ? 480 : status >= 300 ? status : 500);
      const busy = status === 486 || status === 600;
      await this.engine.end(call, {
        cause: inv.state === 'cancelled' ? 'cancelled' : busy ? 'busy' : 'failed',
        disposition: inv.state === 'cancelled' ? 'abandoned' : busy ? 'busy' : 'failed', by: 'system',
      });
    }
  }
}

/** Analog lines often answer at once; a gateway that never answers at all is given up after this. */
const DIAL_TIMEOUT_MS = 120_000;

export interface SeizedLine {
  row: LineRow;
  gw: GatewayRow;
}

export type Seizure =
  | { kind: 'seized'; line: SeizedLine; release: () => void }
  | { kind: 'refused'; reason: string }
  | { kind: 'no-line' };

/**
 * The call holds `line` until it ends, or until the returned function is called (a failed dial):
 * released once, never twice, as the line may be someone else's by then.
 */
function releaseOnEnd(call: Call, board: LineBoard, line: number): () => void {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    board.apply(line, { type: 'released' });
  };
  call.onCleanup(release);
  return release;
}

function profileOf(gw: GatewayRow): GatewayProfile {
  return gatewayProfile(isGatewayModel(gw.model) ? gw.model : 'generic');
}

function userOf(uri: { kind: string; user?: string | undefined }): string | undefined {
  return uri.kind === 'sip' ? uri.user : undefined;
}

function sameHost(configured: string, address: string): boolean {
  const a = address.replace(/^::ffff:/, '');
  return configured === a || (isIP(configured) === 0 && configured.toLowerCase() === 'localhost' && a === '127.0.0.1');
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
