/** The registrar of the agents' desk phones: see docs/sip-registrar.md. */
export { planRegister } from './contact-plan.js';
export type { ExpiryLimits, PlannedContact, RegisterPlan } from './contact-plan.js';
export { SipRegistrarError } from './errors.js';
export type { SipRegistrarErrorCode } from './errors.js';
export { isBehindNat, KeepAlive } from './keep-alive.js';
export type { KeepAliveOptions } from './keep-alive.js';
export { MemoryBindingStore } from './memory-binding-store.js';
export { DEFAULT_MD5_ONLY_USER_AGENTS, Registrar } from './registrar.js';
export type { RegistrarDeps, RegistrarOptions } from './registrar.js';
export type {
  Binding,
  BindingStore,
  CredentialLookup,
  ExpiredEvent,
  ExtensionCredentials,
  RegisteredEvent,
  RegistrarEvents,
  UnregisteredEvent,
} from './types.js';
