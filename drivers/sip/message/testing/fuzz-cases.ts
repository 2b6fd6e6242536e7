import { readdirSync, readFileSync } from 'node:fs';

/**
 * Deterministic fuzz cases for the SIP parser, shared by fuzz.test.ts and bench/sip-parser-fuzz.ts.
 * Case n is fully given by its 32-bit seed (`caseSeed`), so a failure is replayed from one number.
 */

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seed of case number `n` of a run started with `base`. */
export function caseSeed(base: number, n: number): number {
  return (base + Math.imul(n, 0x9e3779b1)) >>> 0;
}

const CRLF = '\r\n';

function msg(lines: string[], body = ''): Buffer {
  return Buffer.from(lines.join(CRLF) + CRLF + CRLF + body, 'latin1');
}

const SDP = ['v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0',
  'm=audio 40000 RTP/AVP 0 8 101', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=sendrecv', ''].join(CRLF);

/** A typical INVITE from a desk phone, as in the field. */
export const TYPICAL_INVITE = msg([
  'INVITE sip:2000@192.0.2.1;transport=udp SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1769876348;rport',
  'From: "Agent 1001" <sip:1001@192.0.2.1>;tag=1894938761',
  'To: <sip:2000@192.0.2.1>',
  'Call-ID: 0_2734537264@192.0.2.10',
  'CSeq: 2 INVITE',
  'Contact: <sip:1001@192.0.2.10:5060>',
  'Authorization: Digest username="1001", realm="octoline", nonce="5f8e1c2a", uri="sip:2000@192.0.2.1", response="0c9d3a2b1e4f5a6b7c8d9e0f1a2b3c4d", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001',
  'Content-Type: application/sdp',
  'Allow: INVITE, INFO, PRACK, ACK, BYE, CANCEL, OPTIONS, NOTIFY, REGISTER, SUBSCRIBE, REFER, PUBLISH, UPDATE, MESSAGE',
  'Max-Forwards: 70',
  'User-Agent: Yealink SIP-T46S 66.86.0.15',
  'Supported: replaces, timer',
  `Content-Length: ${SDP.length}`,
], SDP);

/** Hand-written seeds: the messages Octoline sees most. */
export const TYPICAL_MESSAGES: Buffer[] = [
  TYPICAL_INVITE,
  msg([
    'REGISTER sip:192.0.2.1 SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.11:5062;branch=z9hG4bK-reg-1;rport',
    'From: <sip:1002@192.0.2.1>;tag=abc',
    'To: <sip:1002@192.0.2.1>',
    'Call-ID: reg-1@192.0.2.11',
    'CSeq: 21 REGISTER',
    'Contact: <sip:1002@192.0.2.11:5062;line=x7>;expires=3600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000b82a1b2c3>"',
    'Max-Forwards: 70',
    'Expires: 3600',
    'Content-Length: 0',
  ]),
  msg([
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1769876348;rport=5060;received=192.0.2.10',
    'From: "Agent 1001" <sip:1001@192.0.2.1>;tag=1894938761',
    'To: <sip:2000@192.0.2.1>;tag=as5f1',
    'Call-ID: 0_2734537264@192.0.2.10',
    'CSeq: 2 INVITE',
    'Contact: <sip:2000@192.0.2.1:5060>',
    'Record-Route: <sip:192.0.2.1;lr>',
    'Content-Type: application/sdp',
    `Content-Length: ${SDP.length}`,
  ], SDP),
  msg([
    'ACK sip:2000@192.0.2.1:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK2',
    'Route: <sip:192.0.2.1;lr>',
    'From: "Agent 1001" <sip:1001@192.0.2.1>;tag=1894938761',
    'To: <sip:2000@192.0.2.1>;tag=as5f1',
    'Call-ID: 0_2734537264@192.0.2.10',
    'CSeq: 2 ACK',
    'Max-Forwards: 70',
    'Content-Length: 0',
  ]),
  msg([
    'BYE sip:1001@[2001:db8::10]:5060 SIP/2.0',
    'v: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK3',
    'f: <sip:2000@[2001:db8::1]>;tag=as5f1',
    't: "Agent, \\"1001\\"" <sip:1001@[2001:db8::10]>;tag=1894938761',
    'i: 0_2734537264@192.0.2.10',
    'CSeq: 102 BYE',
    'Max-Forwards: 70',
    'l: 0',
  ]),
  msg([
    'SIP/2.0 401 Unauthorized',
    'Via: SIP/2.0/UDP 192.0.2.11:5062;branch=z9hG4bK-reg-1;rport=5062',
    'From: <sip:1002@192.0.2.1>;tag=abc',
    'To: <sip:1002@192.0.2.1>;tag=x1',
    'Call-ID: reg-1@192.0.2.11',
    'CSeq: 21 REGISTER',
    'WWW-Authenticate: Digest realm="octoline", nonce="5f8e1c2a7b", qop="auth,auth-int", algorithm=SHA-256, stale=FALSE',
    'WWW-Authenticate: Digest realm="octoline", nonce="5f8e1c2a7b", qop="auth", algorithm=MD5',
    'Content-Length: 0',
  ]),
];

/** Every torture file (valid and invalid), read once. */
export function tortureMessages(root: URL): Buffer[] {
  const out: Buffer[] = [];
  for (const dir of ['valid', 'invalid']) {
    const base = new URL(`${dir}/`, root);
    for (const name of readdirSync(base).sort()) out.push(readFileSync(new URL(name, base)));
  }
  return out;
}

const INTERESTING = Buffer.from(':;,"<>\\% \t\r\n\0@[]=/?&+.-*\xff\x80', 'latin1');
const NUMBERS = ['0', '-1', '4294967295', '4294967296', '99999999999999999999999', '65536', '256', '1e3', '0x10', ''];
const SNIPPETS = [
  '\r\n', '\n', '\r', '\r\n ', '\r\n\r\n', ' ', ';', ',', '"', '\\"', '<', '>', '%', '%0', '%GG', '[', ']',
  ';branch=', ';tag=', ',,,', ';;;', 'sip:', 'sips:', '[::1]', '<sip:a@b>', 'Content-Length: 999999\r\n',
  'l: 0\r\n', 'Via: SIP/2.0/UDP x\r\n', 'CSeq: 1 INVITE\r\n', '\0', '\xff\xfe',
];

function pick<T>(rng: () => number, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)] as T;
}

function int(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}

type Mutation = (b: Buffer, rng: () => number, seeds: readonly Buffer[]) => Buffer;

function lines(b: Buffer): string[] {
  return b.toString('latin1').split('\r\n');
}

function join(ls: string[]): Buffer {
  return Buffer.from(ls.join('\r\n'), 'latin1');
}

const MUTATIONS: Mutation[] = [
  // bit flip
  (b, rng) => {
    if (b.length === 0) return b;
    const c = Buffer.from(b);
    const i = int(rng, c.length);
    c[i] = (c[i] ?? 0) ^ (1 << int(rng, 8));
    return c;
  },
  // insert an interesting or random byte
  (b, rng) => {
    const i = int(rng, b.length + 1);
    const byte = rng() < 0.7 ? (INTERESTING[int(rng, INTERESTING.length)] ?? 0) : int(rng, 256);
    return Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
  },
  // delete a range
  (b, rng) => {
    const i = int(rng, b.length + 1);
    const n = 1 + int(rng, rng() < 0.8 ? 4 : 64);
    return Buffer.concat([b.subarray(0, i), b.subarray(Math.min(b.length, i + n))]);
  },
  // truncate
  (b, rng) => b.subarray(0, int(rng, b.length + 1)),
  // duplicate a line
  (b, rng) => {
    const ls = lines(b);
    const i = int(rng, ls.length);
    ls.splice(i, 0, ls[i] ?? '');
    return join(ls);
  },
  // remove a line
  (b, rng) => {
    const ls = lines(b);
    ls.splice(int(rng, ls.length), 1);
    return join(ls);
  },
  // swap two lines
  (b, rng) => {
    const ls = lines(b);
    const i = int(rng, ls.length);
    const j = int(rng, ls.length);
    const x = ls[i] ?? '';
    ls[i] = ls[j] ?? '';
    ls[j] = x;
    return join(ls);
  },
  // replace a number with a huge, negative or odd one
  (b, rng) => {
    const s = b.toString('latin1');
    const runs = [...s.matchAll(/\d+/g)];
    const run = runs.length > 0 ? pick(rng, runs) : undefined;
    if (run === undefined) return b;
    const at = run.index ?? 0;
    return Buffer.from(s.slice(0, at) + pick(rng, NUMBERS) + s.slice(at + run[0].length), 'latin1');
  },
  // inject CR/LF and other separators
  (b, rng) => {
    const i = int(rng, b.length + 1);
    return Buffer.concat([b.subarray(0, i), Buffer.from(pick(rng, SNIPPETS), 'latin1'), b.subarray(i)]);
  },
  // overwrite a range with random bytes
  (b, rng) => {
    if (b.length === 0) return b;
    const c = Buffer.from(b);
    const i = int(rng, c.length);
    const n = 1 + int(rng, 16);
    for (let k = i; k < Math.min(c.length, i + n); k++) c[k] = int(rng, 256);
    return c;
  },
  // splice a piece of another seed in
  (b, rng, seeds) => {
    const o = pick(rng, seeds);
    const s = int(rng, o.length + 1);
    const piece = o.subarray(s, s + 1 + int(rng, 200));
    const i = int(rng, b.length + 1);
    return Buffer.concat([b.subarray(0, i), piece, b.subarray(i)]);
  },
  // repeat a region (long lines, many headers, deep nesting)
  (b, rng) => {
    if (b.length === 0) return b;
    const i = int(rng, b.length);
    const region = b.subarray(i, i + 1 + int(rng, 40));
    const times = rng() < 0.8 ? 2 + int(rng, 20) : 200 + int(rng, 2000);
    const parts: Buffer[] = [b.subarray(0, i)];
    for (let k = 0; k < times; k++) parts.push(region);
    parts.push(b.subarray(i));
    return Buffer.concat(parts);
  },
];

/** The input of case `seed`: a seed message with one to four mutations. */
export function fuzzInput(seed: number, seeds: readonly Buffer[]): Buffer {
  const rng = mulberry32(seed);
  let b = pick(rng, seeds);
  const n = 1 + int(rng, 4);
  for (let k = 0; k < n; k++) b = pick(rng, MUTATIONS)(b, rng, seeds);
  return b;
}
