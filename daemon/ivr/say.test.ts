import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROMPT_IDS, PROMPTS, type PromptId } from '../../sounds/prompts.js';
import { ROOT } from '../../test/helpers/octoline.js';
import type { Language, SayKind } from './flow-types.js';
import { sayPrompts, SayError } from './say.js';

/** What the fragments say, joined: the check reads like the sentence a caller hears. */
function spoken(kind: SayKind, value: string, lang: Language): string {
  return sayPrompts(kind, value, lang).map((id) => {
    const def = PROMPTS[id as PromptId];
    if (!def) throw new Error(`no prompt ${id}`);
    return def[lang];
  }).join(lang === 'zh-CN' ? '' : ' ');
}

const zh = (kind: SayKind, v: string) => spoken(kind, v, 'zh-CN');
const en = (kind: SayKind, v: string) => spoken(kind, v, 'en');

t.test('zh-CN integers: 万/亿 groups, 零 for inner zeros, 两 before a unit, 十 at the start', async (t) => {
  t.equal(zh('number', '12345'), '一万二千三百四十五');
  t.same(sayPrompts('number', '12345', 'zh-CN'), ['num.1', 'num.wan', 'num.2', 'num.thousand', 'num.3', 'num.hundred', 'num.40', 'num.5']);
  const cases: Array<[string, string]> = [
    ['0', '零'], ['7', '七'], ['10', '十'], ['15', '十五'], ['20', '二十'], ['22', '二十二'], ['110', '一百一十'],
    ['105', '一百零五'], ['200', '两百'], ['2000', '两千'], ['2200', '两千二百'], ['1005', '一千零五'], ['1050', '一千零五十'],
    ['20000', '两万'], ['120000', '十二万'], ['100005', '十万零五'], ['101000', '十万一千'], ['1000000', '一百万'],
    ['105000000', '一亿零五百万'], ['100000005', '一亿零五'], ['100010000', '一亿零一万'], ['200000000', '两亿'],
    ['999999999999', '九千九百九十九亿九千九百九十九万九千九百九十九'],
  ];
  for (const [n, words] of cases) t.equal(zh('number', n), words, n);
  t.equal(zh('number', '-3.14'), '负三点一四');
  t.equal(zh('number', '0.5'), '零点五');
});

t.test('en integers: groups of three, no "and"', async (t) => {
  t.equal(en('number', '12345'), 'twelve thousand three hundred forty five');
  const cases: Array<[string, string]> = [
    ['0', 'zero'], ['13', 'thirteen'], ['40', 'forty'], ['99', 'ninety nine'], ['100', 'one hundred'], ['101', 'one hundred one'],
    ['1000000', 'one million'], ['2000017', 'two million seventeen'], ['1002003004', 'one billion two million three thousand four'],
  ];
  for (const [n, words] of cases) t.equal(en('number', n), words, n);
  t.equal(en('number', '-1234.05'), 'minus one thousand two hundred thirty four point zero five');
});

t.test('digit strings: one fragment per key, zh reads 1 as 幺', async (t) => {
  t.equal(zh('digits', '13800138000'), '幺三八零零幺三八零零零');
  t.equal(en('digits', '1024'), 'one zero two four');
  t.equal(zh('digits', '+86 10-1234*#'), '八六幺零幺二三四星号键井号键', 'formatting dropped, keys spoken');
});

t.test('amounts: 元角分 with 零 and 整; dollars and cents', async (t) => {
  t.equal(zh('amount', '12.50'), '十二元五角');
  t.equal(zh('amount', '12.05'), '十二元零五分');
  t.equal(zh('amount', '12'), '十二元整');
  t.equal(zh('amount', '0.5'), '五角');
  t.equal(zh('amount', '0.05'), '五分');
  t.equal(zh('amount', '2345.67'), '两千三百四十五元六角七分');
  t.equal(zh('amount', '0'), '零元');
  t.equal(en('amount', '12.50'), 'twelve dollars and fifty cents');
  t.equal(en('amount', '1.01'), 'one dollar and one cent');
  t.equal(en('amount', '0.99'), 'ninety nine cents');
  t.equal(en('amount', '-3'), 'minus three dollars');
});

t.test('dates: the year digit by digit in zh, in pairs in en, the day as an ordinal in en', async (t) => {
  t.equal(zh('date', '2026-12-25'), '二零二六年十二月二十五日');
  t.same(sayPrompts('date', '2026-12-25', 'zh-CN'), ['num.2', 'num.0', 'num.2', 'num.6', 'date.year', 'month.12', 'num.20', 'num.5', 'date.day']);
  t.equal(zh('date', '2026-01-10'), '二零二六年一月十日');
  t.equal(en('date', '2026-12-25'), 'December twenty-fifth twenty twenty six');
  t.equal(en('date', '2005-03-01'), 'March first two thousand five');
  t.equal(en('date', '1999-07-04'), 'July fourth nineteen ninety nine');
  t.equal(en('date', '1905-07-04'), 'July fourth nineteen oh five');
  t.equal(en('date', '2010-07-04'), 'July fourth twenty ten');
  t.equal(en('date', '1900-07-04'), 'July fourth nineteen hundred');
  t.equal(en('date', '2024-02-29'), 'February twenty-ninth twenty twenty four', 'a leap day');
});

t.test('times: 上午/中午/下午/凌晨 and 两点 in zh; a.m./p.m. in en', async (t) => {
  t.equal(zh('time', '18:30'), '下午六点三十分');
  t.equal(zh('time', '14:05'), '下午两点零五分');
  t.equal(zh('time', '09:00'), '上午九点');
  t.equal(zh('time', '12:15'), '中午十二点十五分');
  t.equal(zh('time', '00:30'), '凌晨零点三十分');
  t.equal(en('time', '18:30'), 'six thirty p.m.');
  t.equal(en('time', '18:05'), 'six oh five p.m.');
  t.equal(en('time', '9:00'), 'nine a.m.');
  t.equal(en('time', '00:45'), 'twelve forty five a.m.');
  t.equal(en('time', '12:00'), 'noon');
  t.equal(en('time', '12:30:59'), 'twelve thirty p.m.', 'seconds are ignored');
});

t.test('a value that cannot be said is a SAY_BAD_VALUE error naming it', async (t) => {
  const bad: Array<[SayKind, string]> = [
    ['digits', ''], ['digits', '12a'], ['number', '1,234'], ['number', ''], ['number', '1e5'], ['number', '1000000000000'],
    ['amount', '12.345'], ['amount', 'abc'], ['date', '2026-02-30'], ['date', '25/12/2026'], ['date', '0999-01-01'],
    ['time', '24:00'], ['time', '18:60'], ['time', '6pm'],
  ];
  for (const [kind, value] of bad) {
    const err = t.throws(() => sayPrompts(kind, value, 'en'), { code: 'SAY_BAD_VALUE' }, `${kind} "${value}"`);
    t.ok(err instanceof SayError && err.message.includes(`"${value}"`), 'message names the value');
  }
});

t.test('every fragment said for a sample set exists in the catalogue and in both sounds folders', async (t) => {
  const sample: Array<[SayKind, string]> = [
    ['digits', '0123456789*#'], ['number', '-1234567890.5'], ['number', '999999999999'], ['number', '20000'], ['number', '17'],
    ['amount', '12.50'], ['amount', '1.01'], ['amount', '2000000.09'], ['amount', '0'],
    ['date', '2026-12-25'], ['date', '2000-01-31'], ['date', '1905-11-02'],
    ['time', '00:05'], ['time', '02:00'], ['time', '12:00'], ['time', '12:30'], ['time', '18:30'], ['time', '23:59'],
  ];
  for (let n = 0; n <= 100; n++) sample.push(['number', String(n)]);
  for (let d = 1; d <= 31; d++) sample.push(['date', `2026-01-${String(d).padStart(2, '0')}`]);
  for (let m = 1; m <= 12; m++) sample.push(['date', `2026-${String(m).padStart(2, '0')}-01`]);
  for (let h = 0; h < 24; h++) sample.push(['time', `${h}:07`]);
  const ids = new Set<string>();
  for (const lang of ['zh-CN', 'en'] as const) {
    for (const [kind, value] of sample) for (const id of sayPrompts(kind, value, lang)) ids.add(id);
  }
  const catalogue = new Set<string>(PROMPT_IDS);
  const missing = [...ids].filter((id) => !catalogue.has(id));
  t.same(missing, [], 'all in sounds/prompts.ts');
  const build = join(ROOT, 'sounds', 'build');
  if (!existsSync(join(build, 'en'))) return t.comment('sounds/build not generated here; catalogue check only');
  const noFile = [...ids].flatMap((id) => ['zh-CN', 'en'].filter((l) => !existsSync(join(build, l, `${id}.wav`))).map((l) => `${l}/${id}`));
  t.same(noFile, [], `all ${ids.size} ids have a WAV in sounds/build/zh-CN and sounds/build/en`);
});
