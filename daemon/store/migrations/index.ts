import type { Migration } from './migration.js';
import { box } from './001-box.js';
import { calls } from './002-calls.js';
import { registrations } from './003-registrations.js';
import { routing } from './004-routing.js';
import { callEngine } from './005-call-engine.js';
import { flows } from './006-flows.js';
import { voicemail } from './007-voicemail.js';
import { acd } from './008-acd.js';

export type { Migration };

/** In order; a new migration is appended here and never edited once released. */
export const MIGRATIONS: readonly Migration[] = [box, calls, registrations, routing, callEngine, flows, voicemail, acd];
