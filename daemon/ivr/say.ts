/**
 * The `say` node's words: a value (digits, number, amount, date, time) → the ids of the recorded
 * fragments (`num.*`, `cur.*`, `month.*`, …, see docs/sounds.md) that speak it in zh-CN or en.
 * Pure; the runner checks the ids against the prompt store and plays them in order.
 */
import { CodedError } from '../../drivers/coded-error.js';
import type { Language, SayKind } from './flow-types.js';

export type SayErrorCode = 'SAY_BAD_VALUE';

export class SayError extends CodedError<SayErrorCode> {}

/** Largest integer part we can speak: 9999亿 in zh, 999 billion … in en. */
const MAX_INTEGER = 999_999_999_999;

const num = (n: number): string => `num.${n}`;

function bad(kind: SayKind, value: string, why: string): SayError {
  return new SayError('SAY_BAD_VALUE', `cannot say "${value}" as ${kind}: ${why}`);
}

export function sayPrompts(kind: SayKind, value: string, language: Language): string[] {
  const v = value.trim();
  switch (kind) {
    case 'digits': return sayDigits(v, language);
    case 'number': return sayNumber(v, language);
    case 'amount': return sayAmount(v, language);
    case 'date': return sayDate(v, language);
    case 'time': return sayTime(v, language);
  }
}

/** One fragment per digit; zh reads 1 as 幺 as in phone numbers. Spaces, `-`, `+`, brackets are formatting. */
function sayDigits(value: string, language: Language): string[] {
  const chars = value.replace(/[\s\-+()]/g, '');
  if (!/^[0-9*#]{1,64}$/.test(chars)) throw bad('digits', value, 'use 1-64 of 0-9 * #');
  return [...chars].map((c) => {
    if (c === '*') return 'key.star';
    if (c === '#') return 'key.hash';
    return language === 'zh-CN' && c === '1' ? 'num.yao' : num(Number(c));
  });
}

function sayNumber(value: string, language: Language): string[] {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) throw bad('number', value, 'use digits with an optional - and decimal point (1234.5)');
  const whole = Number(m[2]);
  if (whole > MAX_INTEGER) throw bad('number', value, 'too large');
  const out = m[1] ? ['num.minus'] : [];
  out.push(...integer(whole, language));
  if (m[3]) out.push('num.point', ...[...m[3]].map((d) => num(Number(d))));
  return out;
}

function sayAmount(value: string, language: Language): string[] {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) throw bad('amount', value, 'use a money value with at most two decimals (12.50)');
  const whole = Number(m[2]);
  if (whole > MAX_INTEGER) throw bad('amount', value, 'too large');
  const cents = Number((m[3] ?? '').padEnd(2, '0'));
  const out = m[1] ? ['num.minus'] : [];
  out.push(...(language === 'zh-CN' ? zhMoney(whole, cents) : enMoney(whole, cents)));
  return out;
}

/** 十二元五角, 十二元零五分, 十二元整, 五角. */
function zhMoney(yuan: number, cents: number): string[] {
  const jiao = Math.floor(cents / 10);
  const fen = cents % 10;
  const out: string[] = [];
  if (yuan > 0 || cents === 0) out.push(...zhInteger(yuan), 'cur.yuan');
  if (cents === 0 && yuan > 0) out.push('cur.zheng');
  if (jiao > 0) out.push(num(jiao), 'cur.jiao');
  if (fen > 0) out.push(...(jiao === 0 && yuan > 0 ? ['num.0'] : []), num(fen), 'cur.fen');
  return out;
}

/** twelve dollars and fifty cents, one dollar, fifty cents. */
function enMoney(dollars: number, cents: number): string[] {
  const out: string[] = [];
  if (dollars > 0 || cents === 0) out.push(...enInteger(dollars), dollars === 1 ? 'cur.dollar' : 'cur.dollars');
  if (cents > 0) out.push(...(out.length ? ['word.and'] : []), ...enInteger(cents), cents === 1 ? 'cur.cent' : 'cur.cents');
  return out;
}

function sayDate(value: string, language: Language): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const real = y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (!real) throw bad('date', value, 'use a real date as YYYY-MM-DD');
  if (language === 'en') return [`month.${mo}`, `ord.${d}`, ...enYear(y)];
  // 二〇二六年十二月二十五日: the year digit by digit.
  return [...[...String(y)].map((c) => num(Number(c))), 'date.year', `month.${mo}`, ...zhInteger(d), 'date.day'];
}

/** twenty twenty-six, nineteen oh five, nineteen hundred, two thousand five. */
function enYear(y: number): string[] {
  const hi = Math.floor(y / 100);
  const lo = y % 100;
  if (y % 1000 < 10 && hi % 10 === 0) return enInteger(y);
  if (lo === 0) return [...enInteger(hi), 'num.hundred'];
  return [...enInteger(hi), ...(lo < 10 ? ['num.oh', num(lo)] : enInteger(lo))];
}

function sayTime(value: string, language: Language): string[] {
  const m = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(value);
  const [h, min] = m ? [Number(m[1]), Number(m[2])] : [99, 99];
  if (h > 23 || min > 59) throw bad('time', value, 'use HH:MM, 00:00-23:59');
  return language === 'zh-CN' ? zhTime(h, min) : enTime(h, min);
}

/** 凌晨 before 6, 上午 to 12, 中午 in the 12 o'clock hour, 下午 after; 两点 for 2. */
function zhTime(h: number, min: number): string[] {
  const period = h < 6 ? 'time.early-morning' : h < 12 ? 'time.am' : h === 12 ? 'time.noon' : 'time.pm';
  const hour = h > 12 ? h - 12 : h;
  const out = [period, ...(hour === 2 ? ['num.liang'] : zhInteger(hour)), 'time.oclock'];
  if (min === 0) return out;
  return [...out, ...(min < 10 ? ['num.0', num(min)] : zhInteger(min)), 'time.minute'];
}

/** six thirty p.m., six oh five p.m., six p.m., noon. */
function enTime(h: number, min: number): string[] {
  if (h === 12 && min === 0) return ['time.noon'];
  const hour = h % 12 === 0 ? 12 : h % 12;
  const minutes = min === 0 ? [] : min < 10 ? ['num.oh', num(min)] : enInteger(min);
  return [...enInteger(hour), ...minutes, h < 12 ? 'time.am' : 'time.pm'];
}

function integer(n: number, language: Language): string[] {
  return language === 'zh-CN' ? zhInteger(n) : enInteger(n);
}

/**
 * 一万二千三百四十五: groups of four under 万/亿; one 零 for a run of zeros inside the number (zeros at
 * the end of a group are carried by its 万/亿); 十五 not 一十五 at the start; 两 for a leading 2 before
 * 百/千/万/亿 (两千, 两万), 二 elsewhere (一万二千, 二十二).
 */
export function zhInteger(n: number): string[] {
  if (n === 0) return ['num.0'];
  const out: string[] = [];
  let zero = false;
  for (let group = 2; group >= 0; group--) {
    const g = Math.floor(n / 10_000 ** group) % 10_000;
    for (let place = 3; place >= 0; place--) {
      const d = Math.floor(g / 10 ** place) % 10;
      if (d === 0) {
        zero ||= out.length > 0;
        continue;
      }
      if (zero) out.push('num.0');
      zero = false;
      out.push(...zhDigit(d, place, out.length === 0, group > 0));
    }
    if (g > 0 && group > 0) {
      out.push(group === 2 ? 'num.yi' : 'num.wan');
      zero = false;
    }
  }
  // 十五 as the single fragment num.15: smoother than 十 + 五.
  if (out[0] === 'num.10' && /^num\.[1-9]$/.test(out[1] ?? '')) out.splice(0, 2, `num.${10 + Number((out[1] ?? '').slice(4))}`);
  return out;
}

function zhDigit(d: number, place: number, first: boolean, beforeGroupUnit: boolean): string[] {
  const liang = d === 2 && first;
  switch (place) {
    case 3: return [liang ? 'num.liang' : num(d), 'num.thousand'];
    case 2: return [liang ? 'num.liang' : num(d), 'num.hundred'];
    case 1: return d === 1 && first ? ['num.10'] : d === 1 ? ['num.1', 'num.10'] : [num(d * 10)];
    default: return [liang && beforeGroupUnit ? 'num.liang' : num(d)];
  }
}

/** twelve thousand three hundred forty five: groups of three under thousand/million/billion. */
export function enInteger(n: number): string[] {
  if (n === 0) return ['num.0'];
  const out: string[] = [];
  const scales: Array<[number, string | undefined]> = [[1e9, 'num.billion'], [1e6, 'num.million'], [1e3, 'num.thousand'], [1, undefined]];
  for (const [size, word] of scales) {
    const g = Math.floor(n / size) % 1000;
    if (g === 0) continue;
    out.push(...enBelowThousand(g));
    if (word) out.push(word);
  }
  return out;
}

function enBelowThousand(n: number): string[] {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  const out = hundreds > 0 ? [num(hundreds), 'num.hundred'] : [];
  if (rest === 0) return out;
  if (rest < 20) return [...out, num(rest)];
  return [...out, num(rest - (rest % 10)), ...(rest % 10 ? [num(rest % 10)] : [])];
}
