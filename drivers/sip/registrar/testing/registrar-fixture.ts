import { pino } from 'pino';
import { FakeClock } from '../../../clock.js';
import { BanList, passwordHa1, type BanListOptions } from '../../auth/index.js';
import { MemoryBindingStore } from '../memory-binding-store.js';
import { Registrar, type RegistrarOptions } from '../registrar.js';
import type { ExpiredEvent, ExtensionCredentials, RegisteredEvent, UnregisteredEvent } from '../types.js';

/** Extensions 1001-1003 with password "pw-EXT" in realm "octoline"; 1004 is disabled. */
export function extensions(realm = 'octoline'): Map<string, ExtensionCredentials> {
  const out = new Map<string, ExtensionCredentials>();
  for (const ext of ['1001', '1002', '1003', '1004']) {
    const password = `pw-${ext}`;
    out.set(ext, {
      realm,
      ha1Md5: passwordHa1('MD5', ext, realm, password),
      ha1Sha256: passwordHa1('SHA-256', ext, realm, password),
      enabled: ext !== '1004',
    });
  }
  return out;
}

export interface FixtureOptions {
  registrar?: Partial<RegistrarOptions>;
  bans?: BanListOptions;
  store?: MemoryBindingStore;
  clock?: FakeClock;
}

/** A registrar over an in-memory store, a fake clock, and recorded events. */
export function registrarFixture(o: FixtureOptions = {}) {
  const clock = o.clock ?? new FakeClock();
  const store = o.store ?? new MemoryBindingStore();
  const creds = extensions();
  const bans = new BanList({ clock }, { threshold: 10, windowMs: 60_000, banMs: 600_000, ...o.bans });
  const log = pino({ level: process.env['OCTOLINE_TEST_LOG'] ?? 'silent' });
  const registrar = new Registrar(
    { clock, log, credentials: (u) => creds.get(u), bindings: store, bans },
    { realm: 'octoline', ...o.registrar },
  );
  const events = { registered: [] as RegisteredEvent[], unregistered: [] as UnregisteredEvent[], expired: [] as ExpiredEvent[] };
  registrar.on('registered', (e) => events.registered.push(e));
  registrar.on('unregistered', (e) => events.unregistered.push(e));
  registrar.on('expired', (e) => events.expired.push(e));
  return { clock, store, creds, bans, registrar, events };
}
