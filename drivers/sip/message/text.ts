/**
 * Character classes and the small lexical pieces of RFC 3261 §25.1 shared by the message layer.
 *
 * Every string of the message layer is a *byte string*: one UTF-16 code unit per octet, as produced
 * by `buffer.toString('latin1')`. That keeps parsing and serialising lossless for the NULs and
 * non-UTF-8 bytes the torture tests carry; `readableText` / `wireText` convert at the edges.
 */

export const C_TOKEN = 1; // token (§25.1)
export const C_WORD = 2; // word (Call-ID)
export const C_USER = 4; // unreserved / user-unreserved (userinfo user)
export const C_PASSWORD = 8; // unreserved / & = + $ ,
export const C_PARAM = 16; // paramchar without escapes: param-unreserved / unreserved
export const C_HNV = 32; // hnv-unreserved / unreserved (URI headers)
export const C_HOST = 64; // hostname characters (alnum, '-', '.', plus '_' seen in the field)
export const C_HEX = 128;

const TABLE = new Uint8Array(256);

function mark(chars: string, flag: number): void {
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    TABLE[c] = (TABLE[c] ?? 0) | flag;
  }
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGIT = '0123456789';
const ALNUM = ALPHA + DIGIT;
const MARK = "-_.!~*'()";
const UNRESERVED = ALNUM + MARK;

mark(ALNUM + "-.!%*_+`'~", C_TOKEN);
mark(ALNUM + "-.!%*_+`'~()<>:\\\"/[]?{}", C_WORD);
mark(UNRESERVED + '&=+$,;?/', C_USER);
mark(UNRESERVED + '&=+$,', C_PASSWORD);
mark(UNRESERVED + '[]/:&+$', C_PARAM);
mark(UNRESERVED + '[]/?:+$', C_HNV);
mark(ALNUM + '-._', C_HOST);
mark(DIGIT + 'abcdefABCDEF', C_HEX);

export function hasClass(code: number, flag: number): boolean {
  return ((TABLE[code] ?? 0) & flag) !== 0;
}

/** True when `s[start, end)` is non-empty and made only of characters of `flag`. */
export function allOfClass(s: string, flag: number, start = 0, end = s.length): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    if (((TABLE[s.charCodeAt(i)] ?? 0) & flag) === 0) return false;
  }
  return true;
}

export function isToken(s: string): boolean {
  return allOfClass(s, C_TOKEN);
}

export function isWs(code: number): boolean {
  return code === 32 || code === 9;
}

/** Index of the first character at or after `i` that is not SP/HTAB. */
export function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** `s` without leading and trailing SP/HTAB (String#trim also eats other characters). */
export function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Index just past the run of token characters starting at `i` (== i when none). */
export function scanToken(s: string, i: number): number {
  while (i < s.length && ((TABLE[s.charCodeAt(i)] ?? 0) & C_TOKEN) !== 0) i++;
  return i;
}

/** Result of reading a quoted-string: the unescaped content and the index after the closing quote. */
export interface Quoted {
  value: string;
  end: number;
}

/**
 * Read a quoted-string (§25.1) starting at the `"` at `i`. quoted-pair may escape any octet but
 * CR and LF; unescaped control characters are not qdtext. Returns undefined when unterminated or
 * malformed (RFC 4475 §3.1.2.6 quotbal).
 */
export function readQuoted(s: string, i: number): Quoted | undefined {
  let out = '';
  let from = i + 1;
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 34) return { value: out + s.slice(from, j), end: j + 1 };
    if (c === 92) {
      const n = s.charCodeAt(j + 1);
      if (Number.isNaN(n) || n === 10 || n === 13 || n > 0x7f) return undefined;
      out += s.slice(from, j) + s.charAt(j + 1);
      j++;
      from = j + 1;
      continue;
    }
    if ((c < 32 && c !== 9) || c === 127) return undefined;
  }
  return undefined;
}

/** A quoted-string holding `value` (escapes `"`, `\` and control characters; drops CR/LF). */
export function quote(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 13 || c === 10) continue; // not representable (§25.1 quoted-pair): never inject a line
    if (c === 34 || c === 92 || (c < 32 && c !== 9) || c === 127) out += '\\';
    out += value.charAt(i);
  }
  return out + '"';
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Undo %HH escapes in `s[start, end)`, checking every other character belongs to `flag`.
 * Escapes are undone once only: "%25%34%31" gives "%41", never "A" (RFC 4475 §3.1.1.3 esc01).
 * Returns undefined on a character outside the class or a broken escape.
 */
export function unescapeClass(s: string, flag: number, start = 0, end = s.length): string | undefined {
  let out = '';
  let from = start;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h < 0 || l < 0 || i + 2 >= end) return undefined;
      out += s.slice(from, i) + String.fromCharCode(h * 16 + l);
      i += 2;
      from = i + 1;
      continue;
    }
    if (((TABLE[c] ?? 0) & flag) === 0) return undefined;
  }
  return from === start ? s.slice(start, end) : out + s.slice(from, end);
}

const HEX = '0123456789ABCDEF';

/** %HH-escape every character of `value` outside `flag` (characters above 0xFF go as UTF-8). */
export function escapeClass(value: string, flag: number): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 256 && ((TABLE[c] ?? 0) & flag) !== 0) {
      out += value.charAt(i);
    } else if (c < 256) {
      out += '%' + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
    } else {
      const cp = value.codePointAt(i) ?? c;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) {
        out += '%' + HEX.charAt(b >> 4) + HEX.charAt(b & 15);
      }
    }
  }
  return out;
}

/** A byte string from the wire as readable text (UTF-8 decoded, e.g. a display name for a screen). */
export function readableText(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Readable text as a byte string for the message model (UTF-8 encoded). */
export function wireText(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Parse an unsigned decimal of at most `maxDigits` significant digits; -1 when not all digits. */
export function parseDigits(s: string, max: number): number {
  if (s.length === 0) return -1;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
    if (v > max) return -2; // out of range, but numeric (callers may tell the two apart)
  }
  return v;
}
