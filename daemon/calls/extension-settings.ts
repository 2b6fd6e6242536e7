import { CodedError } from '../../drivers/coded-error.js';
import type { Store } from '../store/store.js';
import type { ExtensionPermissions } from '../store/extensions-repo.js';
import { isRecordPolicy, type RecordPolicy } from '../store/lines-repo.js';

export type ExtensionSettingsErrorCode =
  | 'EXTENSION_NOT_FOUND'
  | 'EXTENSION_BAD_LINES'
  | 'EXTENSION_BAD_PREFIX'
  | 'EXTENSION_BAD_OUTBOUND'
  | 'EXTENSION_BAD_RECORD';

export class ExtensionSettingsError extends CodedError<ExtensionSettingsErrorCode> {}

/** The installer's input as typed: comma lists, `all`, `on`/`off`; absent = unchanged. */
export interface PermissionInput { lines?: string; allow?: string; deny?: string; outbound?: string }

/** A dialled-number prefix: digits, or + and digits (`+` alone blocks every +number). */
const PREFIX = /^\+?[0-9]{0,15}$/;

function existingExtension(store: Store, ext: string): void {
  if (store.extensions.get(ext)) return;
  const known = store.extensions.list().map((e) => e.ext).join(', ') || 'none; run octoline setup';
  throw new ExtensionSettingsError('EXTENSION_NOT_FOUND', `there is no extension ${ext} (extensions: ${known})`);
}

const csv = (s: string) => s.split(',').map((p) => p.trim()).filter((p) => p !== '');

/** `all` (or nothing) = every line; otherwise line numbers that exist. */
function parseLines(store: Store, s: string): number[] {
  if (s.trim().toLowerCase() === 'all') return [];
  const known = new Set(store.lines.list().map((l) => l.id));
  const lines = csv(s).map((p) => {
    if (!/^[0-9]{1,3}$/.test(p) || !known.has(Number(p))) {
      throw new ExtensionSettingsError('EXTENSION_BAD_LINES', `--lines: there is no line "${p}" (lines: ${[...known].join(', ') || 'none'}; or use all)`);
    }
    return Number(p);
  });
  if (lines.length === 0) throw new ExtensionSettingsError('EXTENSION_BAD_LINES', '--lines: give line numbers (1,2) or all');
  return [...new Set(lines)].sort((a, b) => a - b);
}

/** A comma list of prefixes; `none` or '' clears the list. */
function parsePrefixes(flag: string, s: string): string[] {
  if (s.trim().toLowerCase() === 'none') return [];
  const prefixes = csv(s);
  const bad = prefixes.find((p) => !PREFIX.test(p));
  if (bad !== undefined) throw new ExtensionSettingsError('EXTENSION_BAD_PREFIX', `${flag}: "${bad}" is not a number prefix (digits, optionally after a +; at most 16 characters)`);
  return [...new Set(prefixes)];
}

function parseOutbound(s: string, flag = '--outbound'): boolean {
  const v = s.trim().toLowerCase();
  if (v === 'on' || v === 'off') return v === 'on';
  throw new ExtensionSettingsError('EXTENSION_BAD_OUTBOUND', `${flag}: "${s}" is not on or off`);
}

/**
 * Change what `ext` may dial out (only the fields given); everything is validated before anything
 * is written. Returns the permissions now in force. The call engine reads them on each call.
 */
export function setExtensionPermissions(store: Store, ext: string, input: PermissionInput): ExtensionPermissions {
  existingExtension(store, ext);
  const change: Partial<ExtensionPermissions> = {};
  if (input.lines !== undefined) change.allowedLines = parseLines(store, input.lines);
  if (input.allow !== undefined) change.allowPrefixes = parsePrefixes('--allow', input.allow);
  if (input.deny !== undefined) change.denyPrefixes = parsePrefixes('--deny', input.deny);
  if (input.outbound !== undefined) change.outbound = parseOutbound(input.outbound);
  if (Object.keys(change).length > 0) store.extensions.setPermissions(ext, change);
  return store.extensions.permissions(ext) as ExtensionPermissions;
}

/** Record calls of `ext`: off, from the first ring, or from the answer. */
export function setExtensionRecord(store: Store, ext: string, record: string): RecordPolicy {
  existingExtension(store, ext);
  if (!isRecordPolicy(record)) throw new ExtensionSettingsError('EXTENSION_BAD_RECORD', `"${record}" is not a recording policy: use off, ring or answer`);
  store.extensions.setRecord(ext, record);
  return record;
}

/** Supervisor rights for `ext`'s desk phone (listen, whisper, barge from the phone): on or off. */
export function setExtensionSupervisor(store: Store, ext: string, value: string): boolean {
  existingExtension(store, ext);
  const on = parseOutbound(value, '--supervisor');
  store.users.setPhoneSupervisor(ext, on);
  return on;
}
