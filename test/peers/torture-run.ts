/**
 * Runs INSIDE a fresh network namespace (`unshare -n`) that has nothing but loopback, so no answer
 * to the RFC 4475 messages (with their 192.0.2.x / example.com Vias and Contacts) can leave the
 * machine. Starts the real daemon, sends every torture file over UDP and over TCP, collects what
 * comes back, checks the daemon is still healthy, and prints one JSON line of results.
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { Daemon } from '../../daemon/main.js';

const [dir, tortureDir] = process.argv.slice(2) as [string, string];
const SIP = 5060;
const HTTP = 8080;
const WAIT_MS = 1500;
const T1 = 20;

const statuses = (text: string): number[] => [...text.matchAll(/^SIP\/2\.0 (\d{3})/gm)].map((m) => Number(m[1]));

function overUdp(bytes: Buffer): Promise<number[]> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const got: number[] = [];
    sock.on('message', (m) => got.push(...statuses(m.toString('latin1'))));
    sock.bind(0, '127.0.0.1', () => {
      sock.send(bytes, SIP, '127.0.0.1');
      setTimeout(() => sock.close(() => resolve(got)), WAIT_MS);
    });
  });
}

function overTcp(bytes: Buffer): Promise<number[]> {
  return new Promise((resolve) => {
    let text = '';
    const sock = connect(SIP, '127.0.0.1', () => sock.write(bytes));
    sock.on('data', (c) => { text += c.toString('latin1'); });
    sock.on('error', () => undefined);
    setTimeout(() => { sock.destroy(); resolve(statuses(text)); }, WAIT_MS);
  });
}

/** Split files so that no two in a round share top-Via branch, sent-by and CSeq method. */
function rounds(files: string[]): string[][] {
  const out: Array<{ keys: Set<string>; files: string[] }> = [];
  for (const f of files) {
    const text = readFileSync(join(tortureDir, f), 'latin1');
    const via = /^(?:Via|v)\s*:\s*([^\r\n]*)/im.exec(text)?.[1] ?? f;
    const method = /^CSeq\s*:\s*\d+\s+(\S+)/im.exec(text)?.[1] ?? '';
    const key = `${via.replace(/\s+/g, '')}|${method}`;
    const round = out.find((r) => !r.keys.has(key)) ?? out[out.push({ keys: new Set(), files: [] }) - 1];
    round?.keys.add(key);
    round?.files.push(f);
  }
  return out.map((r) => r.files);
}

async function main(): Promise<void> {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const config = join(dir, 'octoline.conf');
  // Short SIP timers: many torture files share one Via branch and sent-by, which makes them the
  // same transaction (RFC 3261 §17.2.3) until it ends after 64·T1; rounds wait that out.
  writeFileSync(config, `[sip]\nport = ${SIP}\nt1_ms = ${T1}\nt2_ms = ${T1 * 8}\nt4_ms = ${T1 * 10}\n[http]\nport = ${HTTP}\n`);
  const daemon = await Daemon.start({ configPath: config, log: pino({ level: 'silent' }), announce: () => undefined });
  const files = ['valid', 'invalid'].flatMap((d) => readdirSync(join(tortureDir, d)).map((f) => `${d}/${f}`));
  const results: Record<string, { udp: number[]; tcp: number[] }> = {};
  for (const f of files) results[f] = { udp: [], tcp: [] };
  // Each round at once from separate sockets; files that would be one transaction go in later rounds.
  for (const round of rounds(files)) {
    await Promise.all(round.map(async (f) => { (results[f] as { udp: number[] }).udp = await overUdp(readFileSync(join(tortureDir, f))); }));
    await new Promise((r) => setTimeout(r, 64 * T1 + 200)); // the UDP transactions end first
    // At most 16 connections at once: the box allows 32 TCP connections per source address.
    for (let i = 0; i < round.length; i += 16) {
      await Promise.all(round.slice(i, i + 16).map(async (f) => { (results[f] as { tcp: number[] }).tcp = await overTcp(readFileSync(join(tortureDir, f))); }));
    }
    await new Promise((r) => setTimeout(r, 64 * T1 + 200));
  }
  const health = await fetch(`http://127.0.0.1:${HTTP}/healthz`).then((r) => r.status, () => 0);
  await daemon.stop();
  process.stdout.write(`${JSON.stringify({ results, health })}\n`);
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
