import { C_TOKEN, hasClass, isToken, readQuoted, skipWs } from './text.js';

/**
 * Header parameters (generic-param, RFC 3261 §25.1): names lower-cased (parameter names are
 * case-insensitive, §7.3.1), values kept as received (a quoted value keeps its quotes, so it can
 * be written back unchanged; `unquote` gives the content). A parameter without "=" maps to null.
 * When a name repeats, the first one wins.
 */
export type Params = Map<string, string | null>;

/** Result of `readParams`: the parameters and the index where reading stopped. */
export interface ReadParams {
  params: Params;
  end: number;
}

function isGenValueChar(c: number): boolean {
  // gen-value = token / host / quoted-string; host adds ':' '[' ']' for IPv6 references.
  return hasClass(c, C_TOKEN) || c === 58 || c === 91 || c === 93;
}

/**
 * Read `*( SEMI generic-param )` from `s` at `i` (SEMI and EQUAL allow whitespace around them).
 * Stops at the end or at the first character that cannot continue (the caller decides whether
 * that is an error). Returns undefined when a parameter is malformed (";;" or "a=" with no value:
 * RFC 4475 §3.1.2.1 badinv01).
 */
export function readParams(s: string, i: number): ReadParams | undefined {
  const params: Params = new Map();
  for (;;) {
    let j = skipWs(s, i);
    if (j >= s.length || s.charCodeAt(j) !== 59) return { params, end: i };
    j = skipWs(s, j + 1);
    const nameStart = j;
    while (j < s.length && hasClass(s.charCodeAt(j), C_TOKEN)) j++;
    if (j === nameStart) return undefined;
    const name = s.slice(nameStart, j).toLowerCase();
    let value: string | null = null;
    const k = skipWs(s, j);
    if (k < s.length && s.charCodeAt(k) === 61) {
      let v = skipWs(s, k + 1);
      if (v < s.length && s.charCodeAt(v) === 34) {
        const q = readQuoted(s, v);
        if (q === undefined) return undefined;
        value = s.slice(v, q.end);
        v = q.end;
      } else {
        const vs = v;
        while (v < s.length && isGenValueChar(s.charCodeAt(v))) v++;
        if (v === vs) return undefined;
        value = s.slice(vs, v);
      }
      j = v;
    }
    if (!params.has(name)) params.set(name, value);
    i = j;
  }
}

/** The content of a parameter value: quotes and escapes removed when quoted, else as is. */
export function unquote(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length >= 2 && value.charCodeAt(0) === 34) {
    const q = readQuoted(value, 0);
    if (q !== undefined && q.end === value.length) return q.value;
  }
  return value;
}

/** `;name=value` for each parameter; values are written as stored (callers quote when needed). */
export function formatParams(params: Params | undefined): string {
  if (params === undefined || params.size === 0) return '';
  let out = '';
  for (const [name, value] of params) {
    out += value === null ? `;${name}` : `;${name}=${value}`;
  }
  return out;
}

/** True when every name is a token and every value a token/host or quoted-string. */
export function paramsAreValid(params: Params): boolean {
  for (const [name, value] of params) {
    if (!isToken(name)) return false;
    if (value === null) continue;
    if (value.charCodeAt(0) === 34) {
      const q = readQuoted(value, 0);
      if (q === undefined || q.end !== value.length) return false;
    } else if (value.length === 0) {
      return false;
    } else {
      for (let i = 0; i < value.length; i++) if (!isGenValueChar(value.charCodeAt(i))) return false;
    }
  }
  return true;
}
