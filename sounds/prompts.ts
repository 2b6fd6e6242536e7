/**
 * The prompt catalogue: every sound the product speaks, in zh-CN and en. `scripts/sounds/generate.ts`
 * renders each entry to `sounds/build/<lang>/<id>.wav`; docs/sounds.md lists the id conventions.
 *
 * Every id exists in both languages so a lookup by (id, lang) never misses. A few fragments belong to
 * one language's number system (e.g. `num.wan` 万, `num.liang` 两); the other language then carries the
 * nearest meaning and its `say` rules simply never use that id.
 *
 * zh-CN texts are hanzi only (no Latin letters, no Arabic digits): the zh voice reads Latin as pinyin.
 * espeak-ng misreads some polyphonic hanzi (重新 as zhòng, 约为 as wèi, 处理 as chù): texts are worded
 * around them (check a text with `espeak-ng -q -x -v cmn-latn-pinyin -- TEXT`), and where no wording
 * avoids it, `speak` gives the tone-numbered pinyin to synthesise instead of the shown text.
 */

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/**
 * - `sentence`: a whole prompt, padded with a little silence so it can be played on its own.
 * - `part`: a fragment meant to be joined with others (numbers, words, "You are caller number"),
 *   trimmed tight so joined sequences do not sound gappy.
 * - `tone`: not speech; rendered as a sine tone (`text` then describes it).
 */
export type PromptKind = 'sentence' | 'part' | 'tone';

export interface ToneSpec {
  readonly hz: number;
  readonly ms: number;
  /** Silence before the tone, so it does not clip into the preceding prompt. */
  readonly leadMs: number;
}

export interface PromptDef {
  readonly kind: PromptKind;
  readonly 'zh-CN': string;
  readonly en: string;
  readonly tone?: ToneSpec;
  /** What espeak-ng is given instead of the text, per language (zh: tone-numbered pinyin). */
  readonly speak?: Partial<Record<Lang, string>>;
}

const s = (zh: string, en: string): PromptDef => ({ kind: 'sentence', 'zh-CN': zh, en });
const p = (zh: string, en: string): PromptDef => ({ kind: 'part', 'zh-CN': zh, en });

const SENTENCES = {
  // Greeting and menus
  welcome: s('您好，欢迎致电。', 'Hello, and thank you for calling.'),
  'menu.main': s(
    '销售咨询请按一，售后服务请按二，查询订单请按三，留言请按九，再听一遍请按星号键，人工服务请按零。',
    'For sales, press 1. For support, press 2. To check an order, press 3. To leave a message, press 9. To hear these options again, press star. To speak to an operator, press 0.',
  ),
  'menu.invalid': s('对不起，您的输入无效。', 'Sorry, that is not a valid choice.'),
  'menu.timeout': s('对不起，我们没有收到您的输入。', 'Sorry, we did not receive your choice.'),
  'menu.try-again': s('请再试一次。', 'Please try again.'),
  'confirm.choice': s('确认请按一，修改请按二。', 'If this is correct, press 1. To enter it again, press 2.'),
  'notice.recording': s('为了提高服务质量，您的通话可能会被录音。', 'This call may be recorded to improve our service.'),

  // Queue
  'queue.please-hold': s('请稍候，您的来电对我们很重要，我们将尽快为您接通。', 'Please hold. Your call is important to us, and the next available agent will answer shortly.'),
  'queue.all-busy': s('所有坐席正忙，请勿挂机，我们将按顺序为您接通。', 'All our agents are busy right now. Please stay on the line and your call will be answered in turn.'),
  'queue.thanks-waiting': s('感谢您的耐心等待，请继续稍候。', 'Thank you for waiting. Please continue to hold.'),
  'queue.position.pre': p('您现在排在第', 'You are caller number'),
  'queue.position.post': p('位。', 'in the queue.'),
  'queue.position.next': s('您是下一位，请稍候。', 'You are next in line. Please hold.'),
  'queue.wait.pre': p('预计等待时间大约', 'Your expected wait time is about'),
  'queue.wait.post': p('分钟。', 'minutes.'),
  'queue.wait.under-minute': s('预计等待时间不到一分钟。', 'Your expected wait time is less than one minute.'),

  // Callback (keeps the caller's place in the queue)
  'callback.offer': s(
    '如需保留排队位置并由我们给您回电，请按一；继续等待请勿挂机。',
    'To be called back without losing your place in the queue, press 1. To keep waiting, stay on the line.',
  ),
  'callback.number.pre': p('我们将回电至', 'We will call you back at'),
  'callback.enter-number': s('请输入回电号码，以井号键结束。', 'Please enter the number to call you back on, followed by the hash key.'),
  'callback.confirmed': s(
    '谢谢，我们已为您保留排队位置，稍后将给您回电。您现在可以挂机了。',
    'Thank you. Your place in the queue is kept and we will call you back. You may hang up now.',
  ),
  'callback.intro': s('您好，这是您预约的回电，正在为您接通坐席，请稍候。', 'Hello, this is the call back you asked for. Please hold while we connect you to an agent.'),

  // Hours
  'hours.closed': s(
    '感谢您的来电，现在是非工作时间。请在工作时间再拨，或在提示音后留言。',
    'Thank you for calling. Our office is now closed. Please call again during business hours, or leave a message after the tone.',
  ),
  'hours.holiday': s(
    '感谢您的来电，节日期间暂停服务。请在节后再拨，或在提示音后留言。',
    'Thank you for calling. We are closed for the holiday. Please call again after the holiday, or leave a message after the tone.',
  ),

  // Voicemail
  'vm.greeting': s('对不起，现在无人接听您的电话。', 'Sorry, no one is available to take your call right now.'),
  'vm.instructions': s('请在提示音后留言，留言完毕请挂机或按井号键。', 'Please leave your message after the tone. When you have finished, hang up or press the hash key.'),
  'vm.saved': s('您的留言已保存，谢谢。', 'Your message has been saved. Thank you.'),
  'vm.unavailable': s('对不起，现在无法留言，请稍后再拨。', 'Sorry, we cannot take a message right now. Please call again later.'),
  beep: {
    kind: 'tone',
    'zh-CN': '（提示音，一千赫兹）',
    en: '(beep, 1000 Hz)',
    tone: { hz: 1000, ms: 400, leadMs: 100 },
  },

  // Endings, busy, errors, transfer
  goodbye: s('感谢您的来电，再见。', 'Thank you for calling. Goodbye.'),
  busy: s('所有线路正忙，请稍后再拨。', 'All lines are busy. Please call again later.'),
  'error.operator': s('对不起，系统出现问题，正在为您转接人工服务。', 'Sorry, something went wrong. Transferring you to an operator.'),
  'transfer.connecting': s('正在为您转接，请稍候。', 'Please hold while we connect your call.'),
  'transfer.failed': s('对不起，转接没有成功。', 'Sorry, we could not connect your call.'),
  'outbound.no-line': s('目前没有空闲的外线，请稍后再试。', 'No outside line is free at the moment. Please try again later.'),
  'outbound.not-allowed': s('对不起，您无权拨打这个号码。', 'Sorry, you are not allowed to dial this number.'),

  // Survey (1 to 5)
  'survey.invite': s('通话结束后请勿挂机，为本次服务评分。', 'After your call, please stay on the line to rate our service.'),
  'survey.question': s('请为本次服务评分，请按一到五，五表示非常满意。', 'Please rate our service today from 1 to 5, where 5 means very satisfied.'),
  'survey.thanks': s('感谢您的评价，再见。', 'Thank you for your feedback. Goodbye.'),

  // PIN and order lookup
  'pin.enter': s('请输入您的密码，以井号键结束。', 'Please enter your PIN, followed by the hash key.'),
  'pin.wrong': s('密码错误，请再试一次。', 'That PIN is not correct. Please try again.'),
  'pin.locked': s('错误次数过多，再见。', 'Too many wrong attempts. Goodbye.'),
  'order.enter': s('请输入您的订单号，以井号键结束。', 'Please enter your order number, followed by the hash key.'),
  'order.not-found': s('对不起，没有找到这个订单。', 'Sorry, we could not find that order.'),
  'order.status.pre': p('您的订单', 'Your order'),
  'order.status.processing': p('正在准备中。', 'is being processed.'),
  'order.status.shipped': p('已经发货。', 'has been shipped.'),
  'order.status.delivered': p('已经签收。', 'has been delivered.'),
  'order.status.cancelled': p('已经取消。', 'has been cancelled.'),
  'order.amount.pre': p('订单金额是', 'The order amount is'),
  'order.delivery.pre': p('预计送达日期是', 'The expected delivery date is'),

  // Agent feature codes on the desk phone
  'agent.logged-in': s('您已签入。', 'You are now logged in.'),
  'agent.logged-out': s('您已签出。', 'You are now logged out.'),
  'agent.paused': s('您已暂停接听。', 'You are now paused.'),
  'agent.available': s('您已恢复接听。', 'You are now available.'),
} satisfies Record<string, PromptDef>;

/** Fragments for `say`: numbers, dates, times, money, durations and small joining words. */
const FRAGMENTS = {
  // Cardinals: 0-19 and the tens are whole words in en; zh uses them as ready-made compounds.
  'num.0': p('零', 'zero'), 'num.1': p('一', 'one'), 'num.2': p('二', 'two'), 'num.3': p('三', 'three'),
  'num.4': p('四', 'four'), 'num.5': p('五', 'five'), 'num.6': p('六', 'six'), 'num.7': p('七', 'seven'),
  'num.8': p('八', 'eight'), 'num.9': p('九', 'nine'), 'num.10': p('十', 'ten'), 'num.11': p('十一', 'eleven'),
  'num.12': p('十二', 'twelve'), 'num.13': p('十三', 'thirteen'), 'num.14': p('十四', 'fourteen'),
  'num.15': p('十五', 'fifteen'), 'num.16': p('十六', 'sixteen'), 'num.17': p('十七', 'seventeen'),
  'num.18': p('十八', 'eighteen'), 'num.19': p('十九', 'nineteen'),
  'num.20': p('二十', 'twenty'), 'num.30': p('三十', 'thirty'), 'num.40': p('四十', 'forty'),
  'num.50': p('五十', 'fifty'), 'num.60': p('六十', 'sixty'), 'num.70': p('七十', 'seventy'),
  'num.80': p('八十', 'eighty'), 'num.90': p('九十', 'ninety'),
  // Magnitudes. zh groups by 万/亿; en by thousand/million/billion.
  'num.hundred': p('百', 'hundred'), 'num.thousand': p('千', 'thousand'),
  'num.wan': p('万', 'ten thousand'), 'num.yi': p('亿', 'hundred million'),
  'num.million': p('百万', 'million'), 'num.billion': p('十亿', 'billion'),
  // Number helpers: 两 before 百/千/万/亿, 幺 for "1" in digit strings (phone numbers), en "oh" for 0.
  'num.liang': p('两', 'two'), 'num.yao': p('幺', 'one'), 'num.oh': p('零', 'oh'),
  'num.point': p('点', 'point'), 'num.minus': p('负', 'minus'),

  // Day of month as said in a date: zh "N号", en ordinal.
  'ord.1': p('一号', 'first'), 'ord.2': p('二号', 'second'), 'ord.3': p('三号', 'third'),
  'ord.4': p('四号', 'fourth'), 'ord.5': p('五号', 'fifth'), 'ord.6': p('六号', 'sixth'),
  'ord.7': p('七号', 'seventh'), 'ord.8': p('八号', 'eighth'), 'ord.9': p('九号', 'ninth'),
  'ord.10': p('十号', 'tenth'), 'ord.11': p('十一号', 'eleventh'), 'ord.12': p('十二号', 'twelfth'),
  'ord.13': p('十三号', 'thirteenth'), 'ord.14': p('十四号', 'fourteenth'), 'ord.15': p('十五号', 'fifteenth'),
  'ord.16': p('十六号', 'sixteenth'), 'ord.17': p('十七号', 'seventeenth'), 'ord.18': p('十八号', 'eighteenth'),
  'ord.19': p('十九号', 'nineteenth'), 'ord.20': p('二十号', 'twentieth'), 'ord.21': p('二十一号', 'twenty-first'),
  'ord.22': p('二十二号', 'twenty-second'), 'ord.23': p('二十三号', 'twenty-third'),
  'ord.24': p('二十四号', 'twenty-fourth'), 'ord.25': p('二十五号', 'twenty-fifth'),
  'ord.26': p('二十六号', 'twenty-sixth'), 'ord.27': p('二十七号', 'twenty-seventh'),
  'ord.28': p('二十八号', 'twenty-eighth'), 'ord.29': p('二十九号', 'twenty-ninth'),
  'ord.30': p('三十号', 'thirtieth'), 'ord.31': p('三十一号', 'thirty-first'),

  // Months (1-12) and weekdays (0 = Sunday, as Date#getDay).
  'month.1': p('一月', 'January'), 'month.2': p('二月', 'February'), 'month.3': p('三月', 'March'),
  'month.4': p('四月', 'April'), 'month.5': p('五月', 'May'), 'month.6': p('六月', 'June'),
  'month.7': p('七月', 'July'), 'month.8': p('八月', 'August'), 'month.9': p('九月', 'September'),
  'month.10': p('十月', 'October'), 'month.11': p('十一月', 'November'), 'month.12': p('十二月', 'December'),
  'weekday.0': p('星期日', 'Sunday'), 'weekday.1': p('星期一', 'Monday'), 'weekday.2': p('星期二', 'Tuesday'),
  'weekday.3': p('星期三', 'Wednesday'), 'weekday.4': p('星期四', 'Thursday'), 'weekday.5': p('星期五', 'Friday'),
  'weekday.6': p('星期六', 'Saturday'),

  // Date words
  'date.year': p('年', 'year'), 'date.month': p('月', 'month'), 'date.day': p('日', 'day'),
  'date.week': p('星期', 'week'), 'date.today': p('今天', 'today'), 'date.tomorrow': p('明天', 'tomorrow'),
  'date.yesterday': p('昨天', 'yesterday'),

  // Time of day: zh 下午三点零五分; en "three oh five p.m.".
  'time.oclock': p('点', "o'clock"), 'time.minute': p('分', 'minutes'), 'time.half': p('半', 'half'),
  'time.am': p('上午', 'a.m.'), 'time.pm': p('下午', 'p.m.'),
  // espeak-ng reads 凌 wrongly; give it the pinyin.
  'time.early-morning': { ...p('凌晨', 'early morning'), speak: { 'zh-CN': 'ling2 chen2' } },
  'time.morning': p('早上', 'in the morning'), 'time.noon': p('中午', 'noon'),
  'time.evening': p('晚上', 'in the evening'),

  // Money
  'cur.yuan': p('元', 'yuan'), 'cur.jiao': p('角', 'jiao'), 'cur.fen': p('分', 'fen'),
  'cur.zheng': p('整', 'exactly'), 'cur.dollar': p('美元', 'dollar'), 'cur.dollars': p('美元', 'dollars'),
  'cur.cent': p('美分', 'cent'), 'cur.cents': p('美分', 'cents'),

  // Durations (en has singular and plural; zh texts are the same)
  'word.second': p('秒', 'second'), 'word.seconds': p('秒', 'seconds'),
  'word.minute': p('分钟', 'minute'), 'word.minutes': p('分钟', 'minutes'),
  'word.hour': p('小时', 'hour'), 'word.hours': p('小时', 'hours'),
  'word.day': p('天', 'day'), 'word.days': p('天', 'days'),

  // Joining words and keys
  'word.and': p('和', 'and'), 'word.or': p('或', 'or'), 'word.about': p('大约', 'about'),
  'word.less-than': p('不到', 'less than'), 'word.press': p('请按', 'press'),
  'word.you-entered': p('您输入的是', 'You entered'), 'word.number': p('号码', 'number'),
  'word.extension': p('分机', 'extension'), 'word.thank-you': p('谢谢。', 'Thank you.'),
  'key.star': p('星号键', 'star'), 'key.hash': p('井号键', 'hash'),
} satisfies Record<string, PromptDef>;

export type PromptId = keyof typeof SENTENCES | keyof typeof FRAGMENTS;

export const PROMPTS: Readonly<Record<PromptId, PromptDef>> = { ...SENTENCES, ...FRAGMENTS };

/** All ids, in catalogue order (sentences first), for generators and completeness checks. */
export const PROMPT_IDS = Object.keys(PROMPTS) as PromptId[];
