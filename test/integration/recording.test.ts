import t, { type Test } from 'tap';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pcapToStereoWav } from '../../drivers/pcap/stereo-wav.js';
import { parsePcap } from '../../drivers/pcap/pcap-reader.js';
import { compressRecording, probeDuration } from '../../drivers/ffmpeg/index.js';
import { startRtpengine } from '../helpers/rtpengine.js';
import { dominantFrequency, toneLevel, wavSeconds } from '../helpers/tone.js';
import { udpSocket, toneSender } from '../helpers/rtp.js';

const sdp = (port: number) => [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', '',
].join('\r\n');

const mediaPort = (s: string) => Number(/m=audio (\d+)/.exec(s)?.[1]);



t.test('a recorded two-way call becomes a stereo WAV with the caller left and the agent right, then Opus and MP3', async (t) => {
  const rt = await startRtpengine(t);
  const ng = rt.supervisor.client;
  const [a, b] = [await udpSocket(t), await udpSocket(t)];
  const portA = a.address().port;
  const portB = b.address().port;
  const callId = `rec-${process.pid}`;
  const offer = await ng.offer({ 'call-id': callId, 'from-tag': 'A', sdp: sdp(portA), 'record call': 'yes' });
  const answer = await ng.answer({ 'call-id': callId, 'from-tag': 'A', 'to-tag': 'B', sdp: sdp(portB), 'record call': 'yes' });
  const toRtpengineFromA = mediaPort(answer.sdp);
  const toRtpengineFromB = mediaPort(offer.sdp);
  t.ok(toRtpengineFromA >= rt.portMin && toRtpengineFromB <= rt.portMax, 'both legs anchored on rtpengine ports');

  const sendA = toneSender(a, toRtpengineFromA, 1000, 0x1111aaaa);
  const sendB = toneSender(b, toRtpengineFromB, 500, 0x2222bbbb);
  const started = performance.now();
  for (let i = 0; i <= 150; i++) { // B starts one packet after A, so A is surely the first stream seen
    if (i < 150) sendA();
    if (i > 0) sendB();
    const wait = started + (i + 1) * 20 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await sleep(100);
  await ng.delete({ 'call-id': callId, 'from-tag': 'A' });

  const pcapDir = join(rt.spoolDir, 'pcaps');
  let pcaps: string[] = [];
  for (let i = 0; i < 50 && pcaps.length === 0; i++) {
    pcaps = (await readdir(pcapDir).catch(() => [])).filter((f) => f.startsWith(callId) && f.endsWith('.pcap'));
    if (pcaps.length === 0) await sleep(100);
  }
  t.equal(pcaps.length, 1, 'one pcap for the call');
  const pcap = join(pcapDir, pcaps[0] as string);
  t.comment(`rtpengine wrote link type ${parsePcap(await readFile(pcap)).linkType}`);

  const dir = join(rt.spoolDir, '..', 'out'); // t.testdir() again would empty rtpengine's spool
  await mkdir(dir, { recursive: true });
  const wav = join(dir, 'call.wav');
  const res = await pcapToStereoWav(pcap, wav, { left: { address: '127.0.0.1', port: portA }, dtmfPayloadTypes: [101] });
  t.same(res.left.sources, [`127.0.0.1:${portA}`], 'left is fed by the caller only');
  t.same(res.right.sources, [`127.0.0.1:${portB}`], 'right is fed by the agent only');
  const lagMs = ((res.right.firstUs ?? 0) - (res.left.firstUs ?? 0)) / 1000;
  t.ok(lagMs > 10 && lagMs < 40, `the channels share the capture clock: the agent starts ${lagMs} ms after the caller`);
  t.equal(await dominantFrequency(wav, { channel: 0 }), 1000, 'left channel holds the 1 kHz tone');
  t.equal(await dominantFrequency(wav, { channel: 1 }), 500, 'right channel holds the 500 Hz tone');
  t.ok(await toneLevel(wav, 1000, { channel: 0 }) > 0.8, 'the left tone is clean');
  t.ok(await toneLevel(wav, 500, { channel: 1 }) > 0.8, 'the right tone is clean');
  const seconds = await wavSeconds(wav);
  t.ok(Math.abs(seconds - 3) <= 0.3, `about 3 s long (${seconds} s)`);

  const defaults = await pcapToStereoWav(pcap, join(dir, 'default.wav'));
  t.same(defaults.left.sources, [`127.0.0.1:${portA}`], 'without selectors the first stream seen (the caller sent first) is left');

  const wavBytes = (await stat(wav)).size;
  for (const format of ['opus', 'mp3'] as const) {
    const out = await compressRecording(wav, join(dir, `call.${format === 'opus' ? 'ogg' : 'mp3'}`), { format });
    // MP3 at 8 kHz has 72 ms frames plus encoder delay; Opus is exact to a 20 ms frame.
    const tolerance = format === 'mp3' ? 250 : 60;
    t.ok(Math.abs(out.durationMs - seconds * 1000) <= tolerance, `${format}: ffprobe says ${out.durationMs} ms, the WAV ${Math.round(seconds * 1000)} ms`);
    t.ok(out.bytes < wavBytes / 5, `${format}: ${out.bytes} bytes, much smaller than the WAV's ${wavBytes}`);
    t.match(out.sha256, /^[0-9a-f]{64}$/, `${format}: sha256 is 64 hex digits`);
    t.equal(await probeDuration(out.path), out.durationMs, `${format}: probeDuration agrees`);
  }
});

t.test('a file that is not audio is a typed ffmpeg error carrying ffmpeg\'s message', async (t) => {
  const dir = t.testdir({ 'bad.wav': 'this is not a wav file at all' });
  await t.rejects(compressRecording(join(dir, 'bad.wav'), join(dir, 'out.ogg')), { code: 'FFMPEG_FAILED', message: /bad\.wav/ });
  await t.rejects(probeDuration(join(dir, 'bad.wav')), { code: 'FFPROBE_FAILED' });
});
