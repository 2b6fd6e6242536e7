/**
 * What a phone's dialled string means: another extension, an outside number, or a feature code.
 * Pure: the engine passes the box's codes (config `calls`) and an extension lookup.
 */
export type DialTarget =
  | { kind: 'extension'; ext: string }
  /** Digits (and a leading +), separators stripped. */
  | { kind: 'external'; number: string }
  /** The group pickup code exactly, e.g. *8. */
  | { kind: 'pickup' }
  /** The directed pickup prefix and an existing extension, e.g. **1002. */
  | { kind: 'directed-pickup'; ext: string }
  /** An agent's own state from the desk phone: *45 login/logout toggle, *46 pause, *47 unpause. */
  | { kind: 'agent'; action: 'toggle' | 'pause' | 'unpause' }
  /** A supervisor joining an agent's call: 5551001 listen, 5561001 whisper, 5571001 barge. */
  | { kind: 'supervise'; mode: 'listen' | 'whisper' | 'barge'; ext: string }
  /** Any other * or # code, reserved for later features. */
  | { kind: 'feature'; code: string }
  | { kind: 'invalid'; reason: string };

export interface DialPlanContext {
  pickupCode: string;
  directedPickupPrefix: string;
  isExtension(s: string): boolean;
  /** The ACD's codes (config `acd`); absent = none. */
  agentCodes?: { toggle: string; pause: string; unpause: string };
  supervisePrefixes?: { listen: string; whisper: string; barge: string };
}

/** Visual separators people and phone books write in numbers (RFC 3966 visual-separator, plus space). */
const SEPARATORS = /[-\s.()]/g;
const EXTERNAL = /^\+?[0-9]{3,}$/;
/** E.164 allows 15 digits; a dialling prefix (00, a trunk code) adds a few. Longer is a typo. */
const MAX_DIGITS = 24;
const FEATURE = /^[*#][0-9*#]*$/;

export function classifyDial(dialled: string, ctx: DialPlanContext): DialTarget {
  const s = dialled.trim();
  if (s === '') return { kind: 'invalid', reason: 'nothing was dialled' };
  if (ctx.isExtension(s)) return { kind: 'extension', ext: s };
  if (s === ctx.pickupCode) return { kind: 'pickup' };
  const agent = agentCode(s, ctx);
  if (agent) return agent;
  const supervise = superviseTarget(s, ctx);
  if (supervise) return supervise;
  const directed = directedPickup(s, ctx);
  if (directed) return directed;
  if (s.startsWith('*') || s.startsWith('#')) {
    return FEATURE.test(s) ? { kind: 'feature', code: s } : { kind: 'invalid', reason: `"${s}" is not a feature code: only digits, * and # follow the ${s[0]}` };
  }
  return numberTarget(s, ctx);
}

function agentCode(s: string, ctx: DialPlanContext): DialTarget | undefined {
  const c = ctx.agentCodes;
  if (!c) return undefined;
  if (s === c.toggle) return { kind: 'agent', action: 'toggle' };
  if (s === c.pause) return { kind: 'agent', action: 'pause' };
  if (s === c.unpause) return { kind: 'agent', action: 'unpause' };
  return undefined;
}

/** A supervise prefix followed by an existing extension; digits-only prefixes never swallow outside numbers otherwise. */
function superviseTarget(s: string, ctx: DialPlanContext): DialTarget | undefined {
  const p = ctx.supervisePrefixes;
  if (!p) return undefined;
  for (const mode of ['listen', 'whisper', 'barge'] as const) {
    const prefix = p[mode];
    if (!prefix || !s.startsWith(prefix)) continue;
    const rest = s.slice(prefix.length);
    if (rest !== '' && ctx.isExtension(rest)) return { kind: 'supervise', mode, ext: rest };
  }
  return undefined;
}

/**
 * The directed pickup prefix followed by an extension. Checked before the generic feature rule so
 * `**1002` is not taken for a feature code; a `*`/`#` prefix followed by digits that name no
 * extension is a mistake worth saying so. A digits-only prefix (an odd config) never swallows an
 * outside number: it only applies when an extension follows.
 */
function directedPickup(s: string, ctx: DialPlanContext): DialTarget | undefined {
  const prefix = ctx.directedPickupPrefix;
  if (prefix === '' || !s.startsWith(prefix)) return undefined;
  const rest = s.slice(prefix.length);
  if (rest !== '' && ctx.isExtension(rest)) return { kind: 'directed-pickup', ext: rest };
  if (!/^[*#]/.test(prefix) || !/^[0-9]*$/.test(rest)) return undefined;
  return { kind: 'invalid', reason: rest === '' ? `dial ${prefix} followed by the extension whose call to pick up` : `there is no extension ${rest} to pick up a call from` };
}

function numberTarget(s: string, ctx: DialPlanContext): DialTarget {
  const n = s.replace(SEPARATORS, '');
  if (/[^0-9+]/.test(n) || n.lastIndexOf('+') > 0) return { kind: 'invalid', reason: `"${s}" is not a number: dial digits (a leading + for international), * or # codes` };
  if (ctx.isExtension(n)) return { kind: 'extension', ext: n };
  if (!EXTERNAL.test(n)) return { kind: 'invalid', reason: `${s} is not an extension and too short for an outside number` };
  if (n.replace('+', '').length > MAX_DIGITS) return { kind: 'invalid', reason: `${s} is too long for a phone number (at most ${MAX_DIGITS} digits)` };
  return { kind: 'external', number: n };
}
