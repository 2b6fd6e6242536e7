/**
 * Evaluation of `time_switch` rules: weekly business hours, holiday calendars and date ranges, all
 * read on the box's wall clock (an IANA zone such as Asia/Shanghai), so "09:00" means 09:00 where the
 * box is, whatever the host's TZ and across DST changes.
 */
import { CodedError } from '../../drivers/coded-error.js';
import type { HolidayCalendar, NodeId, TimeSwitchNode, WeeklyRule } from './flow-types.js';

export type TimeRuleErrorCode = 'TIME_RULE_BAD_DAYS' | 'TIME_RULE_BAD_TIME' | 'TIME_RULE_BAD_DATE' | 'TIME_RULE_BAD_ZONE' | 'TIME_RULE_NO_CALENDAR';

export class TimeRuleError extends CodedError<TimeRuleErrorCode> {}

export type TimeRule = TimeSwitchNode['rules'][number];

/** A moment as the box's wall clock shows it. */
export interface LocalClock {
  /** Calendar date, `YYYY-MM-DD`. */
  date: string;
  /** 0 = Sunday … 6 = Saturday (as `Date#getDay`). */
  weekday: number;
  /** Minutes since local midnight, 0..1439. */
  minute: number;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  try {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
    formatters.set(timeZone, f);
    return f;
  } catch (err) {
    throw new TimeRuleError('TIME_RULE_BAD_ZONE', `unknown time zone "${timeZone}" (use an IANA name such as Asia/Shanghai)`, { cause: err });
  }
}

/** The wall clock of `timeZone` at `at`. */
export function localClock(at: Date, timeZone: string): LocalClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value;
  const weekday = DAY_NAMES.indexOf((parts.weekday ?? '').toLowerCase().slice(0, 3));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** `mon-fri`, `sat,sun`, `mon-wed,fri`; a range may wrap (`fri-mon`). */
export function parseDays(spec: string): ReadonlySet<number> {
  const days = new Set<number>();
  for (const raw of spec.split(',')) {
    const [a, b, extra] = raw.trim().toLowerCase().split('-').map((s) => s.trim());
    const from = DAY_NAMES.indexOf(a ?? '');
    const to = b === undefined ? from : DAY_NAMES.indexOf(b);
    if (from < 0 || to < 0 || extra !== undefined) {
      throw new TimeRuleError('TIME_RULE_BAD_DAYS', `bad days "${spec}": use mon..sun, lists and ranges such as "mon-fri" or "mon-wed,fri"`);
    }
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return days;
}

/** `HH:MM` → minutes since midnight; `24:00` is allowed as an end. */
export function parseClockTime(hhmm: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!(minutes <= 24 * 60)) throw new TimeRuleError('TIME_RULE_BAD_TIME', `bad time "${hhmm}": use HH:MM (00:00-24:00)`);
  return minutes;
}

/**
 * One weekly rule: `from` inclusive, `to` exclusive. When `to` is not after `from` the span runs over
 * midnight into the next day (`fri 22:00-02:00` covers Saturday 01:00); `from` = `to` is a full 24 h.
 */
export function inWeeklyRule(rule: WeeklyRule, clock: LocalClock): boolean {
  const days = parseDays(rule.days);
  const from = parseClockTime(rule.from);
  const to = parseClockTime(rule.to);
  if (from >= 24 * 60) throw new TimeRuleError('TIME_RULE_BAD_TIME', `bad start "${rule.from}": 24:00 can only end a span`);
  if (to > from) return days.has(clock.weekday) && clock.minute >= from && clock.minute < to;
  const yesterday = (clock.weekday + 6) % 7;
  return (days.has(clock.weekday) && clock.minute >= from) || (days.has(yesterday) && clock.minute < to);
}

export function inWeeklyHours(hours: readonly WeeklyRule[], at: Date, timeZone: string): boolean {
  const clock = localClock(at, timeZone);
  return hours.some((rule) => inWeeklyRule(rule, clock));
}

/** `YYYY-MM-DD` that names a real calendar day. */
export function checkDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const real = m !== null && mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (!real) throw new TimeRuleError('TIME_RULE_BAD_DATE', `bad date "${date}": use YYYY-MM-DD`);
  return date;
}

/** The holiday's name when the box's date at `at` is in the calendar (empty name → the date). */
export function holidayName(calendar: HolidayCalendar, at: Date, timeZone: string): string | undefined {
  const { date } = localClock(at, timeZone);
  for (const day of Object.keys(calendar.dates)) checkDate(day);
  const name = calendar.dates[date];
  return name === undefined ? undefined : name || date;
}

/** Both ends inclusive, box-time-zone dates. */
export function inDateRange(from: string, to: string, at: Date, timeZone: string): boolean {
  if (checkDate(from) > checkDate(to)) throw new TimeRuleError('TIME_RULE_BAD_DATE', `date range ${from}..${to} ends before it starts`);
  const { date } = localClock(at, timeZone);
  return date >= from && date <= to;
}

export function timeRuleMatches(rule: TimeRule, at: Date, timeZone: string, calendars: Record<string, HolidayCalendar>): boolean {
  switch (rule.kind) {
    case 'weekly': return inWeeklyHours(rule.hours, at, timeZone);
    case 'date_range': return inDateRange(rule.from, rule.to, at, timeZone);
    case 'holiday': {
      const calendar = calendars[rule.calendar];
      if (!calendar) throw new TimeRuleError('TIME_RULE_NO_CALENDAR', `no holiday calendar "${rule.calendar}" in the flow`);
      return holidayName(calendar, at, timeZone) !== undefined;
    }
  }
}

/** Where a `time_switch` goes at `at`: the first matching rule's `next` (with its index), else `otherwise`. */
export function timeSwitchTarget(
  node: TimeSwitchNode, at: Date, timeZone: string, calendars: Record<string, HolidayCalendar> = {},
): { next: NodeId; rule: number | undefined } {
  const index = node.rules.findIndex((rule) => timeRuleMatches(rule, at, timeZone, calendars));
  const rule = node.rules[index];
  return rule ? { next: rule.next, rule: index } : { next: node.otherwise, rule: undefined };
}
