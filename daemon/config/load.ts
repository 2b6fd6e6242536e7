import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ConfigSchema, type Config, type ConfigFile } from './schema.js';
import { ConfigError } from './errors.js';
import { checkConsistency } from './consistency.js';
import { describeError } from './describe.js';

export const PRODUCTION_CONFIG = '/etc/octoline/octoline.conf';
export const DEV_CONFIG = 'var/octoline.conf';

/**
 * Which file to read: an explicit path wins, then $OCTOLINE_CONFIG, then the production path
 * when it exists (an installed box), else the dev path under the working directory.
 */
export function resolveConfigPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit ?? env['OCTOLINE_CONFIG'] ?? (existsSync(PRODUCTION_CONFIG) ? PRODUCTION_CONFIG : DEV_CONFIG);
  return resolve(chosen);
}

export interface LoadOptions {
  /** Refuse to run on embedded defaults when the file is missing. */
  mustExist?: boolean;
}

export function loadConfig(path: string, opts: LoadOptions = {}): Config {
  const abs = resolve(path);
  const text = readConfigText(abs, opts.mustExist ?? false);
  const raw = text === undefined ? {} : parseText(abs, text);
  const file = validate(abs, raw);
  return finish(abs, file, text === undefined);
}

/** Validate an already-parsed object (used by `setup` before it writes anything). */
export function validateConfigObject(path: string, raw: unknown): Config {
  const abs = resolve(path);
  return finish(abs, validate(abs, raw), false);
}

function readConfigText(path: string, mustExist: boolean): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !mustExist) return undefined;
    if (code === 'ENOENT') {
      throw new ConfigError('CONFIG_NOT_FOUND', `config ${path} does not exist; create it with: octoline setup --config ${path}`, { cause: err });
    }
    throw new ConfigError('CONFIG_UNREADABLE', `config ${path} cannot be read (${code ?? 'error'}); check its permissions`, { cause: err });
  }
}

function parseText(path: string, text: string): unknown {
  try {
    return parseToml(text);
  } catch (err) {
    const where = err instanceof TomlError ? `line ${err.line}, column ${err.column}` : 'unknown position';
    const first = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError('CONFIG_SYNTAX', `config ${path}: TOML syntax error at ${where}: ${first}`, { cause: err });
  }
}

function validate(path: string, raw: unknown): ConfigFile {
  const value = Value.Default(ConfigSchema, Value.Clone(raw ?? {}));
  const first = Value.Errors(ConfigSchema, value).First();
  if (first) {
    const field = first.path.replace(/^\//, '').replaceAll('/', '.') || '(top level)';
    throw new ConfigError('CONFIG_INVALID', `config ${path}: ${field}: ${describeError(ConfigSchema, first)}`, { field });
  }
  return value as ConfigFile;
}

function finish(path: string, file: ConfigFile, fromDefaults: boolean): Config {
  checkConsistency(path, file);
  const production = path.startsWith('/etc/');
  const base = dirname(path);
  const absolute = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const dataDir = file.box.data_dir ? absolute(file.box.data_dir) : production ? '/var/lib/octoline' : join(base, 'data');
  const runtimeDir = file.box.runtime_dir ? absolute(file.box.runtime_dir) : production ? '/run/octoline' : join(dataDir, 'run');
  return { ...file, box: { ...file.box, data_dir: dataDir, runtime_dir: runtimeDir }, path, fromDefaults };
}
