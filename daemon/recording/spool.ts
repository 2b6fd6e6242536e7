import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Clock } from '../../drivers/clock.js';
import { RecordingError } from './errors.js';

const PCAP_HEADER = 24;
const POLL_MS = 100;

interface SpoolFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * rtpengine's recording spool: `pcaps/<media-id>-<hex>.pcap` while and after a call is recorded,
 * `metadata/rtpengine-meta-<media-id>-<hex>.txt` once the call is deleted. Ours beside them:
 * `work/` (the WAV and merged pcaps of the conversion in progress) and `failed/` (pcaps kept after a
 * failed conversion, for a look by hand).
 */
export class RecordingSpool {
  readonly pcapsDir: string;
  readonly metadataDir: string;
  readonly workDir: string;
  readonly failedDir: string;

  constructor(readonly dir: string, private readonly clock: Clock) {
    this.pcapsDir = join(dir, 'pcaps');
    this.metadataDir = join(dir, 'metadata');
    this.workDir = join(dir, 'work');
    this.failedDir = join(dir, 'failed');
  }

  /**
   * The call's pcap files, oldest first, once they exist and have stopped growing (two looks 100 ms
   * apart agree), or as they are when `timeoutMs` runs out. None at all by then: RECORDING_NO_PCAP.
   * The metadata file is rtpengine's word that the call is closed, so it ends the wait at once.
   */
  async waitForPcaps(mediaId: string, timeoutMs: number): Promise<string[]> {
    const deadline = this.clock.monotonic() + timeoutMs;
    let previous = '';
    for (;;) {
      const files = await this.pcaps(mediaId);
      const seen = JSON.stringify(files.map((f) => [f.path, f.size]));
      const closed = files.length > 0 && (seen === previous || (await this.metadataFiles(mediaId)).length > 0);
      if (closed || (files.length > 0 && this.clock.monotonic() >= deadline)) return files.map((f) => f.path);
      if (this.clock.monotonic() >= deadline) {
        throw new RecordingError('RECORDING_NO_PCAP', `no pcap for media id ${mediaId} in ${this.pcapsDir} after ${timeoutMs} ms (was the call recorded?)`);
      }
      previous = seen;
      await new Promise<void>((r) => this.clock.setTimeout(r, POLL_MS));
    }
  }

  /**
   * One pcap to convert: the only one, or (rtpengine started a new file for the same call) the
   * records of all of them after the first one's header, written to `work/`. Files with different
   * headers (link type, byte order) cannot be joined: RECORDING_PCAP_MISMATCH.
   */
  async single(paths: string[], workName: string): Promise<{ path: string; temporary: boolean }> {
    if (paths.length === 1) return { path: paths[0] as string, temporary: false };
    const bufs = await Promise.all(paths.map((p) => readFile(p)));
    const header = (bufs[0] as Buffer).subarray(0, PCAP_HEADER);
    const odd = paths.filter((_, i) => !(bufs[i] as Buffer).subarray(0, PCAP_HEADER).equals(header));
    if (odd.length > 0) throw new RecordingError('RECORDING_PCAP_MISMATCH', `pcaps of one call differ in their header: ${odd.map((p) => basename(p)).join(', ')}`);
    await mkdir(this.workDir, { recursive: true });
    const merged = join(this.workDir, `${workName}.pcap`);
    await writeFile(merged, Buffer.concat([header, ...bufs.map((b) => b.subarray(PCAP_HEADER))]));
    return { path: merged, temporary: true };
  }

  async workPath(name: string): Promise<string> {
    await mkdir(this.workDir, { recursive: true });
    return join(this.workDir, name);
  }

  async metadataFiles(mediaId: string): Promise<string[]> {
    return (await this.matching(this.metadataDir, `rtpengine-meta-${mediaId}`, '.txt')).map((f) => f.path);
  }

  /** Moves the files into `failed/` (kept for a look); returns where they went. */
  async keepFailed(paths: string[]): Promise<string[]> {
    await mkdir(this.failedDir, { recursive: true });
    return Promise.all(paths.map(async (p) => {
      const to = join(this.failedDir, basename(p));
      await rename(p, to);
      return to;
    }));
  }

  private pcaps(mediaId: string): Promise<SpoolFile[]> {
    return this.matching(this.pcapsDir, mediaId, '.pcap');
  }

  /** `<escaped name>-<hex><suffix>` in `dir`, oldest first; a whole-stem match keeps `call-1` from taking `call-1-2`'s files. */
  private async matching(dir: string, name: string, suffix: string): Promise<SpoolFile[]> {
    const names = await readdir(dir).catch(() => [] as string[]);
    const wanted = spoolName(name);
    const files = await Promise.all(names.filter((n) => n.endsWith(suffix) && stem(n, suffix) === wanted).map(async (n) => {
      const path = join(dir, n);
      const s = await stat(path).catch(() => undefined);
      return s ? { path, size: s.size, mtimeMs: s.mtimeMs } : undefined;
    }));
    return files.filter((f): f is SpoolFile => f !== undefined).sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
  }
}

/** The name without `-<hex><suffix>`, or '' when it does not end that way. */
function stem(name: string, suffix: string): string {
  const m = /^(.*)-[0-9a-fA-F]+$/.exec(name.slice(0, -suffix.length));
  return m?.[1] ?? '';
}

/**
 * The call-id as rtpengine spells it in file names (glib's g_uri_escape_string): every UTF-8 byte
 * but A-Z a-z 0-9 - . _ ~ as %XX, so `a@b` is `a%40b`.
 */
export function spoolName(id: string): string {
  return [...Buffer.from(id, 'utf8')].map((c) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : `%${c.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** Removes files, ignoring ones already gone. */
export async function removeFiles(paths: string[]): Promise<void> {
  await Promise.all(paths.map((p) => unlink(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  })));
}
