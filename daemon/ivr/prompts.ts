import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CodedError } from '../../drivers/coded-error.js';
import { convertPrompt, probeDuration, type ConvertPromptOptions } from '../../drivers/ffmpeg/index.js';
import { PACKAGE_ROOT } from '../package-info.js';
import type { Language } from './flow-types.js';

export type PromptErrorCode = 'PROMPT_BAD_NAME' | 'PROMPT_NOT_FOUND' | 'PROMPT_IN_USE';

export class PromptError extends CodedError<PromptErrorCode> {}

/** An upload's name: what a flow writes after `upload:`. */
export const UPLOAD_NAME = /^[a-z0-9][a-z0-9_-]{0,47}$/;
export const UPLOAD_PREFIX = 'upload:';
/** A generated prompt id (`welcome`, `menu.main`, `num.5`): no slash, so never a path out of sounds/build. */
const GENERATED_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface UploadedPrompt {
  name: string;
  /** What a flow writes: `upload:NAME`. */
  ref: string;
  path: string;
  /** null when the file cannot be probed (damaged since it was added). */
  durationMs: number | null;
  sizeBytes: number;
  /** When the file was last written (epoch ms). */
  modifiedAt: number;
}

export interface AddedPrompt extends UploadedPrompt {
  durationMs: number;
  /** An upload of that name existed and was replaced. */
  replaced: boolean;
}

export interface PromptLibraryOptions {
  dataDir: string;
  /** The generated prompts (default `<package>/sounds/build`). */
  soundsDir?: string;
  /** Names of the stored flows that play `upload:NAME`; `remove` refuses while there are any. */
  usedBy?: (name: string) => readonly string[];
  /** Passed to convertPrompt on `add` (default: loudness-normalised). */
  convert?: ConvertPromptOptions;
}

/**
 * Where a flow's prompt references point: generated prompts under sounds/build/<lang>/ and owner
 * uploads under <data_dir>/prompts/ (one 8 kHz mono WAV per name, the same for every language).
 */
export class PromptLibrary {
  readonly uploadsDir: string;
  private readonly soundsDir: string;

  constructor(private readonly opts: PromptLibraryOptions) {
    this.uploadsDir = join(opts.dataDir, 'prompts');
    this.soundsDir = opts.soundsDir ?? join(PACKAGE_ROOT, 'sounds', 'build');
  }

  /** The WAV a reference plays, or undefined when the reference is malformed. The file may not exist: see `exists`. */
  resolve(ref: string, lang: Language): string | undefined {
    if (ref.startsWith(UPLOAD_PREFIX)) {
      const name = ref.slice(UPLOAD_PREFIX.length);
      return UPLOAD_NAME.test(name) ? this.uploadPath(name) : undefined;
    }
    return GENERATED_ID.test(ref) ? join(this.soundsDir, lang, `${ref}.wav`) : undefined;
  }

  exists(ref: string, lang: Language): boolean {
    const path = this.resolve(ref, lang);
    return path !== undefined && existsSync(path);
  }

  /**
   * Converts `inputFile` (any common audio format) to the upload NAME. The conversion goes to a temp
   * file renamed over the old one at the end: a bad file leaves the previous upload as it was.
   */
  async add(name: string, inputFile: string): Promise<AddedPrompt> {
    checkName(name);
    await mkdir(this.uploadsDir, { recursive: true });
    const path = this.uploadPath(name);
    const replaced = existsSync(path);
    const c = await convertPrompt(inputFile, path, { normalize: true, ...this.opts.convert });
    const modifiedAt = (await stat(path)).mtimeMs;
    return { name, ref: `${UPLOAD_PREFIX}${name}`, path, durationMs: c.durationMs, sizeBytes: c.bytes, modifiedAt: Math.round(modifiedAt), replaced };
  }

  /** Deletes the upload NAME; refused while a stored flow plays it. */
  async remove(name: string): Promise<void> {
    checkName(name);
    const path = this.uploadPath(name);
    if (!existsSync(path)) throw new PromptError('PROMPT_NOT_FOUND', `no uploaded prompt "${name}" (see: octoline prompts list)`);
    const flows = this.opts.usedBy?.(name) ?? [];
    if (flows.length > 0) {
      throw new PromptError('PROMPT_IN_USE', `prompt "${name}" is played by flow${flows.length === 1 ? '' : 's'} ${flows.join(', ')}; take ${UPLOAD_PREFIX}${name} out of ${flows.length === 1 ? 'it' : 'them'} first`);
    }
    await unlink(path);
  }

  /** The uploads by name, with their length. */
  async list(): Promise<UploadedPrompt[]> {
    const names = (await readdir(this.uploadsDir).catch(() => []))
      .filter((f) => f.endsWith('.wav') && UPLOAD_NAME.test(f.slice(0, -4)))
      .map((f) => f.slice(0, -4))
      .sort();
    return Promise.all(names.map(async (name) => {
      const path = this.uploadPath(name);
      const [s, durationMs] = await Promise.all([stat(path), probeDuration(path).catch(() => null)]);
      return { name, ref: `${UPLOAD_PREFIX}${name}`, path, durationMs, sizeBytes: s.size, modifiedAt: Math.round(s.mtimeMs) };
    }));
  }

  private uploadPath(name: string): string {
    return join(this.uploadsDir, `${name}.wav`);
  }
}

function checkName(name: string): void {
  if (!UPLOAD_NAME.test(name)) {
    throw new PromptError('PROMPT_BAD_NAME', `"${name}" is not a prompt name: 1-48 lower-case letters, digits, - or _, starting with a letter or digit`);
  }
}
