import t from 'tap';
import { DtmfEvents, eventDuration } from './dtmf-events.js';

const ev = (event: number, end: boolean, duration: number) => Uint8Array.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
const pkt = (sequence: number, timestamp: number, payload: Uint8Array, ssrc = 1) => ({ ssrc, sequence, timestamp, payload });

/** Feeds packets, returns the digits reported. */
function feed(d: DtmfEvents, packets: ReturnType<typeof pkt>[]): string[] {
  return packets.map((p) => d.onPacket(p)).filter((x): x is string => x !== undefined);
}

t.test('one digit per key: updates and the three end packets are the same key', async (t) => {
  const d = new DtmfEvents();
  const key = [pkt(10, 800, ev(5, false, 160)), pkt(11, 800, ev(5, false, 320)), pkt(12, 800, ev(5, true, 480)), pkt(12, 800, ev(5, true, 480)), pkt(12, 800, ev(5, true, 480))];
  t.same(feed(d, key), ['5']);
  t.same(feed(d, [pkt(13, 1600, ev(10, false, 160)), pkt(14, 1600, ev(10, true, 320)), pkt(15, 1600, ev(10, true, 320))]), ['*'], 'a new timestamp is a new key; 10 is *');
  t.same(feed(d, [pkt(16, 2400, ev(11, true, 160))]), ['#'], 'a key seen only by its end packet still counts; 11 is #');
});

t.test('stale and repeated packets never make a second key', async (t) => {
  const d = new DtmfEvents();
  t.same(feed(d, [pkt(20, 100, ev(1, false, 160)), pkt(22, 100, ev(1, true, 480)), pkt(21, 100, ev(1, false, 320)), pkt(20, 100, ev(1, false, 160))]), ['1'],
    'an update arriving after the end (reordered) is ignored');
  t.same(feed(new DtmfEvents(), [pkt(65535, 900, ev(2, false, 160)), pkt(0, 900, ev(2, true, 320)), pkt(1, 1700, ev(2, false, 160))]), ['2', '2'], 'across the sequence number wrap');
});

t.test('a sender replaying one timestamp: a key after an end is new', async (t) => {
  const d = new DtmfEvents();
  t.same(feed(d, [pkt(1, 500, ev(3, false, 160)), pkt(2, 500, ev(3, true, 320)), pkt(3, 500, ev(3, false, 160)), pkt(4, 500, ev(3, true, 320))]), ['3', '3']);
});

t.test('a new SSRC starts afresh; events beyond # and short payloads are not digits', async (t) => {
  const d = new DtmfEvents();
  t.same(feed(d, [pkt(100, 7, ev(4, false, 160), 1), pkt(5, 7, ev(4, false, 160), 2)]), ['4', '4'], 'the same timestamp from another source is another key');
  t.same(feed(d, [pkt(6, 900, ev(12, false, 160), 2), pkt(7, 1000, ev(16, false, 160), 2)]), [], 'A-D and flash are not reported');
  t.same(feed(d, [pkt(8, 1100, Uint8Array.from([7, 0x80]), 2)]), [], 'a truncated payload');
  t.equal(eventDuration(ev(1, true, 1234)), 1234);
  t.equal(eventDuration(Uint8Array.from([1])), 0);
});
