import t, { type Test } from 'tap';
import { rtpPacket } from '../pcap/pcap-writer.js';
import { testLogger } from '../../test/helpers/log.js';
import { waitUntil } from '../../test/helpers/sipp.js';
import { Mixer, type Endpoint, type ParticipantCodec } from './mixer.js';
import { RtpParty, type Scheduled } from '../../test/helpers/rtp-party.js';

const PCMU: ParticipantCodec = { codec: 'PCMU', payloadType: 0, telephoneEventPt: 101 };
const PCMA: ParticipantCodec = { codec: 'PCMA', payloadType: 8, telephoneEventPt: 101 };
const TONE = { A: 400, B: 1000, C: 1600 } as const;
type Name = keyof typeof TONE;
const CODEC: Record<Name, ParticipantCodec> = { A: PCMU, B: PCMU, C: PCMA };

function open(t: Test, jitterFrames = 3): Mixer {
  const mixer = Mixer.open({ jitterFrames, log: testLogger() });
  t.teardown(() => mixer.close());
  return mixer;
}

interface Conference { mixer: Mixer; party: Record<Name, RtpParty>; at: Record<Name, Endpoint> }

/** A, B, C in one conference with the given hears lists; the mix goes to each party's socket. */
async function conference(t: Test, hears: Record<Name, Name[]>): Promise<Conference> {
  const mixer = open(t);
  const party = { A: await RtpParty.open(t), B: await RtpParty.open(t), C: await RtpParty.open(t) };
  const at = {} as Record<Name, Endpoint>;
  for (const n of ['A', 'B', 'C'] as const) {
    at[n] = await mixer.add(n, { ...CODEC[n], hears: hears[n] });
    mixer.setRemote(n, party[n].endpoint);
  }
  return { mixer, party, at };
}

/** Every party talks its tone (its own codec) for `count` packets at 50/s; resolves when the mix of all of it is out. */
async function talk(c: Conference, count: number, who: readonly Name[] = ['A', 'B', 'C']): Promise<void> {
  await Promise.all(who.map((n) => c.party[n].play(c.at[n], RtpParty.paced(c.party[n].tone(count, { freqHz: TONE[n], codec: CODEC[n].codec })))));
  await settle(c.mixer, c.party.A, c.party.B, c.party.C);
}

/**
 * Waits until what was sent has been mixed and received: the mixer has ticked past its playout
 * depth, and each listening party's last two frames are silent (the talk has ended for it), bounded.
 */
async function settle(mixer: Mixer, ...listeners: RtpParty[]): Promise<void> {
  const until = mixer.stats().ticks + 6;
  await waitUntil(() => mixer.stats().ticks >= until, { timeoutMs: 2000, what: 'mixer ticks' });
  const quiet = (p: RtpParty) => p.heard.length >= 2 && p.soundFrames(p.heard.length - 2) === 0;
  await waitUntil(() => listeners.every(quiet), { timeoutMs: 2000, what: 'the mix to go quiet' });
}

t.test('mix-minus: each of three parties hears the other two in its own codec, never itself', async (t) => {
  const c = await conference(t, { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B', 'C'] });
  await talk(c, 50);
  for (const n of ['A', 'B', 'C'] as const) {
    const others = (['A', 'B', 'C'] as const).filter((o) => o !== n);
    for (const o of others) t.ok(c.party[n].framesWith(TONE[o]) >= 50, `${n} hears ${o} all along (${c.party[n].framesWith(TONE[o])} frames)`);
    t.ok(c.party[n].maxShare(TONE[n]) < 0.01, `${n} never hears itself (max share ${c.party[n].maxShare(TONE[n]).toFixed(4)})`);
  }
  t.ok(c.party.C.heard.every((h) => h.payloadType === 8) && c.party.A.heard.every((h) => h.payloadType === 0), 'each in its own payload type');
  for (const n of ['A', 'B', 'C'] as const) {
    const h = c.party[n].heard;
    const steps = h.slice(1).every((p, i) => p.sequence === (((h[i]?.sequence ?? 0) + 1) & 0xffff) && p.timestamp === (((h[i]?.timestamp ?? 0) + 160) >>> 0));
    t.ok(steps && h.every((p) => p.ssrc === h[0]?.ssrc && p.samples.length === 160), `${n}: one SSRC, seq +1, timestamp +160, 20 ms each`);
    t.ok(h[0]?.marker && h.slice(1).every((p) => !p.marker), `${n}: marker on the first packet only`);
    t.equal(h[0]?.from, `127.0.0.1:${c.at[n].port}`, `${n}'s mix comes from the port it sends to (symmetric)`);
  }
  const s = c.mixer.stats();
  t.equal(s.participants, 3);
  t.equal(s.framesIn, 150, 'every packet went into a buffer');
  t.equal(s.framesConcealed, 0, 'nothing concealed on a clean loopback');
});

t.test('whisper matrix: A hears B only; B hears A and C; C hears A and B', async (t) => {
  const c = await conference(t, { A: ['B'], B: ['A', 'C'], C: ['A', 'B'] });
  await talk(c, 40);
  const hears = (n: Name, o: Name) => c.party[n].framesWith(TONE[o]) >= 40;
  const deaf = (n: Name, o: Name) => c.party[n].maxShare(TONE[o]) < 0.01;
  t.ok(hears('A', 'B') && deaf('A', 'C') && deaf('A', 'A'), 'A: the supervisor\'s whisper B only');
  t.ok(hears('B', 'A') && hears('B', 'C') && deaf('B', 'B'), 'B: the agent hears the customer and the supervisor');
  t.ok(hears('C', 'A') && hears('C', 'B') && deaf('C', 'C'), 'C: the supervisor hears both');
});

t.test('a receive-only tap is mixed for those who hear it and is never sent anything', async (t) => {
  const mixer = open(t);
  const [a, tap] = [await RtpParty.open(t), await RtpParty.open(t)];
  const atA = await mixer.add('a', { ...PCMU, hears: ['tap'] });
  const atTap = await mixer.add('tap', { ...PCMA, hears: ['a'], send: false });
  mixer.setRemote('a', a.endpoint);
  mixer.setRemote('tap', tap.endpoint);
  await Promise.all([
    tap.play(atTap, RtpParty.paced(tap.tone(40, { freqHz: 1600, codec: 'PCMA' }))),
    a.play(atA, RtpParty.paced(a.tone(40, { freqHz: 400 }))),
  ]);
  await settle(mixer, a);
  t.ok(a.framesWith(1600) >= 40, `a hears the tapped leg (${a.framesWith(1600)} frames)`);
  t.equal(tap.heard.length, 0, 'the tap got nothing, though its remote is known and it sent');
});

t.test('setHears switches whom a party hears at the next tick; remove() takes a party out', async (t) => {
  const c = await conference(t, { A: ['B'], B: [], C: [] });
  await talk(c, 30, ['B', 'C']);
  t.ok(c.party.A.framesWith(TONE.B) >= 30 && c.party.A.maxShare(TONE.C) < 0.01, 'first A hears B only');
  const mark = c.party.A.heard.length;
  c.mixer.setHears('A', ['C', 'A']);
  await settle(c.mixer, c.party.A);
  const mark2 = c.party.A.heard.length;
  await talk(c, 30, ['B', 'C']);
  t.ok(c.party.A.framesWith(TONE.C, 8000, mark2) >= 30, 'then A hears C');
  t.ok(c.party.A.maxShare(TONE.B, mark2) < 0.01 && c.party.A.maxShare(TONE.A, mark) < 0.01, 'and no longer B, and never itself');
  t.ok(c.party.B.soundFrames() === 0 && c.party.B.heard.length > 50, 'B hears nobody: silence packets all along');

  await c.mixer.remove('C');
  t.notOk(c.mixer.has('C'), 'C is gone');
  const mark3 = c.party.A.heard.length;
  await talk(c, 20, ['B']);
  t.equal(c.party.A.soundFrames(mark3), 0, 'A, who heard C only, now hears silence');
  t.equal(c.mixer.stats().participants, 2);
  await c.mixer.remove('C');
  t.pass('removing twice is harmless');
});

t.test('reordered and duplicated packets within the playout depth still give continuous audio', async (t) => {
  const mixer = open(t);
  const [a, b] = [await RtpParty.open(t), await RtpParty.open(t)];
  await mixer.add('a', { ...PCMU, hears: ['b'] });
  const atB = await mixer.add('b', { ...PCMU, hears: [] });
  mixer.setRemote('a', a.endpoint);
  const packets = b.tone(60, { freqHz: 1000 });
  const schedule: Scheduled[] = RtpParty.paced(packets).map((s, i) => ({ ...s, atMs: i % 4 === 1 ? s.atMs + 30 : s.atMs })); // every 4th one after the next
  for (let i = 5; i < 60; i += 7) schedule.push({ atMs: i * 20 + 5, packet: packets[i] as Buffer }); // duplicates
  await b.play(atB, schedule);
  await settle(mixer, a);
  t.ok(a.framesWith(1000) >= 60, `all 60 frames heard (${a.framesWith(1000)})`);
  t.equal(mixer.stats().framesConcealed, 0, 'nothing concealed');
});

t.test('a packet later than the playout depth is dropped and its frame concealed; the stream goes on', async (t) => {
  const mixer = open(t);
  const [a, b] = [await RtpParty.open(t), await RtpParty.open(t)];
  await mixer.add('a', { ...PCMU, hears: ['b'] });
  const atB = await mixer.add('b', { ...PCMU, hears: [] });
  mixer.setRemote('a', a.endpoint);
  const schedule = RtpParty.paced(b.tone(60, { freqHz: 1000 })).map((s, i) => (i === 30 ? { ...s, atMs: s.atMs + 200 } : s));
  await b.play(atB, schedule);
  await settle(mixer, a);
  const s = mixer.stats();
  t.equal(s.framesConcealed, 1, 'the one frame concealed');
  t.equal(s.framesIn, 59, 'the late packet was not taken');
  t.ok(a.framesWith(1000) >= 60, `still a tone in every frame: the gap is the last frame at half gain (${a.framesWith(1000)})`);
});

t.test('a new SSRC (another source takes over the leg) is followed without a gap', async (t) => {
  const mixer = open(t);
  const [a, b] = [await RtpParty.open(t), await RtpParty.open(t)];
  await mixer.add('a', { ...PCMU, hears: ['b'] });
  const atB = await mixer.add('b', { ...PCMU, hears: [] });
  mixer.setRemote('a', a.endpoint);
  const first = b.tone(30, { freqHz: 1000, ssrc: 1 });
  b.restart();
  const second = b.tone(30, { freqHz: 400, ssrc: 2 });
  await b.play(atB, RtpParty.paced([...first, ...second]));
  await settle(mixer, a);
  t.ok(a.framesWith(1000) >= 30, `the first source heard (${a.framesWith(1000)})`);
  t.ok(a.framesWith(400) >= 30, `the second source heard (${a.framesWith(400)})`);
  t.equal(mixer.stats().framesConcealed, 0, 'no loss at the switch');
});

t.test('bad packets are dropped without harm; the audio around them is intact', async (t) => {
  const mixer = open(t);
  const [a, b] = [await RtpParty.open(t), await RtpParty.open(t)];
  await mixer.add('a', { ...PCMU, hears: ['b'] });
  const atB = await mixer.add('b', { ...PCMU, hears: [] });
  mixer.setRemote('a', a.endpoint);
  const junk = [
    Buffer.alloc(0), Buffer.from('hello'), Buffer.from([0x80, 0x00, 0, 1]), // empty, text, short
    Buffer.from([0x40, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xff]), // RTP version 1
    Buffer.from([0x81, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // RTCP sender report
    rtpPacket({ pt: 18, seq: 1, ts: 1, ssrc: 0x1000, payload: Buffer.alloc(20) }), // G.729
    rtpPacket({ pt: 13, seq: 2, ts: 2, ssrc: 0x1000, payload: Buffer.from([40]) }), // comfort noise
    rtpPacket({ pt: 0, seq: 3, ts: 3, ssrc: 0x1000, payload: Buffer.alloc(0) }), // no payload
    rtpPacket({ pt: 0, seq: 4, ts: 4, ssrc: 0x1000, payload: Buffer.alloc(4000, 0x10) }), // half a second in one packet
    rtpPacket({ pt: 101, seq: 5, ts: 5, ssrc: 0x1000, payload: Buffer.from([1]) }), // a truncated key event
    Buffer.from([0xbf, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), // 15 CSRCs announced, none there
  ];
  const schedule = RtpParty.paced(b.tone(50, { freqHz: 1000 }));
  junk.forEach((packet, i) => schedule.push({ atMs: 100 + i * 60 + 7, packet }));
  const dtmf: string[] = [];
  mixer.on('dtmf', (id, d) => dtmf.push(`${id}:${d}`));
  await b.play(atB, schedule);
  await settle(mixer, a);
  t.equal(mixer.stats().framesIn, 50, 'only the 50 good packets went in');
  t.ok(a.framesWith(1000) >= 50, `all 50 frames heard (${a.framesWith(1000)})`);
  t.equal(mixer.stats().framesConcealed, 0);
  t.same(dtmf, [], 'no key from junk');
});

t.test('RFC 4733 keys are reported once each and are not mixed', async (t) => {
  const mixer = open(t);
  const [a, b] = [await RtpParty.open(t), await RtpParty.open(t)];
  await mixer.add('a', { ...PCMU, hears: ['b'] });
  const atB = await mixer.add('b', { ...PCMU, hears: [] });
  mixer.setRemote('a', a.endpoint);
  const dtmf: string[] = [];
  mixer.on('dtmf', (id, d) => dtmf.push(`${id}:${d}`));
  const tone = { freqHz: 1000 };
  const packets = [...b.tone(10, tone)];
  const five = b.key(5, { payloadType: 101 });
  packets.push(...five, ...b.tone(5, tone), ...b.key(11, { payloadType: 101 }), ...b.tone(5, tone), ...b.key(10, { payloadType: 101 }), ...b.key(5, { payloadType: 101 }), ...b.tone(10, tone));
  const schedule: Scheduled[] = [];
  let at = 0;
  for (let i = 0; i < packets.length; i++) {
    // The three copies of an end packet go out together.
    if (i > 0 && !packets[i]?.equals(packets[i - 1] as Buffer)) at += 20;
    schedule.push({ atMs: at, packet: packets[i] as Buffer });
  }
  schedule.push({ atMs: at + 5, packet: five[1] as Buffer }); // a stale update of the first 5, long after
  await b.play(atB, schedule);
  await settle(mixer, a);
  t.same(dtmf, ['b:5', 'b:#', 'b:*', 'b:5'], 'each key once, * and # by name');
  t.ok(a.framesWith(1000) >= 30, `a hears B's 30 frames of tone (${a.framesWith(1000)})`);
  t.equal(mixer.stats().framesConcealed, 0, 'the keys\' time is silence, not a loss');
  t.ok(a.maxShare(1000) > 0.9, 'and nothing of the keys is mixed in');
});

t.test('10 ms and 30 ms packets are re-framed to 20 ms', async (t) => {
  const mixer = open(t);
  const [a, b, c] = [await RtpParty.open(t), await RtpParty.open(t), await RtpParty.open(t)];
  await mixer.add('a', { ...PCMU, hears: ['b', 'c'] });
  const atB = await mixer.add('b', { ...PCMU, hears: [] });
  const atC = await mixer.add('c', { ...PCMA, hears: [] });
  mixer.setRemote('a', a.endpoint);
  await Promise.all([
    b.play(atB, RtpParty.paced(b.tone(100, { freqHz: 1000, samples: 80 }), 10)),
    c.play(atC, RtpParty.paced(c.tone(34, { freqHz: 400, samples: 240, codec: 'PCMA' }), 30)),
  ]);
  await settle(mixer, a);
  t.ok(a.heard.every((h) => h.samples.length === 160), 'a gets 20 ms packets');
  t.ok(a.framesWith(1000) >= 50, `a hears b's 10 ms packets as one second of tone (${a.framesWith(1000)} frames)`);
  t.ok(a.framesWith(400) >= 50, `and c's 30 ms packets too (${a.framesWith(400)} frames)`);
  t.equal(mixer.stats().framesConcealed, 0);
});

t.test('a party is sent nothing until its remote is known, then latched from what it sends; silence when it hears nobody', async (t) => {
  const mixer = open(t);
  const [a, b] = [await RtpParty.open(t), await RtpParty.open(t)];
  const atA = await mixer.add('a', { ...PCMU, hears: [] });
  await settle(mixer);
  t.equal(a.heard.length, 0, 'nothing before the remote is known');
  a.send(a.tone(1, { freqHz: 400 })[0] as Buffer, atA);
  await waitUntil(() => a.heard.length >= 5, { timeoutMs: 2000, what: 'silence packets to a' });
  t.equal(a.soundFrames(), 0, 'silence packets to the latched source');
  // The leg moves (rtpengine re-anchors it): the newest source wins.
  b.send(b.tone(1, { freqHz: 400 })[0] as Buffer, atA);
  await waitUntil(() => b.heard.length >= 3, { timeoutMs: 2000, what: 'packets to the new source' });
  t.pass('the mix follows the new source');
});

t.test('the clock does not drift: packets sent match the time elapsed within one', async (t) => {
  const mixer = open(t);
  const a = await RtpParty.open(t);
  await mixer.add('a', { ...PCMU, hears: [] });
  mixer.setRemote('a', a.endpoint);
  await waitUntil(() => a.heard.length >= 161, { timeoutMs: 6000, what: '3 s of packets' });
  // 150 packets after the 10th: a timer re-armed every 20 ms would be late by its own lateness each time (~1 ms × 150).
  const [first, last] = [a.heard[10], a.heard[160]] as [{ at: number }, { at: number }];
  const elapsed = last.at - first.at;
  t.ok(Math.abs(150 - elapsed / 20) <= 1, `150 packets in ${elapsed.toFixed(1)} ms (expected ${(elapsed / 20).toFixed(1)} ± 1)`);
  const s = mixer.stats();
  t.ok(s.busyMs > 0 && s.busyMs < elapsed / 10, `busy ${s.busyMs.toFixed(2)} ms of ${elapsed.toFixed(0)}`);
});

t.test('misuse is a typed error', async (t) => {
  t.throws(() => Mixer.open({ jitterFrames: 99 }), { code: 'MIXER_BAD_OPTION' });
  const mixer = open(t);
  await mixer.add('a', { ...PCMU, hears: [] });
  await t.rejects(mixer.add('a', { ...PCMU, hears: [] }), { code: 'MIXER_DUPLICATE_PARTICIPANT' });
  await t.rejects(mixer.add('x', { codec: 'G729' as 'PCMU', payloadType: 18, hears: [] }), { code: 'MIXER_BAD_OPTION' });
  t.throws(() => mixer.setHears('nobody', ['a']), { code: 'MIXER_UNKNOWN_PARTICIPANT' });
  t.throws(() => mixer.setRemote('nobody', { address: '127.0.0.1', port: 9 }), { code: 'MIXER_UNKNOWN_PARTICIPANT' });
  await mixer.close();
  await t.rejects(mixer.add('b', { ...PCMU, hears: [] }), { code: 'MIXER_CLOSED' });
  t.equal(mixer.stats().participants, 0, 'close() removed everyone');
  await mixer.close();
  t.pass('close() twice is harmless');
});
