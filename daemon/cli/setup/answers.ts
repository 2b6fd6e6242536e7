import { isIP } from 'node:net';
import { GATEWAY_MODELS, isGatewayModel, type GatewayModel } from '../../../drivers/gateway/models.js';
import { isPlausibleNumber } from '../../lines/phone-number.js';
import { CliError } from '../errors.js';

/** What `setup` was told, by flags or at the prompts; undefined = keep what the box has. */
export interface SetupAnswers {
  adminPassword?: string;
  bind?: string;
  sipPort?: number;
  httpPort?: number;
  dataDir?: string;
  rtpPorts?: { min: number; max: number };
  gateway?: { host: string; port: number };
  gatewayModel?: GatewayModel;
  lines: Map<number, string>;
  /** A missing password is generated and printed once. */
  extensions: Array<{ ext: string; password?: string }>;
}

export const MAX_LINES = 32;

const bad = (flag: string, msg: string): never => {
  throw new CliError('SETUP_BAD_VALUE', `${flag}: ${msg}`);
};

export function parsePort(flag: string, v: string): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : bad(flag, `a port number 1-65535; got ${JSON.stringify(v)}`);
}

export function parseAddress(flag: string, v: string): string {
  return isIP(v) ? v : bad(flag, `an IPv4 or IPv6 address of this machine (e.g. 127.0.0.1 or 192.0.2.10); got ${JSON.stringify(v)}`);
}

export function parseRtpPorts(flag: string, v: string): { min: number; max: number } {
  const m = /^(\d+)-(\d+)$/.exec(v.trim());
  const [min, max] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || min < 1024 || max > 65535 || max - min < 3) bad(flag, `a range A-B within 1024-65535 holding at least 4 ports (e.g. 30000-30999); got ${JSON.stringify(v)}`);
  return { min, max };
}

export function parseGateway(flag: string, v: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(v.trim());
  const host = m?.[1] ?? '';
  if (!m || !(isIP(host) || /^[A-Za-z0-9.-]+$/.test(host))) bad(flag, `HOST:PORT of the FXO gateway (e.g. 192.0.2.20:5060); got ${JSON.stringify(v)}`);
  return { host, port: m?.[2] ? parsePort(flag, m[2]) : 5060 };
}

export function parseGatewayModel(flag: string, v: string): GatewayModel {
  return isGatewayModel(v) ? v : bad(flag, `one of ${Object.keys(GATEWAY_MODELS).join(', ')}; got ${JSON.stringify(v)}`);
}

/** `N=NUMBER`, N from 1 to MAX_LINES. */
export function parseLine(flag: string, v: string, into: Map<number, string>): Map<number, string> {
  const m = /^(\d+)=(.+)$/.exec(v.trim());
  const n = Number(m?.[1]);
  if (!m || !Number.isInteger(n) || n < 1 || n > MAX_LINES) bad(flag, `N=NUMBER with N from 1 to ${MAX_LINES} (e.g. 1=021-5555-0101); got ${JSON.stringify(v)}`);
  const number = (m?.[2] ?? '').trim();
  if (!isPlausibleNumber(number)) bad(flag, `line ${n}: ${JSON.stringify(number)} is not a phone number (digits, spaces, dashes, leading +)`);
  if (into.has(n)) bad(flag, `line ${n} given twice`);
  return into.set(n, number);
}

/** `EXT` or `EXT:PASSWORD`; 2-8 digits; a given password must be at least 8 characters. */
export function parseExtension(flag: string, v: string, into: Array<{ ext: string; password?: string }>): Array<{ ext: string; password?: string }> {
  const i = v.indexOf(':');
  const ext = (i < 0 ? v : v.slice(0, i)).trim();
  const password = i < 0 ? undefined : v.slice(i + 1);
  if (!/^[0-9]{2,8}$/.test(ext)) bad(flag, `an extension of 2-8 digits, optionally :PASSWORD (e.g. 1001 or 1001:s3cret-pass); got ${JSON.stringify(ext)}`);
  if (password !== undefined && password.length < 8) bad(flag, `extension ${ext}: a SIP password needs at least 8 characters (omit it to have one generated)`);
  if (into.some((e) => e.ext === ext)) bad(flag, `extension ${ext} given twice`);
  into.push(password === undefined ? { ext } : { ext, password });
  return into;
}

export function checkAdminPassword(flag: string, v: string): string {
  return v.length >= 10 ? v : bad(flag, 'the admin password needs at least 10 characters');
}
