import t, { type Test } from 'tap';
import { pino } from 'pino';
import { makeTestBox, runCli, type TestBox } from '../helpers/octoline.js';
import { Store } from '../../daemon/store/store.js';
import { EventBus } from '../../daemon/events/bus.js';
import { CallRecords } from '../../daemon/calls/call-records.js';

/** 2024-05-01 09:00:00 at the box (time_zone defaults to Asia/Shanghai, UTC+8). */
const T0 = Date.UTC(2024, 4, 1, 1, 0, 0);
const HOUR = 3_600_000;

async function setUpBox(t: Test): Promise<TestBox> {
  const box = await makeTestBox(t);
  const r = await runCli(['setup', '--config', box.configPath, '--yes', '--admin-password', 'correct-horse-battery', '--data-dir', box.dataDir,
    '--line', '1=02155550101', '--extension', '1001:pass-1001-ok']);
  t.equal(r.code, 0, r.stderr);
  return box;
}

/** Four calls written the way the engine writes them: CallRecords plus the engine's own events. */
function seedCalls(box: TestBox): void {
  const store = Store.open(box.dataDir);
  try {
    const clock = { t: T0, now: () => clock.t };
    const bus = new EventBus({ events: store.events, log: pino({ level: 'silent' }), now: clock.now });
    const records = new CallRecords({ store, bus, clock });
    const at = (ms: number) => { clock.t = ms; };
    const base = { lineId: 1, extension: null, callerName: '' };

    at(T0 - 24 * HOUR);
    records.open({ ...base, id: 'c-blocked', sipCallId: 's0', direction: 'inbound', caller: '021-5555-0666', callerNorm: '02155550666', callee: '02155550101', startedAt: clock.t });
    bus.publish('call.offered', { direction: 'inbound', line: 1, caller: '021-5555-0666', callee: '02155550101' }, 'c-blocked');
    bus.publish('call.blocked', { caller: '02155550666', reason: 'blacklist' }, 'c-blocked');
    records.end('c-blocked', { cause: 'blacklisted' });

    at(T0);
    records.open({ ...base, id: 'c-in', sipCallId: 's1', direction: 'inbound', caller: '021-5555-0199', callerNorm: '02155550199', callerName: 'Li Wei', callee: '02155550101', startedAt: clock.t });
    bus.publish('call.offered', { direction: 'inbound', line: 1, caller: '021-5555-0199', callerName: 'Li Wei', callee: '02155550101' }, 'c-in');
    bus.publish('call.ringing', { extension: '1001' }, 'c-in');
    at(T0 + 5000);
    bus.publish('call.answered', { extension: '1001' }, 'c-in');
    bus.publish('call.recording', { recordingId: 7 }, 'c-in');
    at(T0 + 10_000);
    bus.publish('call.held', { by: '1001' }, 'c-in');
    at(T0 + 20_000);
    bus.publish('call.resumed', { by: '1001' }, 'c-in');
    at(T0 + 65_000);
    records.end('c-in', { cause: 'caller_hangup', by: 'caller' });

    at(T0 + HOUR);
    records.open({ ...base, id: 'c-out', sipCallId: 's2', direction: 'outbound', extension: '1001', caller: '1001', callerNorm: '1001', callee: '13800138000', startedAt: clock.t });
    bus.publish('call.offered', { direction: 'outbound', line: 1, caller: '1001', callee: '13800138000' }, 'c-out');
    at(T0 + HOUR + 3000);
    records.end('c-out', { cause: 'busy_here', disposition: 'busy' });

    at(T0 + 2 * HOUR);
    records.open({ ...base, id: 'c-int', sipCallId: 's3', direction: 'internal', lineId: null, caller: '1001', callerNorm: '1001', callee: '1002', startedAt: clock.t });
    bus.publish('call.offered', { direction: 'internal', caller: '1001', callee: '1002' }, 'c-int');
  } finally {
    store.close();
  }
}

t.test('octoline calls lists the CDRs newest first, in the box time zone, with filters', async (t) => {
  const box = await setUpBox(t);
  seedCalls(box);
  const c = ['--config', box.configPath];

  const list = await runCli(['calls', ...c]);
  t.equal(list.code, 0, list.stderr);
  const lines = list.stdout.trimEnd().split('\n');
  t.match(lines[0], /^START\s+DIRECTION\s+LINE\s+CALLER\s+CALLEE\s+EXT\s+RING\s+TALK\s+HOLD\s+DISPOSITION\s+CAUSE\s+REC$/);
  t.equal(lines.length, 5, 'header and four calls');
  t.match(lines[1], /^2024-05-01 11:00:00\s+internal\s+-\s+1001\s+1002\s+-\s+-\s+-\s+-\s+in progress\s+-\s+-$/);
  t.match(lines[2], /^2024-05-01 10:00:00\s+outbound\s+1\s+1001\s+13800138000\s+1001\s+3\.0\s+0\.0\s+0\.0\s+busy\s+busy_here\s+-$/);
  t.match(lines[3], /^2024-05-01 09:00:00\s+inbound\s+1\s+021-5555-0199\s+02155550101\s+1001\s+5\.0\s+50\.0\s+10\.0\s+answered\s+caller_hangup\s+7$/);
  t.match(lines[4], /^2024-04-30 09:00:00\s+inbound\s+1\s+021-5555-0666\s+02155550101\s+-\s+0\.0\s+0\.0\s+0\.0\s+blocked\s+blacklisted\s+-$/);

  const json = await runCli(['calls', '--json', ...c]);
  t.equal(json.code, 0, json.stderr);
  const calls = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
  t.same(calls.map((r) => r.id), ['c-int', 'c-out', 'c-in', 'c-blocked']);
  t.same(calls[2], {
    id: 'c-in', sipCallId: 's1', direction: 'inbound', lineId: 1, extension: '1001', caller: '021-5555-0199', callerNorm: '02155550199',
    callerName: 'Li Wei', callee: '02155550101', startedAt: '2024-05-01T01:00:00.000Z', answeredAt: '2024-05-01T01:00:05.000Z',
    endedAt: '2024-05-01T01:01:05.000Z', disposition: 'answered', cause: 'caller_hangup', ringSeconds: 5, talkSeconds: 50, holdSeconds: 10, recordingId: 7,
  });
  t.match(calls[0], { endedAt: null, disposition: null });

  const ids = async (...args: string[]) => {
    const r = await runCli(['calls', '--json', ...args, ...c]);
    t.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as Array<{ id: string }>).map((x) => x.id);
  };
  t.same(await ids('--since', '2024-05-01'), ['c-int', 'c-out', 'c-in'], 'a date is midnight at the box');
  t.same(await ids('--since', '2024-05-01T10:00'), ['c-int', 'c-out'], 'a date-time is box time');
  t.same(await ids('--since', '2024-05-01T02:00:00Z'), ['c-int', 'c-out'], 'an explicit zone is honoured');
  t.same(await ids('--number', '021-5555-0199'), ['c-in'], 'the caller, however written');
  t.same(await ids('--number', '13800138000'), ['c-out'], 'the callee');
  t.same(await ids('--direction', 'inbound', '--limit', '1'), ['c-in']);
  t.match((await runCli(['calls', '--number', '999999', ...c])).stdout, /^No calls match\.$/m);
});

t.test('a bad flag is refused with one clear line and exit code 2', async (t) => {
  const box = await setUpBox(t);
  const c = ['--config', box.configPath];
  const cases: Array<[string[], RegExp]> = [
    [['--limit', '0'], /^octoline: --limit: "0" is not a number of calls from 1 to 1000$/m],
    [['--limit', '1001'], /^octoline: --limit: "1001"/],
    [['--since', 'yesterday'], /^octoline: --since: "yesterday" is not a date or date-time/],
    [['--since', '2024-02-30'], /^octoline: --since: "2024-02-30" is not a date/],
    [['--number', 'abc'], /^octoline: --number: "abc" is not a phone number/],
    [['--direction', 'sideways'], /^octoline: --direction: "sideways" is not a direction: use inbound, outbound or internal$/m],
  ];
  for (const [args, msg] of cases) {
    const r = await runCli(['calls', ...args, ...c]);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, msg, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  const empty = await runCli(['calls', ...c]);
  t.equal(empty.code, 0, empty.stderr);
  t.match(empty.stdout, /^No calls match\.$/m);
});
