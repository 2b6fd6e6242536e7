import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { mkdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../drivers/clock.js';
import { errorMessage, hasCode } from '../../drivers/coded-error.js';
import { compressRecording, probeDuration, type RecordingFormat } from '../../drivers/ffmpeg/index.js';
import type { EventBus } from '../events/bus.js';
import type { VoicemailRow } from '../store/voicemail-repo.js';
import type { Store } from '../store/store.js';
import type { CallbackList } from './callback-list.js';
import { VoicemailError } from './voicemail-errors.js';

/** A flow's mailbox name: the target it belongs to (`1001`, `group:sales`, `main`); also its folder name. */
export const MAILBOX_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export interface VoicemailBoxOptions {
  dataDir: string;
  /** Default 'opus' (Ogg Opus, as call recordings). */
  format?: RecordingFormat;
  /** Shorter messages are the caller hanging up at the beep: discarded (default 1000 ms). */
  minDurationMs?: number;
}

export interface NewMessage {
  mailbox: string;
  callId: string | null;
  caller: string;
  /** The recorded message; it is removed once stored or discarded, kept when storing fails. */
  wavPath: string;
}

const EXTENSION: Record<RecordingFormat, string> = { opus: 'ogg', mp3: 'mp3' };

/**
 * The voicemail store: a recorded message becomes a compressed file under
 * `<data_dir>/voicemail/<mailbox>/<id>.ogg` and a `voicemail` row (new → heard → deleted). The
 * caller goes on the callback list: a missed call that reached voicemail is called back.
 */
export class VoicemailBox {
  private readonly clock: Clock;
  private readonly format: RecordingFormat;

  constructor(
    private readonly deps: { store: Store; bus: EventBus; log: Logger; callbacks: CallbackList; clock?: Clock },
    private readonly opts: VoicemailBoxOptions,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.format = opts.format ?? 'opus';
  }

  /**
   * Stores a message (`voicemail.left`) and returns its row; a message under the minimum length is
   * discarded (`voicemail.empty`) and undefined returned. Either way the caller is put on the
   * callback list. Rejects (FfmpegError, VoicemailError) with the WAV left in place.
   */
  async saveMessage(m: NewMessage): Promise<VoicemailRow | undefined> {
    checkMailbox(m.mailbox);
    const log = this.deps.log.child({ mailbox: m.mailbox, ...(m.callId ? { callId: m.callId } : {}) });
    const durationMs = await messageLength(m.wavPath);
    let row: VoicemailRow | undefined;
    if (durationMs < (this.opts.minDurationMs ?? 1000)) {
      log.info({ durationMs }, 'voicemail: empty message discarded');
      this.publish('voicemail.empty', { mailbox: m.mailbox, durationMs }, m.callId);
    } else {
      row = await this.store(m);
      log.info({ voicemailId: row.id, durationMs: row.durationMs, path: row.path }, 'voicemail left');
      this.publish('voicemail.left', { mailbox: m.mailbox, id: row.id, durationMs: row.durationMs }, m.callId);
    }
    await unlink(m.wavPath).catch((err: unknown) => log.warn({ err: errorMessage(err), wav: m.wavPath }, 'voicemail: WAV not removed'));
    this.requestCallback(m, log);
    return row;
  }

  /** Marks a message heard (`voicemail.heard`); refused for an unknown or deleted message. */
  markHeard(id: number): VoicemailRow {
    if (!this.deps.store.voicemail.markHeard(id, this.clock.now())) throw notFound(id);
    const row = this.get(id);
    this.publish('voicemail.heard', { mailbox: row.mailbox, id }, row.callId);
    return row;
  }

  /** Removes a message's file; the row stays as state 'deleted' (`voicemail.deleted`). */
  async delete(id: number): Promise<VoicemailRow> {
    const row = this.get(id);
    if (row.state === 'deleted') throw notFound(id);
    await unlink(join(this.opts.dataDir, row.path)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    this.deps.store.voicemail.markDeleted(id);
    this.publish('voicemail.deleted', { mailbox: row.mailbox, id }, row.callId);
    return this.get(id);
  }

  /**
   * Compressed to a temp name first; the row and the final name `<id>.<ext>` are made in one
   * transaction, so a crash leaves either both or a stray temp file, never a row without audio.
   */
  private async store(m: NewMessage): Promise<VoicemailRow> {
    const dirRel = join('voicemail', m.mailbox);
    await mkdir(join(this.opts.dataDir, dirRel), { recursive: true });
    const ext = EXTENSION[this.format];
    const tmp = join(this.opts.dataDir, dirRel, `.incoming-${randomBytes(6).toString('hex')}.${ext}`);
    const c = await compressRecording(m.wavPath, tmp, { format: this.format, channels: 1 });
    try {
      const id = this.deps.store.transaction(() => {
        const vm = this.deps.store.voicemail;
        const newId = vm.insert({
          mailbox: m.mailbox, callId: m.callId, caller: m.caller, path: '', durationMs: c.durationMs, sizeBytes: c.bytes,
          sha256: c.sha256, createdAt: this.clock.now(),
        });
        const rel = join(dirRel, `${newId}.${ext}`);
        renameSync(tmp, join(this.opts.dataDir, rel));
        vm.setPath(newId, rel);
        return newId;
      });
      return this.get(id);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  /** Anonymous callers cannot be called back; that is logged, not an error. */
  private requestCallback(m: NewMessage, log: Logger): void {
    if (!/[0-9]/.test(m.caller)) {
      log.info({ caller: m.caller }, 'voicemail: caller without a number, not put on the callback list');
      return;
    }
    try {
      this.deps.callbacks.request({ callId: m.callId, number: m.caller, source: 'voicemail' });
    } catch (err) {
      log.error({ err: errorMessage(err), caller: m.caller }, 'voicemail: callback not recorded');
    }
  }

  private get(id: number): VoicemailRow {
    const row = this.deps.store.voicemail.get(id);
    if (!row) throw notFound(id);
    return row;
  }

  /** A stored message stands even when its event cannot be written. */
  private publish(type: string, data: Record<string, unknown>, callId: string | null): void {
    try {
      this.deps.bus.publish(type, data, callId ?? undefined);
    } catch (err) {
      this.deps.log.error({ err: errorMessage(err), event: type, ...(callId ? { callId } : {}) }, 'voicemail: event not written');
    }
  }
}

/** A WAV of a header and no samples (hung up at once) has no duration ffprobe can give: it is 0 ms long. */
async function messageLength(wav: string): Promise<number> {
  try {
    return await probeDuration(wav);
  } catch (err) {
    if (hasCode(err, 'FFPROBE_FAILED') && (await stat(wav)).size < 1024) return 0;
    throw err;
  }
}

function checkMailbox(mailbox: string): void {
  if (!MAILBOX_NAME.test(mailbox)) {
    throw new VoicemailError('VOICEMAIL_BAD_MAILBOX', `"${mailbox}" is not a mailbox name: 1-64 letters, digits, _ . : or -, starting with a letter or digit`);
  }
}

function notFound(id: number): VoicemailError {
  return new VoicemailError('VOICEMAIL_NOT_FOUND', `no voicemail message ${id} (see: octoline voicemail list)`);
}
