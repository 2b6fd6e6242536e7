/**
 * Wall-clock times in the box's time zone (config box.time_zone) for the CLI: what the installer
 * types and reads is local time at the box, whatever zone the shell runs in.
 */

/** A date and time as typed; `offsetMinutes` null = in the box's zone. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  offsetMinutes: number | null;
}

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `2024-05-01`, `2024-05-01T08:30`, `2024-05-01 08:30:15`, `2024-05-01T08:30:00+08:00`, `…Z`; undefined when not one. */
export function parseWallTime(text: string): WallTime | undefined {
  const m = WALL_TIME.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const w: WallTime = { year, month, day, hour, minute, second, offsetMinutes: offsetMinutes(m[7]) };
  // Date.UTC rolls 2024-02-30 over to March: a date that does not come back unchanged does not exist.
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const same = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute;
  return same && second < 60 ? w : undefined;
}

function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined) return null;
  if (zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return zone.startsWith('-') ? -minutes : minutes;
}

/** Epoch ms of a wall time; without its own offset it is read in `timeZone` (DST handled). */
export function wallTimeToEpoch(w: WallTime, timeZone: string): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  if (w.offsetMinutes !== null) return asUtc - w.offsetMinutes * 60_000;
  const first = asUtc - zoneOffsetMs(asUtc, timeZone);
  // Near a DST change the offset at the guess can differ from the offset at the answer.
  return asUtc - zoneOffsetMs(first, timeZone);
}

/** `YYYY-MM-DD HH:MM:SS` at the box. */
export function formatBoxTime(epochMs: number, timeZone: string): string {
  const p = parts(epochMs, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

function parts(epochMs: number, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const list = formatter(timeZone).formatToParts(epochMs);
  const get = (type: Intl.DateTimeFormatPartTypes) => list.find((x) => x.type === type)?.value ?? '00';
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building one costs more than formatting a row with it. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** How far `timeZone` is ahead of UTC at that instant. */
function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const p = parts(epochMs, timeZone);
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(epochMs / 1000) * 1000;
}
