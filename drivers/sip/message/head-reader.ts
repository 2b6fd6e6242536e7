import { SipParseError } from './errors.js';
import { canonicalName, headerKey, type HeaderField } from './headers.js';
import type { ParserLimits } from './limits.js';
import { allOfClass, C_TOKEN, isWs, trimWs } from './text.js';

/** The head of a message: start line and header fields, split but not interpreted. */
export interface Head {
  startLine: string;
  fields: HeaderField[];
  /** Offset in the buffer of the first body byte. */
  bodyStart: number;
  /**
   * The first malformed header line, kept (not thrown) so that it is reported once the whole head
   * is known: the Via that lets us answer 400 may come after it.
   */
  lineError: SipParseError | undefined;
}

function lineTooLong(limits: ParserLimits): SipParseError {
  return new SipParseError('SIP_LINE_TOO_LONG', `a line is longer than ${limits.maxLineLength} bytes`, {
    reason: 'Line Too Long',
  });
}

/**
 * Offset of the blank line that ends the head starting at `start`, scanning from `from` (so a
 * stream can resume where it stopped): returns [blankLineStart, bodyStart], or undefined when no
 * blank line is in `buf` yet. CRLF is the line end (RFC 3261 §7); a bare LF is accepted too, as
 * most stacks do. Throws SIP_LINE_TOO_LONG when a line outgrows the limit.
 */
export function findHeadEnd(
  buf: Buffer,
  start: number,
  from: number,
  limits: ParserLimits,
): [number, number] | undefined {
  let lineStart = from;
  for (;;) {
    const nl = buf.indexOf(10, lineStart);
    if (nl < 0) {
      if (buf.length - lineStart > limits.maxLineLength) throw lineTooLong(limits);
      return undefined;
    }
    const lineEnd = nl > lineStart && buf[nl - 1] === 13 ? nl - 1 : nl;
    if (lineEnd - lineStart > limits.maxLineLength) throw lineTooLong(limits);
    if (lineEnd === lineStart && lineStart > start) return [lineStart, nl + 1];
    lineStart = nl + 1;
  }
}

/** Offset where the line holding `pos` starts (a stream resumes its search for the blank line there). */
export function lineStartBefore(buf: Buffer, start: number, pos: number): number {
  const nl = pos > start ? buf.lastIndexOf(10, pos - 1) : -1;
  return nl < start ? start : nl + 1;
}

function badLine(line: string, what: string): SipParseError {
  return new SipParseError('SIP_BAD_HEADER', `${what}: ${JSON.stringify(line.slice(0, 80))}`, {
    reason: 'Bad header line',
  });
}

/**
 * Split the head in `buf[start, headEnd)` into the start line and header fields: names
 * canonicalised (compact forms expanded, RFC 3261 §7.3.3), folded lines joined with one SP
 * (§7.3.1), values trimmed. Throws SIP_TOO_MANY_HEADERS; malformed lines go to `lineError`.
 */
export function splitHead(buf: Buffer, start: number, headEnd: number, bodyStart: number, limits: ParserLimits): Head {
  const text = buf.toString('latin1', start, headEnd);
  const fields: HeaderField[] = [];
  let lineError: SipParseError | undefined;
  let name: string | undefined;
  let value = '';
  let skipping = false;
  let pos = 0;
  let startLine: string | undefined;
  // A CR anywhere but right before LF could end a line for the next parser down the road.
  let cr = text.indexOf('\r');
  let nextColon = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    let end = nl;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    const lineStart = pos;
    pos = nl + 1;
    const bareCr = cr >= 0 && cr < end;
    if (cr >= 0 && cr < pos) cr = text.indexOf('\r', pos);
    if (bareCr) {
      lineError ??= badLine(text.slice(lineStart, end), 'bare CR');
      if (startLine === undefined) startLine = text.slice(lineStart, end);
      skipping = true;
      continue;
    }
    if (startLine === undefined) {
      startLine = text.slice(lineStart, end);
      continue;
    }
    const c0 = text.charCodeAt(lineStart);
    if (lineStart < end && (c0 === 32 || c0 === 9)) {
      if (skipping) continue;
      if (name === undefined) {
        lineError ??= badLine(text.slice(lineStart, end), 'folded line without a header');
        continue;
      }
      const more = trimWs(text.slice(lineStart, end));
      if (more.length > 0) value = value.length > 0 ? `${value} ${more}` : more;
      // The unfolded field is written back as one line: it must fit the line limit as well.
      if (name.length + 2 + value.length > limits.maxLineLength) throw lineTooLong(limits);
      continue;
    }
    if (name !== undefined) fields.push(makeField(name, value));
    name = undefined;
    // Remember the next colon of the whole head: searching from each line could rescan the rest
    // of the head once per colon-less line (quadratic on a flood of such lines).
    if (nextColon >= 0 && nextColon < lineStart) nextColon = text.indexOf(':', lineStart);
    const colon = nextColon >= 0 && nextColon < end ? nextColon : -1;
    let ne = colon;
    while (ne > lineStart && isWs(text.charCodeAt(ne - 1))) ne--;
    if (colon < 0 || !allOfClass(text, C_TOKEN, lineStart, ne)) {
      lineError ??= badLine(text.slice(lineStart, end), colon < 0 ? 'header line without a colon' : 'bad header name');
      skipping = true;
      continue;
    }
    if (fields.length >= limits.maxHeaders) {
      throw new SipParseError('SIP_TOO_MANY_HEADERS', `more than ${limits.maxHeaders} header fields`, {
        reason: 'Too Many Headers',
      });
    }
    skipping = false;
    name = text.slice(lineStart, ne);
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && isWs(text.charCodeAt(vs))) vs++;
    while (ve > vs && isWs(text.charCodeAt(ve - 1))) ve--;
    value = text.slice(vs, ve);
  }
  if (name !== undefined) fields.push(makeField(name, value));
  return { startLine: startLine ?? '', fields, bodyStart, lineError };
}

/** Canonical name and key per spelling seen, so the hot path does not lower-case every name. */
const NAME_CACHE = new Map<string, { name: string; key: string }>();
const NAME_CACHE_MAX = 1024;

function makeField(raw: string, value: string): HeaderField {
  let n = NAME_CACHE.get(raw);
  if (n === undefined) {
    n = { name: canonicalName(raw), key: headerKey(raw) };
    if (NAME_CACHE.size < NAME_CACHE_MAX) NAME_CACHE.set(raw, n);
  }
  return { name: n.name, key: n.key, value };
}
