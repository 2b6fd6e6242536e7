import type { Logger } from 'pino';
import type { Clock } from '../../drivers/clock.js';
import { BanList } from '../../drivers/sip/auth/index.js';
import { KeepAlive, Registrar, DEFAULT_MD5_ONLY_USER_AGENTS } from '../../drivers/sip/registrar/index.js';
import type { SipStack } from '../../drivers/sip/stack.js';
import type { EventBus } from '../events/bus.js';
import type { Store } from '../store/store.js';

export interface PhonesOptions {
  realm: string;
  /** Offered in this order (config sip.digest_algorithms). */
  algorithms: ReadonlyArray<'SHA-256' | 'MD5'>;
  /** User-Agent prefixes offered MD5 alone, on top of the built-in list (config sip.md5_only_user_agents). */
  md5OnlyUserAgents: readonly string[];
}

/**
 * The agents' desk phones: the registrar (digest, persisted bindings, bans), NAT keep-alives, and
 * their registration changes as events (`phone.registered`, …) for the log, status and wallboard.
 */
export class Phones {
  readonly registrar: Registrar;
  readonly bans: BanList;
  private readonly keepAlive: KeepAlive;

  constructor(private readonly deps: { clock: Clock; log: Logger; store: Store; bus: EventBus; stack: SipStack }, opts: PhonesOptions) {
    this.bans = new BanList({ clock: deps.clock });
    this.registrar = new Registrar({
      clock: deps.clock, log: deps.log, bans: this.bans, bindings: deps.store.registrations,
      credentials: (user) => deps.store.extensions.get(user),
    }, {
      realm: opts.realm, algorithms: opts.algorithms,
      md5OnlyUserAgents: [...DEFAULT_MD5_ONLY_USER_AGENTS, ...opts.md5OnlyUserAgents],
    });
    this.keepAlive = new KeepAlive({
      clock: deps.clock, bindings: () => this.registrar.allBindings(),
      ping: (b) => void deps.stack.request(b.contact, { method: 'OPTIONS', destination: b.source }).catch(() => undefined),
    });
    this.publishChanges();
  }

  start(): void {
    this.deps.stack.handle('REGISTER', (req, source) => this.registrar.handle(req, source));
    this.registrar.start();
    this.keepAlive.start();
  }

  stop(): void {
    this.keepAlive.stop();
    this.registrar.stop();
  }

  /** Extensions with at least one live binding. */
  registeredCount(): number {
    return this.registrar.registeredExtensions().length;
  }

  private publishChanges(): void {
    const { bus } = this.deps;
    const where = (s: { transport: string; address: string; port: number }) => `${s.transport}:${s.address}:${s.port}`;
    this.registrar.on('registered', (e) => {
      if (!e.refresh) bus.publish('phone.registered', { extension: e.extension, contact: e.contact, source: where(e.source), userAgent: e.userAgent });
    });
    this.registrar.on('unregistered', (e) => bus.publish('phone.unregistered', { extension: e.extension, contact: e.contact, reason: e.reason }));
    this.registrar.on('expired', (e) => bus.publish('phone.expired', { extension: e.extension, contact: e.contact }));
    this.bans.on('banned', (e) => bus.publish('sip.source_banned', { ...e }));
  }
}
