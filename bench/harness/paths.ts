import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root: benches run the built daemon and the SIPp scenarios kept with the tests. */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The built CLI (`octoline`): the benches measure production code, not the TypeScript sources. */
export const CLI = join(ROOT, 'dist', 'daemon', 'cli', 'main.js');
export const SCENARIOS = join(ROOT, 'test', 'peers', 'sipp');
