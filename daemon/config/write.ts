import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'smol-toml';
import type { ConfigFile } from './schema.js';
import { ConfigError } from './errors.js';

const HEADER = `# Octoline box settings (network, ports, paths, rtpengine).
# Written by \`octoline setup\`; safe to edit by hand. Every key is documented in docs/config.md.
# Business settings (lines, extensions, queues, flows, users) live in the database, not here.
`;

/** Write atomically (temp file + rename) so a crash never leaves half a config behind. */
export function writeConfig(path: string, file: ConfigFile): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, `${HEADER}\n${stringify(file)}\n`, { mode: 0o640 });
    renameSync(tmp, path);
  } catch (err) {
    throw new ConfigError('CONFIG_WRITE_FAILED', `cannot write config ${path}: ${(err as Error).message}`, { cause: err });
  }
}
