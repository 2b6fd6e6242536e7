import type { DigestCredentials } from '../auth/index.js';
import type { Remote } from '../transport/types.js';

/**
 * The contracts between the registrar (drivers) and the daemon, which implements them: drivers
 * never import the daemon, so the types live here and daemon/store implements them.
 */

/** What the registrar needs to know about an extension: its HA1s (never a password). */
export interface ExtensionCredentials extends DigestCredentials {
  /** A disabled extension is treated exactly like an unknown one. */
  enabled: boolean;
}

/** Credentials of extension `user` (the To user / digest username); undefined when there is none. */
export type CredentialLookup = (user: string) => ExtensionCredentials | undefined;

/** One registered contact of an extension (RFC 3261 §10: a binding of an address-of-record). */
export interface Binding {
  /** The extension: user part of the address-of-record `sip:EXT@domain`. */
  extension: string;
  /** The Contact URI as registered (header parameters such as expires or q are not part of it). */
  contact: string;
  /**
   * Where the REGISTER came from (transport, address, port). Requests for this binding go here,
   * not to the Contact host, which behind NAT is a private address.
   */
  source: Remote;
  /** UTC epoch ms. */
  expiresAt: number;
  /** Call-ID and CSeq of the REGISTER that last set the binding (RFC 3261 §10.3 step 7). */
  callId: string;
  cseq: number;
  /** User-Agent of that REGISTER (trimmed, maybe empty). */
  userAgent: string;
  /** UTC epoch ms of the last change. */
  updatedAt: number;
}

/** Persistent bindings, so that a daemon restart keeps phones reachable. Synchronous (SQLite). */
export interface BindingStore {
  /** Every stored binding, expired ones included (the registrar ignores and sweeps those). */
  loadAll(): Binding[];
  /** Insert or replace the binding with this extension and contact. */
  upsert(binding: Binding): void;
  remove(extension: string, contact: string): void;
  removeAll(extension: string): void;
  /** Delete bindings with expiresAt <= now; returns how many. */
  purgeExpired(now: number): number;
  /** Run `fn` as one unit: all its writes land or none do. */
  transaction<T>(fn: () => T): T;
}

/** A binding was created or refreshed by a REGISTER. */
export interface RegisteredEvent {
  extension: string;
  contact: string;
  source: Remote;
  /** Granted lifetime (s). */
  expires: number;
  userAgent: string;
  /** True when the binding existed (a re-REGISTER), false for a new one. */
  refresh: boolean;
}

/** A binding was removed before its time. */
export interface UnregisteredEvent {
  extension: string;
  contact: string;
  /** Where the removing REGISTER came from (for `evicted`: the binding's own source). */
  source: Remote;
  /** `expires-0`: the contact asked; `wildcard`: `Contact: *`; `evicted`: over maxBindingsPerAor. */
  reason: 'expires-0' | 'wildcard' | 'evicted';
}

/** A binding reached its expiry without a refresh. */
export interface ExpiredEvent {
  extension: string;
  contact: string;
  /** The binding's source. */
  source: Remote;
}

export interface RegistrarEvents {
  registered: [RegisteredEvent];
  unregistered: [UnregisteredEvent];
  expired: [ExpiredEvent];
}
