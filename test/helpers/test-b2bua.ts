import type { Test } from 'tap';
import type { Logger } from 'pino';
import { systemClock } from '../../drivers/clock.js';
import { formatNameAddr, formatUri, type Uri } from '../../drivers/sip/message/index.js';
import { SipStack, type SipStackOptions } from '../../drivers/sip/stack.js';
import { linkDialogs, SipError, type B2buaCall, type Dialog, type IncomingInvite } from '../../drivers/sip/ua/index.js';
import { freePort } from './ports.js';
import { testLogger } from './log.js';

/**
 * A B2BUA built on our SipStack for real-peer tests: every INVITE is bridged to the target its
 * Request-URI user is routed to (no media: SDP passes through), and a blind REFER on either leg
 * is carried out (202, NOTIFY 100, INVITE to the Refer-To target, NOTIFY 200 or the failure, the
 * other leg re-linked to the new one).
 */
export interface TestB2buaOptions {
  /** Request-URI user → target URI (`sip:user@127.0.0.1:port`); `*` is the default route. */
  routes: Record<string, string>;
  timers?: SipStackOptions['timers'];
  log?: Logger;
}

export interface TestB2buaCounters {
  /** INVITEs received. */
  offered: number;
  /** Both legs established. */
  bridged: number;
  /** B leg failed (its status) or was cancelled (`SIP_CANCELLED`). */
  failed: Record<string, number>;
  /** Blind transfers completed. */
  transferred: number;
}

export interface TestB2bua {
  readonly stack: SipStack;
  readonly port: number;
  /** `sip:USER@127.0.0.1:PORT`. */
  uri(user: string): string;
  readonly counters: TestB2buaCounters;
  readonly calls: B2buaCall[];
  stop(): Promise<void>;
}

function userOf(uri: Uri): string {
  return uri.kind === 'sip' ? uri.user ?? '' : '';
}

export async function startTestB2bua(t: Test, opts: TestB2buaOptions): Promise<TestB2bua> {
  const port = await freePort();
  const stack = new SipStack({ clock: systemClock, log: opts.log ?? testLogger() }, {
    address: '127.0.0.1', port, rateLimit: false, ...(opts.timers ? { timers: opts.timers } : {}),
  });
  await stack.start();
  const counters: TestB2buaCounters = { offered: 0, bridged: 0, failed: {}, transferred: 0 };
  const calls: B2buaCall[] = [];
  const route = (uri: Uri): string | undefined => opts.routes[userOf(uri)] ?? opts.routes['*'];
  const fromFor = (inv: IncomingInvite): string => {
    const from = inv.from;
    const user = from.uri.kind === 'sip' ? from.uri.user : undefined;
    return formatNameAddr({
      ...(from.displayName !== undefined ? { displayName: from.displayName } : {}),
      uri: { kind: 'sip', scheme: 'sip', host: '127.0.0.1', port, params: new Map(), headers: new Map(), ...(user !== undefined ? { user } : {}) },
      params: new Map(),
    });
  };

  const transferOnRefer = (call: B2buaCall, referrer: Dialog, other: () => Dialog, relink: (d: Dialog) => void): void => {
    referrer.on('refer', (r) => {
      const target = route(r.target);
      if (target === undefined || r.replaces !== undefined) {
        r.reject(target === undefined ? 404 : 501);
        return;
      }
      const sub = r.accept();
      call.unlink();
      stack.createUAC(target, { ...(other().remoteSdp !== undefined ? { localSdp: other().remoteSdp as string } : {}) })
        .then(async (c) => {
          relink(c);
          counters.transferred++;
          await sub.notify(200);
        })
        .catch(async (err: unknown) => {
          void other().destroy();
          await sub.notify(err instanceof SipError && err.status !== undefined ? err.status : 503).catch(() => undefined);
        });
    });
  };

  stack.on('invite', (inv) => {
    counters.offered++;
    const target = route(inv.request.uri);
    if (target === undefined) {
      inv.reject(404);
      return;
    }
    stack.createB2BUA(inv, target, { uac: { from: fromFor(inv) } })
      .then((call) => {
        counters.bridged++;
        calls.push(call);
        // After a transfer the surviving leg is linked to the new one.
        transferOnRefer(call, call.a, () => call.b, (c) => { linkDialogs(call.b, c); });
        transferOnRefer(call, call.b, () => call.a, (c) => { linkDialogs(call.a, c); });
      })
      .catch((err: unknown) => {
        const key = err instanceof SipError ? (err.code === 'SIP_FINAL_RESPONSE' ? String(err.status) : err.code) : 'error';
        counters.failed[key] = (counters.failed[key] ?? 0) + 1;
      });
  });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stack.stop();
  };
  t.teardown(stop);
  return {
    stack, port, counters, calls, stop,
    uri: (user) => formatUri({ kind: 'sip', scheme: 'sip', user, host: '127.0.0.1', port, params: new Map(), headers: new Map() }),
  };
}
