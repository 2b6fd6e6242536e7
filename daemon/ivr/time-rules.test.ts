import t from 'tap';
import type { TimeSwitchNode } from './flow-types.js';
import {
  holidayName, inDateRange, inWeeklyHours, localClock, parseDays, parseClockTime, timeSwitchTarget, TimeRuleError,
} from './time-rules.js';

const at = (iso: string) => new Date(iso);
const OFFICE = [{ days: 'mon-fri', from: '09:00', to: '18:00' }];

t.test('the wall clock is read in the box time zone, not the host one', async (t) => {
  // 2026-12-25 is a Friday; 01:30 UTC is 09:30 in Shanghai and 20:30 the day before in New York.
  t.same(localClock(at('2026-12-25T01:30:00Z'), 'Asia/Shanghai'), { date: '2026-12-25', weekday: 5, minute: 9 * 60 + 30 });
  t.same(localClock(at('2026-12-25T01:30:00Z'), 'UTC'), { date: '2026-12-25', weekday: 5, minute: 90 });
  t.same(localClock(at('2026-12-25T01:30:00Z'), 'America/New_York'), { date: '2026-12-24', weekday: 4, minute: 20 * 60 + 30 });
  t.same(localClock(at('2026-12-24T16:00:00Z'), 'Asia/Shanghai'), { date: '2026-12-25', weekday: 5, minute: 0 }, 'midnight is minute 0, not 24:00');
});

t.test('weekly hours: the same instant is open in Shanghai and closed in UTC and New York', async (t) => {
  const instant = at('2026-12-25T01:30:00Z');
  t.equal(inWeeklyHours(OFFICE, instant, 'Asia/Shanghai'), true);
  t.equal(inWeeklyHours(OFFICE, instant, 'UTC'), false);
  t.equal(inWeeklyHours(OFFICE, instant, 'America/New_York'), false);
  t.equal(inWeeklyHours(OFFICE, at('2026-12-25T10:00:00Z'), 'Asia/Shanghai'), false, '18:00 is already closed (to is exclusive)');
  t.equal(inWeeklyHours(OFFICE, at('2026-12-25T09:59:00Z'), 'Asia/Shanghai'), true, '17:59 is open');
  t.equal(inWeeklyHours(OFFICE, at('2026-12-26T03:00:00Z'), 'Asia/Shanghai'), false, 'Saturday 11:00 is closed');
  t.equal(inWeeklyHours([...OFFICE, { days: 'sat,sun', from: '10:00', to: '14:00' }], at('2026-12-26T03:00:00Z'), 'Asia/Shanghai'), true, 'weekend hours');
});

t.test('weekly hours follow the local clock across a DST change (New York, 2026-03-08)', async (t) => {
  const ny = 'America/New_York';
  const morning = [{ days: 'mon-fri', from: '09:00', to: '17:00' }];
  t.equal(inWeeklyHours(morning, at('2026-03-06T13:30:00Z'), ny), false, 'Fri before: 13:30 UTC is 08:30 EST');
  t.equal(inWeeklyHours(morning, at('2026-03-09T13:30:00Z'), ny), true, 'Mon after: 13:30 UTC is 09:30 EDT');
  const night = [{ days: 'sun', from: '01:00', to: '04:00' }];
  t.equal(inWeeklyHours(night, at('2026-03-08T06:30:00Z'), ny), true, '01:30 EST, before the jump');
  t.equal(inWeeklyHours(night, at('2026-03-08T07:30:00Z'), ny), true, '03:30 EDT, after the jump: only one real hour later');
  t.equal(inWeeklyHours(night, at('2026-03-08T08:30:00Z'), ny), false, '04:30 EDT');
  t.equal(inWeeklyHours([{ days: 'sun', from: '09:00', to: '10:00' }], at('2026-11-01T14:30:00Z'), ny), true, 'fall back: 14:30 UTC is 09:30 EST');
  t.equal(inWeeklyHours([{ days: 'sun', from: '09:00', to: '10:00' }], at('2026-11-01T13:30:00Z'), ny), false, '13:30 UTC is 08:30 EST');
});

t.test('a span that ends before it starts runs over midnight into the next day', async (t) => {
  const late = [{ days: 'fri', from: '22:00', to: '02:00' }];
  const sh = 'Asia/Shanghai';
  t.equal(inWeeklyHours(late, at('2026-12-25T14:30:00Z'), sh), true, 'Fri 22:30');
  t.equal(inWeeklyHours(late, at('2026-12-25T17:30:00Z'), sh), true, 'Sat 01:30 belongs to Friday\'s span');
  t.equal(inWeeklyHours(late, at('2026-12-25T18:00:00Z'), sh), false, 'Sat 02:00 is the exclusive end');
  t.equal(inWeeklyHours(late, at('2026-12-24T17:30:00Z'), sh), false, 'Fri 01:30 belongs to Thursday, which is not listed');
  t.equal(inWeeklyHours([{ days: 'sun', from: '00:00', to: '00:00' }], at('2026-12-27T15:59:00Z'), sh), true, 'from = to is the whole day');
  t.equal(inWeeklyHours([{ days: 'mon', from: '18:00', to: '24:00' }], at('2026-12-28T15:59:00Z'), sh), true, '24:00 ends at midnight');
});

t.test('day lists and ranges', async (t) => {
  t.same([...parseDays('mon-fri')].sort(), [1, 2, 3, 4, 5]);
  t.same([...parseDays('sat,sun')].sort(), [0, 6]);
  t.same([...parseDays('mon-wed,fri')].sort(), [1, 2, 3, 5]);
  t.same([...parseDays('Fri - Mon')].sort(), [0, 1, 5, 6], 'a range wraps over the week end, case and spaces do not matter');
  for (const bad of ['monday', 'mon-', 'mon-tue-wed', '', 'mon,,fri']) {
    t.throws(() => parseDays(bad), { code: 'TIME_RULE_BAD_DAYS' }, `"${bad}"`);
  }
  t.equal(parseClockTime('09:05'), 545);
  for (const bad of ['9:00', '24:01', '12:60', 'noon']) t.throws(() => parseClockTime(bad), { code: 'TIME_RULE_BAD_TIME' }, bad);
  t.throws(() => inWeeklyHours([{ days: 'mon', from: '24:00', to: '01:00' }], new Date(), 'UTC'), { code: 'TIME_RULE_BAD_TIME' });
});

t.test('holidays are box-time-zone dates with names', async (t) => {
  const cn = { dates: { '2026-10-01': 'National Day', '2026-12-25': '' } };
  t.equal(holidayName(cn, at('2026-09-30T16:30:00Z'), 'Asia/Shanghai'), 'National Day', '00:30 on Oct 1 in Shanghai');
  t.equal(holidayName(cn, at('2026-09-30T16:30:00Z'), 'UTC'), undefined, 'still Sep 30 in UTC');
  t.equal(holidayName(cn, at('2026-12-25T12:00:00Z'), 'UTC'), '2026-12-25', 'an unnamed holiday answers its date');
  t.throws(() => holidayName({ dates: { '2026-02-30': 'x' } }, new Date(), 'UTC'), { code: 'TIME_RULE_BAD_DATE' });
});

t.test('date ranges include both ends', async (t) => {
  const sh = 'Asia/Shanghai';
  t.equal(inDateRange('2026-12-20', '2026-12-31', at('2026-12-19T16:00:00Z'), sh), true, 'first day, 00:00 local');
  t.equal(inDateRange('2026-12-20', '2026-12-31', at('2026-12-31T15:59:00Z'), sh), true, 'last day, 23:59 local');
  t.equal(inDateRange('2026-12-20', '2026-12-31', at('2026-12-31T16:00:00Z'), sh), false, 'the day after');
  t.equal(inDateRange('2026-12-20', '2026-12-20', at('2026-12-20T05:00:00Z'), sh), true, 'a one-day range');
  t.throws(() => inDateRange('2026-12-31', '2026-12-20', new Date(), sh), { code: 'TIME_RULE_BAD_DATE' });
  t.throws(() => inDateRange('2026-13-01', '2026-12-20', new Date(), sh), { code: 'TIME_RULE_BAD_DATE' });
});

t.test('a time switch takes the first matching rule, else otherwise', async (t) => {
  const node: TimeSwitchNode = {
    type: 'time_switch',
    rules: [
      { kind: 'holiday', calendar: 'cn', next: 'holiday' },
      { kind: 'date_range', from: '2026-12-20', to: '2026-12-31', next: 'promo' },
      { kind: 'weekly', hours: OFFICE, next: 'open' },
    ],
    otherwise: 'closed',
  };
  const calendars = { cn: { dates: { '2026-12-25': 'Christmas' } } };
  const sh = 'Asia/Shanghai';
  t.same(timeSwitchTarget(node, at('2026-12-25T02:00:00Z'), sh, calendars), { next: 'holiday', rule: 0 }, 'holiday beats the promotion and the hours');
  t.same(timeSwitchTarget(node, at('2026-12-24T02:00:00Z'), sh, calendars), { next: 'promo', rule: 1 });
  t.same(timeSwitchTarget(node, at('2026-12-08T02:00:00Z'), sh, calendars), { next: 'open', rule: 2 });
  t.same(timeSwitchTarget(node, at('2026-12-08T12:00:00Z'), sh, calendars), { next: 'closed', rule: undefined });
  t.throws(() => timeSwitchTarget(node, new Date(), sh, {}), { code: 'TIME_RULE_NO_CALENDAR' });
  const err = t.throws(() => timeSwitchTarget(node, new Date(), 'Mars/Olympus', calendars));
  t.ok(err instanceof TimeRuleError && err.code === 'TIME_RULE_BAD_ZONE', 'unknown zone is a typed error');
});
