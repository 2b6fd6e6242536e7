import type { DialogRecord } from '../dialog/index.js';
import type { UaContext } from './context.js';
import type { Dialog } from './dialog.js';

/** What createUAS / createUAC need from the UA core besides the context: a home for dialogs. */
export interface DialogRegistry {
  readonly ctx: UaContext;
  /** A confirmed dialog, registered for in-dialog requests until it ends. */
  newDialog(record: DialogRecord, sdp: { local?: string | undefined; remote?: string | undefined }): Dialog;
  /** Early dialogs of our own INVITEs (RFC 3891: Replaces may name one), keyed by dialog key. */
  trackEarly(key: string, entry: EarlyUac): void;
  untrackEarly(key: string): void;
  readonly stopped: boolean;
}

/** An early dialog of an INVITE we sent (the callee rings). */
export interface EarlyUac {
  readonly id: DialogRecord['id'];
  /** CANCEL the INVITE (the callee stops ringing). */
  cancel(): void;
}
