import type { SipResponse } from '../../message/index.js';
import { createResponse } from '../../message/index.js';
import { DEFAULT_TIMERS } from '../types.js';
import { request } from './messages.js';

/** Effects as short strings, so a transition table reads like the RFC figures. */
export function summarize(effects: ReadonlyArray<{ type: string }>): string[] {
  return effects.map((e) => {
    const x = e as { type: string; msg?: { kind: string; method?: string; status?: number }; name?: string; ms?: number; res?: SipResponse };
    switch (x.type) {
      case 'send': return `send ${x.msg?.kind === 'request' ? x.msg.method : x.msg?.status}`;
      case 'start_timer': return `start ${x.name} ${x.ms}`;
      case 'cancel_timer': return `cancel ${x.name}`;
      case 'pass_to_tu': return `pass ${x.res?.status}`;
      default: return x.type;
    }
  });
}

/** The RFC default timers over UDP or TCP, for a request of `method`. */
export function fsmContext(method: string, reliable: boolean) {
  return { reliable, timers: DEFAULT_TIMERS, request: request({ method }) };
}

export function res(status: number, method = 'INVITE'): SipResponse {
  return createResponse(request({ method }), status, { toTag: 'peer-tag' });
}

/** `table[key]`, or a thrown error naming the missing key (a typo in a test table). */
export function pick<T>(table: Record<string, T>, key: string): T {
  const value = table[key];
  if (value === undefined) throw new Error(`no input named ${JSON.stringify(key)}`);
  return value;
}
