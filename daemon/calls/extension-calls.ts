import type { Logger } from 'pino';
import { errorMessage } from '../../drivers/coded-error.js';
import { formatNameAddr, type SipResponse } from '../../drivers/sip/message/index.js';
import type { IncomingInvite } from '../../drivers/sip/ua/index.js';
import type { SipStack } from '../../drivers/sip/stack.js';
import type { Phones } from '../phones/phones.js';
import type { Store } from '../store/store.js';

/**
 * Calls between the agents' phones: an authenticated phone dials another extension and the box
 * bridges the two through its B2BUA. Media passes end to end for now; the call-path issue puts
 * rtpengine between the legs, adds lines, routing, recording and CDRs here.
 */
export class ExtensionCalls {
  constructor(private readonly deps: { log: Logger; stack: SipStack; phones: Phones; store: Store }) {}

  start(): void {
    this.deps.stack.on('invite', (inv) => void this.onInvite(inv));
  }

  private async onInvite(inv: IncomingInvite): Promise<void> {
    const auth = this.deps.phones.registrar.authenticate(inv.request, inv.source);
    // Every INVITE must come from an extension that proved its password: toll fraud starts here.
    if (auth === undefined) return inv.reject(403);
    if ('response' in auth) return inv.reject(auth.response.status, { reason: auth.response.reason, headers: challengeHeaders(auth.response) });
    const callee = inv.request.uri.kind === 'sip' ? inv.request.uri.user ?? '' : '';
    if (!this.deps.store.extensions.get(callee)?.enabled) return inv.reject(404);
    const [binding] = this.deps.phones.registrar.lookup(callee);
    if (!binding) return inv.reject(480, { reason: 'Not Registered' });
    const log = inv.log.child({ from: auth.extension, to: callee });
    log.info('internal call');
    try {
      const call = await this.deps.stack.createB2BUA(inv, binding.contact, {
        // Sent where the phone's REGISTER came from (NAT), with its Contact as the Request-URI.
        uac: { from: formatNameAddr({ ...inv.from, params: new Map() }), to: `<sip:${callee}@${this.deps.stack.local.address}>`, destination: binding.source },
      });
      call.a.on('destroy', () => log.info('internal call ended'));
    } catch (err) {
      log.info({ reason: errorMessage(err) }, 'internal call not connected');
    }
  }
}

function challengeHeaders(res: SipResponse): Array<[string, string]> {
  return res.headers.getAll('Proxy-Authenticate').map((v) => ['Proxy-Authenticate', v]);
}
