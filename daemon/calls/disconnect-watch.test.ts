import t, { type Test } from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { linearToUlaw } from '../../drivers/pcap/g711.js';
import { rtpPacket } from '../../drivers/pcap/pcap-writer.js';
import { MediaSession } from '../../drivers/rtpengine/media-session.js';
import { CadenceDetector } from '../../drivers/tones/cadence.js';
import { startRtpengine } from '../../test/helpers/rtpengine.js';
import { testLogger } from '../../test/helpers/log.js';
import { Call } from './call.js';
import { GapFilledFeed, watchDisconnectTone } from './disconnect-watch.js';
import { udpSocket } from '../../test/helpers/rtp.js';

const CHINA = { disconnect_tone_hz: 450, disconnect_tone_on_ms: 350, disconnect_tone_off_ms: 350, disconnect_tone_cycles: 3 };

const sdp = (port: number) => [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', '',
].join('\r\n');
const mediaPort = (s: string) => Number(/m=audio (\d+)/.exec(s)?.[1]);


/** A stretch of what the gateway sends: a tone (hz) or silence; with `vad`, silence is not sent at all. */
type Part = { ms: number; hz?: number };

/**
 * An answered line call in a real rtpengine (gateway leg `a`, phone leg `b1`) and a paced RTP
 * sender playing the gateway's side.
 */
async function lineCall(t: Test, n: number) {
  const rt = await startRtpengine(t);
  const ng = () => rt.supervisor.client;
  const [gw, phone] = [await udpSocket(t), await udpSocket(t)];
  const media = new MediaSession(ng, testLogger(), { mediaId: `dw-${process.pid}-${n}` });
  await media.offer(sdp(gw.address().port), 'a');
  const toRtpengine = mediaPort(await media.answer(sdp(phone.address().port), 'a', 'b1'));
  const call = new Call(`call-${n}`, 'inbound', testLogger(), media, { caller: '13800138000', callerName: '', callee: '1001', line: 1, customerIsA: true });
  t.teardown(() => { call.markEnded({ cause: 'shutdown' }); });
  async function play(parts: Part[], o: { vad?: boolean; until?: () => boolean } = {}): Promise<void> {
    const started = performance.now();
    let i = 0;
    for (const p of parts) {
      for (let k = 0; k < p.ms / 20; k++, i++) {
        if (o.until?.()) return;
        const payload = Buffer.alloc(160);
        for (let j = 0; j < 160; j++) payload[j] = linearToUlaw(p.hz ? 8000 * Math.sin((2 * Math.PI * p.hz * (i * 160 + j)) / 8000) : 0);
        if (p.hz || !o.vad) gw.send(rtpPacket({ pt: 0, seq: i, ts: i * 160, ssrc: 0x5151, payload }), toRtpengine, '127.0.0.1');
        const wait = started + (i + 1) * 20 - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }
  }
  /** Resolves once rtpengine copies the gateway leg to the tap (the watch subscribes asynchronously). */
  async function tapped(): Promise<void> {
    for (let i = 0; i < 100 && !(await subscribers(media)).includes('tap-a'); i++) await sleep(20);
  }
  return { call, ng, play, media, tapped };
}

/** The legs rtpengine copies the gateway leg `a` to. */
async function subscribers(media: MediaSession): Promise<string[]> {
  const tags = (await media.query())['tags'] as Record<string, { subscribers?: Array<{ tag: string }> }>;
  return (tags['a']?.subscribers ?? []).map((s) => s.tag).sort();
}

const cadence = (count: number): Part[] => Array.from({ length: count }, () => [{ ms: 350, hz: 450 }, { ms: 350 }]).flat();

t.test('voice, then the exchange\'s 450 Hz 350/350 tone on the gateway leg: onTone once, about 3 cycles in', async (t) => {
  const { call, ng, play, tapped } = await lineCall(t, 1);
  const heard: number[] = [];
  let start = 0;
  watchDisconnectTone(call, 'a', { ng, calls: CHINA, onTone: () => heard.push(performance.now() - start) });
  await tapped();
  start = performance.now();
  await play([{ ms: 1000, hz: 1000 }, ...cadence(6)], { until: () => heard.length > 0 });
  await sleep(100);
  t.equal(heard.length, 1, 'heard once');
  // 1 s of voice + 3 × 700 ms: reported 40 ms into the fourth burst.
  t.ok((heard[0] ?? 0) > 3000 && (heard[0] ?? 0) < 3800, `after ${Math.round(heard[0] ?? 0)} ms`);
});

t.test('a gateway with voice activity detection sends nothing in the pauses: still heard', async (t) => {
  const { call, ng, play, tapped } = await lineCall(t, 2);
  let heard = 0;
  watchDisconnectTone(call, 'a', { ng, calls: CHINA, onTone: () => heard++ });
  await tapped();
  await play([{ ms: 400, hz: 1000 }, ...cadence(6)], { vad: true, until: () => heard > 0 });
  t.equal(heard, 1);
});

t.test('voice only is never taken for the tone, and the tap goes when the call ends', async (t) => {
  const { call, ng, play, media, tapped } = await lineCall(t, 3);
  let heard = 0;
  watchDisconnectTone(call, 'a', { ng, calls: CHINA, onTone: () => heard++ });
  await tapped();
  await play([{ ms: 1500, hz: 1000 }, { ms: 300 }, { ms: 1500, hz: 700 }, { ms: 300 }, { ms: 1000, hz: 440 }]);
  t.equal(heard, 0, '4.6 s of voice and pauses: nothing');
  t.same(await subscribers(media), ['b1', 'tap-a'], 'the gateway leg goes to the phone and to the tap');
  call.markEnded({ cause: 'caller_hangup' });
  for (let i = 0; i < 50 && (await subscribers(media)).length > 1; i++) await sleep(20);
  t.same(await subscribers(media), ['b1'], 'the call\'s end unsubscribed the tap');
});

t.test('cycles = 0 turns the watch off: no tap at all', async (t) => {
  const { call, ng, media } = await lineCall(t, 4);
  watchDisconnectTone(call, 'a', { ng, calls: { ...CHINA, disconnect_tone_cycles: 0 }, onTone: () => t.fail('no watch') });
  await sleep(200); // long enough for a subscription to show, had one been asked for
  t.same(await subscribers(media), ['b1'], 'rtpengine was never asked for a tap');
});

t.test('a tap rtpengine refuses is a warning in the log, never an error for the call', async (t) => {
  const rt = await startRtpengine(t);
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
  const media = new MediaSession(() => rt.supervisor.client, log, { mediaId: 'never-offered' });
  const call = new Call('call-x', 'inbound', log, media, { caller: '1', callerName: '', callee: '1001', line: 1, customerIsA: true });
  watchDisconnectTone(call, 'a', { ng: () => rt.supervisor.client, calls: CHINA, onTone: () => t.fail('no tone') });
  for (let i = 0; i < 50 && lines.length === 0; i++) await sleep(20);
  t.match(lines.join(''), /disconnect tone watch not started/);
  t.match(lines.join(''), /"callId":"call-x"/);
  t.notOk(call.ended, 'the call goes on');
});

t.test('the gap-filled feed: silence for missing packets, duplicates skipped, a new stream starts over', async (t) => {
  const frame = (ts: number, ssrc: number) => ({
    samples: Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 450 * (ts + i)) / 8000))),
    payloadType: 0, sequence: 0, timestamp: ts, ssrc,
  });
  const newFeed = () => new GapFilledFeed(new CadenceDetector({ toneHz: 450, onMs: 340, offMs: 340, cycles: 2 }));
  /** A 340 ms burst starting at `ms` (RTP time), nothing sent before it since the last one. */
  const burst = (feed: GapFilledFeed, ms: number, ssrc = 1) => {
    let hit = false;
    for (let ts = ms * 8; ts < (ms + 340) * 8; ts += 160) hit = feed.push(frame(ts, ssrc)) || hit;
    return hit;
  };
  const feed = newFeed();
  t.notOk(burst(feed, 0) || burst(feed, 680), 'one cycle is not enough');
  t.notOk(feed.push(frame(680 * 8, 1)), 'a duplicate packet changes nothing');
  t.ok(burst(feed, 1360), 'the third burst, after pauses that were never sent, completes two cycles');
  const other = newFeed();
  burst(other, 0);
  burst(other, 680);
  t.notOk(burst(other, 1360, 2), 'a new SSRC (another stream) starts the count again');
});
