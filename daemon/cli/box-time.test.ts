import t from 'tap';
import { formatBoxTime, parseWallTime, wallTimeToEpoch } from './box-time.js';

const epoch = (text: string, tz: string) => {
  const w = parseWallTime(text);
  if (w === undefined) throw new Error(`not parsed: ${text}`);
  return wallTimeToEpoch(w, tz);
};

t.test('typed dates and date-times are read at the box, unless they carry a zone', async (t) => {
  t.equal(epoch('2024-05-01', 'Asia/Shanghai'), Date.UTC(2024, 3, 30, 16, 0, 0), 'a date is midnight at the box');
  t.equal(epoch('2024-05-01T08:30', 'Asia/Shanghai'), Date.UTC(2024, 4, 1, 0, 30, 0));
  t.equal(epoch('2024-05-01 08:30:15', 'Asia/Shanghai'), Date.UTC(2024, 4, 1, 0, 30, 15));
  t.equal(epoch('2024-05-01T08:30:00Z', 'Asia/Shanghai'), Date.UTC(2024, 4, 1, 8, 30, 0));
  t.equal(epoch('2024-05-01T08:30:00-05:00', 'Asia/Shanghai'), Date.UTC(2024, 4, 1, 13, 30, 0));
  t.equal(epoch('2024-07-01T12:00', 'Europe/Paris'), Date.UTC(2024, 6, 1, 10, 0, 0), 'summer time');
  t.equal(epoch('2024-01-01T12:00', 'Europe/Paris'), Date.UTC(2024, 0, 1, 11, 0, 0), 'winter time');
  t.equal(epoch('2024-03-31T03:30', 'Europe/Paris'), Date.UTC(2024, 2, 31, 1, 30, 0), 'just after the spring change');
});

t.test('what is not a date is refused', async (t) => {
  for (const bad of ['yesterday', '2024-02-30', '2024-13-01', '2024-05-01T25:00', '2024-05-01T08:60', '2024-05-01Z', '24-05-01', '']) {
    t.equal(parseWallTime(bad), undefined, bad);
  }
});

t.test('instants are shown as wall-clock time at the box', async (t) => {
  t.equal(formatBoxTime(Date.UTC(2024, 4, 1, 1, 2, 3), 'Asia/Shanghai'), '2024-05-01 09:02:03');
  t.equal(formatBoxTime(Date.UTC(2024, 4, 1, 16, 0, 0), 'Asia/Shanghai'), '2024-05-02 00:00:00', 'midnight is 00, not 24');
  t.equal(formatBoxTime(Date.UTC(2024, 6, 1, 10, 0, 0), 'Europe/Paris'), '2024-07-01 12:00:00');
});
