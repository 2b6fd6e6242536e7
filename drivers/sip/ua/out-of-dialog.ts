import { createRequest, formatNameAddr, parseUri, type SipResponse } from '../message/index.js';
import { resolveUri } from '../dialog/index.js';
import type { Remote } from '../transport/types.js';
import type { UaContext } from './context.js';
import { SipError } from './errors.js';
import { newCallId, newTag } from './ids.js';
import { bodyBuffer, headerPairs, type HeaderList } from './respond.js';

export interface OutOfDialogInit {
  method: string;
  headers?: HeaderList;
  body?: string | Buffer;
  contentType?: string;
  /** From (name-addr or URI) without tag; default `<sip:octoline@our-address>`. */
  from?: string;
  signal?: AbortSignal;
  /** Where to send it when not the Request-URI's host (a phone behind NAT: its REGISTER's source). */
  destination?: Remote;
}

/** A request outside any dialog in its own transaction (§8.1.1): OPTIONS pings, MESSAGE. */
export async function outOfDialogRequest(ctx: UaContext, uri: string, init: OutOfDialogInit): Promise<SipResponse> {
  const target = parseUri(uri);
  const dest = init.destination ?? resolveUri(target);
  const body = bodyBuffer(init.body);
  const req = createRequest({
    method: init.method, uri: target, via: [ctx.via(dest.transport)],
    from: `${init.from ?? `<sip:octoline@${ctx.hostPort}>`};tag=${newTag()}`,
    to: formatNameAddr({ uri: target, params: new Map() }), callId: newCallId(), cseq: 1,
    ...(init.method === 'OPTIONS' ? { contact: ctx.contact(dest.transport) } : {}),
    headers: [...(ctx.userAgent !== '' ? [['User-Agent', ctx.userAgent] as const] : []), ...headerPairs(init.headers)],
    ...(body !== undefined && body.length > 0 ? { body, contentType: init.contentType ?? 'text/plain' } : {}),
  });
  const final = ctx.request(req, dest).final;
  const signal = init.signal;
  if (signal === undefined) return final;
  if (signal.aborted) throw new SipError('SIP_CANCELLED', `${init.method} aborted`);
  return new Promise<SipResponse>((resolve, reject) => {
    const onAbort = (): void => reject(new SipError('SIP_CANCELLED', `${init.method} aborted`));
    signal.addEventListener('abort', onAbort, { once: true });
    final.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
