import { existsSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../drivers/clock.js';
import { errorMessage, hasCode, CodedError } from '../../drivers/coded-error.js';
import { compressRecording } from '../../drivers/ffmpeg/index.js';
import { pcapToStereoWav, type StereoWavResult } from '../../drivers/pcap/stereo-wav.js';
import type { EventBus } from '../events/bus.js';
import type { RecordingRow } from '../store/recordings-repo.js';
import type { Store } from '../store/store.js';
import { DiskFloor, type FloorChange } from './disk-floor.js';
import { RecordingSpool, removeFiles } from './spool.js';

export interface RecordingsOptions {
  dataDir: string;
  spoolDir: string;
  format: 'opus' | 'mp3';
  retentionDays: number;
  minFreeMb: number;
}

export interface FinishOptions {
  /** The caller's (customer's) media source from their SDP: their audio goes left. */
  left?: { address: string; port: number };
  /** telephone-event payload types of the call's SDP (default [101]). */
  dtmfPayloadTypes?: number[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PCAP_WAIT_MS = 3000;
const EXTENSION = { opus: 'ogg', mp3: 'mp3' } as const;

/**
 * The recording engine: a recorded call's rtpengine pcap becomes a stereo WAV (caller left, agent
 * right) and then an Opus or MP3 file under `<dataDir>/recordings/YYYY/MM/DD/`, indexed in the
 * `recordings` table. Conversions run one at a time; a failure marks the row and keeps the pcap,
 * and never reaches the call engine. Retention deletes old files; a disk-space floor pauses new
 * recordings (calls go on).
 */
export class Recordings {
  private readonly clock: Clock;
  private readonly spool: RecordingSpool;
  private readonly floor: DiskFloor;
  private readonly recordingsDir: string;
  /** The conversion queue: each job chains after the previous one. */
  private tail: Promise<void> = Promise.resolve();
  private readonly queued = new Map<number, Promise<void>>();
  private stopped = false;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { log: Logger; store: Store; bus: EventBus; clock?: Clock }, private readonly opts: RecordingsOptions) {
    this.clock = deps.clock ?? systemClock;
    this.spool = new RecordingSpool(opts.spoolDir, this.clock);
    this.floor = new DiskFloor(opts.dataDir, opts.minFreeMb, this.clock, (c) => this.onFloor(c));
    this.recordingsDir = join(opts.dataDir, 'recordings');
  }

  /** Disk floor: false below `minFreeMb` free under the data dir (cached ≤ 5 s). */
  canRecord(): boolean {
    try {
      return this.floor.canRecord();
    } catch (err) {
      // Free space unknown: recording is what the policy asked for, so it goes ahead.
      this.deps.log.warn({ err: errorMessage(err), dir: this.opts.dataDir }, 'recording: cannot read free disk space');
      return true;
    }
  }

  /** Changes the floor (tests, a config reload); the next canRecord() checks again. */
  setMinFreeMb(mb: number): void {
    this.floor.setMinFreeMb(mb);
  }

  /** A recording starts: the row (state 'recording') and `call.recording`; returns its id. */
  begin(callId: string, mediaId: string): number {
    const recordingId = this.deps.store.recordings.insert({ callId, mediaId, startedAt: this.clock.now() });
    this.deps.bus.publish('call.recording', { recordingId }, callId);
    return recordingId;
  }

  /**
   * The call was deleted in rtpengine: convert its pcap (queued, one conversion at a time). Never
   * rejects: a failure is the row's state 'failed' and a `recording.failed` event. A second call
   * for a recording already queued joins the first.
   */
  finish(recordingId: number, opts: FinishOptions = {}): Promise<void> {
    const already = this.queued.get(recordingId);
    if (already) return already;
    const job = this.tail.then(() => this.convert(recordingId, opts)).catch((err: unknown) => {
      this.deps.log.error({ err: errorMessage(err), recordingId }, 'recording: conversion bookkeeping failed');
    }).finally(() => this.queued.delete(recordingId));
    this.queued.set(recordingId, job);
    this.tail = job;
    return job;
  }

  /** At start: every recording left unconverted (crash, stop) is converted now; returns how many. */
  async recoverPending(): Promise<number> {
    const rows = this.deps.store.recordings.pending();
    if (rows.length > 0) this.deps.log.info({ count: rows.length }, 'recording: converting recordings left from before the restart');
    await Promise.all(rows.map((r) => this.finish(r.id)));
    return rows.length;
  }

  /** Retention: done recordings of calls older than `retentionDays` lose their file (row kept, state 'deleted'). */
  sweep(): number {
    if (this.opts.retentionDays <= 0) return 0;
    const before = this.clock.now() - this.opts.retentionDays * DAY_MS;
    let deleted = 0;
    for (const row of this.deps.store.recordings.expired(before)) {
      if (this.expire(row)) deleted++;
    }
    if (deleted > 0) this.deps.log.info({ deleted, retentionDays: this.opts.retentionDays }, 'recording: retention sweep');
    return deleted;
  }

  /** Sweeps now and then once a day. */
  start(): void {
    this.safeSweep();
    this.sweepTimer = setInterval(() => this.safeSweep(), DAY_MS);
    this.sweepTimer.unref(); // the daily sweep never keeps the process alive
  }

  /** Waits for the conversion in progress; queued ones stay 'recording' and are recovered at the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.tail;
  }

  private async convert(recordingId: number, opts: FinishOptions): Promise<void> {
    if (this.stopped) return;
    const row = this.deps.store.recordings.get(recordingId);
    if (!row) return void this.deps.log.warn({ recordingId }, 'recording: finish for an unknown recording');
    const log = this.deps.log.child({ recordingId, ...(row.callId ? { callId: row.callId } : {}) });
    if (row.state !== 'recording' && row.state !== 'converting') return void log.warn({ state: row.state }, 'recording: already finished');
    this.deps.store.recordings.setState(recordingId, 'converting');
    const work: string[] = [];
    let pcaps: string[] = [];
    try {
      pcaps = await this.spool.waitForPcaps(row.mediaId, PCAP_WAIT_MS);
      const done = await this.compress(row, pcaps, work, opts, log);
      // The recording is safe from here on: a leftover spool file is only logged.
      await removeFiles([...pcaps, ...work, ...await this.spool.metadataFiles(row.mediaId)])
        .catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'recording: spool files not removed'));
      log.info({ path: done.path, durationMs: done.durationMs, bytes: done.bytes }, 'recording ready');
      this.publish('recording.ready', { recordingId, ...done }, row.callId);
    } catch (err) {
      await this.fail(row, err, pcaps, work, log);
    }
  }

  /** pcap(s) → WAV → compressed file; the row is updated to 'done'. */
  private async compress(row: RecordingRow, pcaps: string[], work: string[], opts: FinishOptions, log: Logger) {
    const pcap = await this.spool.single(pcaps, `rec-${row.id}`);
    if (pcap.temporary) work.push(pcap.path);
    const wav = await this.spool.workPath(`rec-${row.id}.wav`);
    work.push(wav);
    const split = await this.toWav(pcap.path, wav, opts, log);
    log.debug({ left: split.left.sources, right: split.right.sources, skipped: split.skipped }, 'recording: stereo WAV written');
    const out = await this.outputPath(row);
    const c = await compressRecording(wav, out, { format: this.opts.format, clock: this.clock });
    const path = relative(this.opts.dataDir, c.path);
    this.deps.store.recordings.setState(row.id, 'done', {
      path, format: c.format, sizeBytes: c.bytes, durationMs: c.durationMs, sha256: c.sha256, finishedAt: this.clock.now(),
    });
    return { path, durationMs: c.durationMs, bytes: c.bytes };
  }

  /**
   * With the caller's SDP address as the left selector; when no stream matches it (NAT, a gateway
   * sending from another port) a recording with the default channel order beats none.
   */
  private async toWav(pcap: string, wav: string, opts: FinishOptions, log: Logger): Promise<StereoWavResult> {
    // A pcap from an rtpengine killed with the daemon ends in a partial record: keep the rest.
    const base = { dropCutTail: true, ...(opts.dtmfPayloadTypes ? { dtmfPayloadTypes: opts.dtmfPayloadTypes } : {}) };
    if (!opts.left) return pcapToStereoWav(pcap, wav, base);
    try {
      return await pcapToStereoWav(pcap, wav, { ...base, left: opts.left });
    } catch (err) {
      if (!hasCode(err, 'PCAP_STREAM_NOT_FOUND')) throw err;
      log.warn({ left: opts.left, err: errorMessage(err) }, 'recording: no stream from the caller\'s SDP address; default channel order used');
      return pcapToStereoWav(pcap, wav, base);
    }
  }

  /** `<dataDir>/recordings/YYYY/MM/DD/<callId>.<ext>` by the call's start (UTC); a second recording of the call gets `-<id>`. */
  private async outputPath(row: RecordingRow): Promise<string> {
    const day = new Date(row.startedAt).toISOString().slice(0, 10).split('-');
    const dir = join(this.recordingsDir, ...day);
    await mkdir(dir, { recursive: true });
    const name = row.callId ?? `recording-${row.id}`;
    const ext = EXTENSION[this.opts.format];
    const first = join(dir, `${name}.${ext}`);
    return existsSync(first) ? join(dir, `${name}-${row.id}.${ext}`) : first;
  }

  private async fail(row: RecordingRow, err: unknown, pcaps: string[], work: string[], log: Logger): Promise<void> {
    const error = err instanceof CodedError ? `${err.code}: ${err.message}` : errorMessage(err);
    log.error({ err: error }, 'recording failed; pcap kept');
    this.deps.store.recordings.setState(row.id, 'failed', { error, finishedAt: this.clock.now() });
    await removeFiles(work).catch(() => undefined);
    const kept = await this.spool.keepFailed(pcaps).catch((e: unknown) => {
      log.error({ err: errorMessage(e), pcaps }, 'recording: could not move the pcap to failed/');
      return pcaps;
    });
    if (kept.length > 0) log.info({ kept }, 'recording: pcap kept');
    this.publish('recording.failed', { recordingId: row.id, error }, row.callId);
  }

  /** Deletes one expired recording's file; false (row untouched, retried next sweep) when it cannot. */
  private expire(row: RecordingRow): boolean {
    const log = this.deps.log.child({ recordingId: row.id, ...(row.callId ? { callId: row.callId } : {}) });
    if (row.path) {
      const file = join(this.opts.dataDir, row.path);
      try {
        unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          log.error({ err: errorMessage(err), path: row.path }, 'recording: retention could not delete the file');
          return false;
        }
        log.warn({ path: row.path }, 'recording: file already gone at retention');
      }
      this.pruneEmptyDirs(dirname(file));
    }
    this.deps.store.recordings.setState(row.id, 'deleted');
    this.publish('recording.deleted', { recordingId: row.id, reason: 'retention' }, row.callId);
    return true;
  }

  /** Day and month folders emptied by retention go too (up to, not including, recordings/). */
  private pruneEmptyDirs(dir: string): void {
    try {
      for (let d = dir; d.startsWith(`${this.recordingsDir}/`) && readdirSync(d).length === 0; d = dirname(d)) rmdirSync(d);
    } catch {
      // A folder that is gone or busy is left for the next sweep.
    }
  }

  private safeSweep(): void {
    try {
      this.sweep();
    } catch (err) {
      this.deps.log.error({ err: errorMessage(err) }, 'recording: retention sweep failed');
    }
  }

  private onFloor(c: FloorChange): void {
    if (c.paused) this.deps.log.warn({ freeMb: c.freeMb, minFreeMb: c.minFreeMb }, 'recording paused: disk space below the floor');
    this.publish(c.paused ? 'recording.paused' : 'recording.resumed', { freeMb: c.freeMb, minFreeMb: c.minFreeMb }, null);
  }

  /** Events never break a conversion or a call (a closed store at shutdown, a calls row gone). */
  private publish(type: string, data: Record<string, unknown>, callId: string | null): void {
    try {
      this.deps.bus.publish(type, data, callId ?? undefined);
    } catch (err) {
      this.deps.log.error({ err: errorMessage(err), event: type }, 'recording: event not written');
    }
  }
}
