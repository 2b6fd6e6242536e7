import { uasRecord } from '../dialog/index.js';
import type { Dialog } from './dialog.js';
import { SipError } from './errors.js';
import type { IncomingInvite } from './incoming-invite.js';
import type { DialogRegistry } from './registry.js';
import type { HeaderList } from './respond.js';

export interface UasOptions {
  /** Our SDP answer (or offer, when the INVITE had none: the answer then comes in the ACK). */
  localSdp?: string;
  headers?: HeaderList;
  signal?: AbortSignal;
}

/**
 * Answer `invite` with 200 and return its dialog (RFC 3261 §12.1.1, §13.3.1.4). Resolves as soon
 * as the 200 is sent: the dialog retransmits it until the ACK comes (`ack` event); with no ACK
 * within 64*T1 it sends BYE and emits `destroy` with reason 'ack-timeout'. Rejects with
 * SIP_CANCELLED when the caller already cancelled, SIP_INVALID_STATE when it was answered.
 */
export async function createUAS(reg: DialogRegistry, invite: IncomingInvite, opts: UasOptions = {}): Promise<Dialog> {
  if (reg.stopped) throw new SipError('SIP_UA_STOPPED', 'the SIP stack is stopped');
  if (opts.signal?.aborted) throw new SipError('SIP_CANCELLED', 'aborted before the answer');
  const record = uasRecord(invite.request, {
    localTag: invite.id.localTag, localContact: reg.ctx.contact(invite.source.transport), state: 'confirmed',
  });
  // Over UDP, answer the caller where it sent from (symmetric, NAT-proof); over TCP the
  // connection may be gone by then, and its Contact is the better address.
  if (invite.source.transport === 'udp') record.flow = invite.source;
  const res = invite.answer({
    ...(opts.headers !== undefined ? { headers: opts.headers } : {}),
    ...(opts.localSdp !== undefined ? { body: opts.localSdp } : {}),
  });
  const dialog = reg.newDialog(record, { local: opts.localSdp, remote: invite.sdp });
  dialog.awaitAck(res, invite.source);
  return dialog;
}
