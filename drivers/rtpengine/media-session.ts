import type { Logger } from 'pino';
import type { NgClient } from './ng-client.js';
import type { NgParams, NgReply } from './ng-types.js';

export interface MediaSessionOptions {
  /** rtpengine's call-id for this call (our call id: it names the pcap). */
  mediaId: string;
  /** Record from the first offer (policy "from ring"). */
  recordFromStart?: boolean;
  /** Detect in-band DTMF tones through the transcoder on `inbandDtmfTag`'s media (gateway profile). */
  inbandDtmfTag?: string;
}

/**
 * One call's media in rtpengine. Legs are named by tags of our own (rtpengine only needs them to
 * be stable): the caller's leg and one per callee leg, so a transfer re-anchors the caller to a
 * new leg without touching the SIP tags.
 */
export class MediaSession {
  private recording: boolean;
  private deleted = false;

  constructor(private readonly ng: () => NgClient, private readonly log: Logger, readonly opts: MediaSessionOptions) {
    this.recording = opts.recordFromStart ?? false;
  }

  get mediaId(): string {
    return this.opts.mediaId;
  }

  get isRecording(): boolean {
    return this.recording;
  }

  /** An offer from leg `fromTag` (towards `toTag` when known); returns the SDP for the other side. */
  async offer(sdp: string, fromTag: string, toTag?: string): Promise<string> {
    const r = await this.ng().offer(this.params(sdp, fromTag, toTag));
    return r.sdp;
  }

  /** The answer of leg `toTag` to `fromTag`'s offer; returns the SDP for `fromTag`'s side. */
  async answer(sdp: string, fromTag: string, toTag: string): Promise<string> {
    const r = await this.ng().answer(this.params(sdp, fromTag, toTag));
    return r.sdp;
  }

  /** Plays `file` (a WAV on this host) to the party of `tag` until stopped (music on hold). */
  async play(tag: string, file: string): Promise<void> {
    await this.ng().command('playMedia', { 'call-id': this.mediaId, 'from-tag': tag, file, 'repeat-times': 10_000 });
  }

  /** Plays `file` once to the party of `tag`; resolves with its length in ms as rtpengine reports it. */
  async playOnce(tag: string, file: string): Promise<number> {
    const r = await this.ng().command('playMedia', { 'call-id': this.mediaId, 'from-tag': tag, file, 'repeat-times': 1 });
    return typeof r['duration'] === 'number' ? r['duration'] : 0;
  }

  async stopPlay(tag: string): Promise<void> {
    await this.ng().command('stopMedia', { 'call-id': this.mediaId, 'from-tag': tag });
  }

  /** Stop forwarding what `tag`'s party sends (hold: the held side must hear only the music). */
  async block(tag: string): Promise<void> {
    await this.ng().command('blockMedia', { 'call-id': this.mediaId, 'from-tag': tag });
  }

  async unblock(tag: string): Promise<void> {
    await this.ng().command('unblockMedia', { 'call-id': this.mediaId, 'from-tag': tag });
  }

  async startRecording(): Promise<void> {
    if (this.recording) return;
    await this.ng().command('startRecording', { 'call-id': this.mediaId });
    this.recording = true;
  }

  /** Packet counters and last-seen times per stream (the no-media watchdog reads them). */
  query(): Promise<NgReply> {
    return this.ng().command('query', { 'call-id': this.mediaId });
  }

  /** Ends the call in rtpengine (the pcap is closed); never throws: a failed delete is only logged. */
  async delete(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    try {
      await this.ng().delete({ 'call-id': this.mediaId });
    } catch (err) {
      this.log.warn({ err, callId: this.mediaId }, 'rtpengine delete failed');
    }
  }

  private params(sdp: string, fromTag: string, toTag: string | undefined): NgParams {
    const flags = ['trust-address'];
    const p: NgParams = {
      'call-id': this.mediaId,
      'from-tag': fromTag,
      ...(toTag !== undefined ? { 'to-tag': toTag } : {}),
      sdp,
      replace: ['origin', 'session-connection'],
      ICE: 'remove',
      'transport-protocol': 'RTP/AVP',
      flags,
    };
    if (this.recording) p['record call'] = 'yes';
    if (this.opts.inbandDtmfTag !== undefined && fromTag === this.opts.inbandDtmfTag) {
      p['codec'] = { transcode: ['telephone-event'] };
    }
    return p;
  }
}
