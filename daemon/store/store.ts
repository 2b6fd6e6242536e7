import type { Database } from 'better-sqlite3';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { openDatabase } from './database.js';
import { SettingsRepo } from './settings-repo.js';
import { GatewaysRepo } from './gateways-repo.js';
import { LinesRepo } from './lines-repo.js';
import { ExtensionsRepo } from './extensions-repo.js';
import { UsersRepo } from './users-repo.js';
import { EventsRepo } from './events-repo.js';
import { RegistrationsRepo } from './registrations-repo.js';
import { BlacklistRepo } from './blacklist-repo.js';
import { RecordingsRepo } from './recordings-repo.js';
import { CallsRepo } from './calls-repo.js';
import { RingGroupsRepo } from './ring-groups-repo.js';
import { FlowsRepo } from './flows-repo.js';
import { VoicemailRepo } from './voicemail-repo.js';
import { CallbacksRepo } from './callbacks-repo.js';
import { SurveysRepo } from './surveys-repo.js';
import { QueuesRepo } from './queues-repo.js';
import { AgentsRepo } from './agents-repo.js';
import { VipRepo } from './vip-repo.js';

export const DB_FILE = 'octoline.db';

/** The box database and its repositories: the one thing engines and http hold to reach SQLite. */
export class Store {
  readonly settings: SettingsRepo;
  readonly gateways: GatewaysRepo;
  readonly lines: LinesRepo;
  readonly extensions: ExtensionsRepo;
  readonly users: UsersRepo;
  readonly events: EventsRepo;
  readonly registrations: RegistrationsRepo;
  readonly blacklist: BlacklistRepo;
  readonly recordings: RecordingsRepo;
  readonly calls: CallsRepo;
  readonly ringGroups: RingGroupsRepo;
  readonly flows: FlowsRepo;
  readonly voicemail: VoicemailRepo;
  readonly callbacks: CallbacksRepo;
  readonly surveys: SurveysRepo;
  readonly queues: QueuesRepo;
  readonly agents: AgentsRepo;
  readonly vip: VipRepo;

  constructor(readonly db: Database) {
    this.settings = new SettingsRepo(db);
    this.gateways = new GatewaysRepo(db);
    this.lines = new LinesRepo(db);
    this.extensions = new ExtensionsRepo(db);
    this.users = new UsersRepo(db);
    this.events = new EventsRepo(db);
    this.registrations = new RegistrationsRepo(db);
    this.blacklist = new BlacklistRepo(db);
    this.recordings = new RecordingsRepo(db);
    this.calls = new CallsRepo(db);
    this.ringGroups = new RingGroupsRepo(db);
    this.flows = new FlowsRepo(db);
    this.voicemail = new VoicemailRepo(db);
    this.callbacks = new CallbacksRepo(db);
    this.surveys = new SurveysRepo(db);
    this.queues = new QueuesRepo(db);
    this.agents = new AgentsRepo(db);
    this.vip = new VipRepo(db);
  }

  static open(dataDir: string, log?: Logger): Store {
    return new Store(openDatabase(join(dataDir, DB_FILE), log ? { log } : {}));
  }

  /** Run several writes as one unit (setup writes gateway, lines and extensions together). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
