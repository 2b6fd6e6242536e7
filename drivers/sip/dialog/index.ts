/** Dialogs (RFC 3261 §12): state machine, dialog state, in-dialog requests, targets, Replaces. */
export { DialogError } from './errors.js';
export type { DialogErrorCode } from './errors.js';
export { transition } from './state.js';
export type { DialogEffect, DialogInput, DialogState, DialogStep } from './state.js';
export { buildRequest, checkRemoteCSeq, dialogKey, refreshTarget, uacRecord, uasRecord } from './record.js';
export type { DialogId, DialogRecord, InDialogRequestInit } from './record.js';
export { dialogNextHop, nextHop, resolveUri, viaProtocol } from './target.js';
export { formatReplaces, parseReplaces, replacedDialogId, replacesFor } from './replaces.js';
export type { Replaces } from './replaces.js';
