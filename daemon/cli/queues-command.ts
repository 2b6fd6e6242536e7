import type { Command } from 'commander';
import { STRATEGIES, type QueueMember, type QueueSettings } from '../acd/acd-types.js';
import { addQueue, getQueue, removeQueue, type QueueFlags } from '../acd/queue-settings.js';
import { withStore } from './lines-command.js';
import { run } from './run.js';

export function registerQueues(program: Command): void {
  const queues = program.command('queues').description('ACD queues: callers wait in line for the next free agent (lines route N queue:NAME)');

  queues.command('add')
    .description('create queue NAME (defaults for what is not given), or change the given settings of an existing one')
    .argument('<name>', 'queue name, e.g. sales')
    .option('--members <exts>', 'agents\' extensions in order, with an optional penalty tier: 1001,1002 or 1001:0,1002:1 (required for a new queue; replaces the list)')
    .option('--strategy <strategy>', `how agents are picked: ${STRATEGIES.join(', ')} (default ring-all)`)
    .option('--ring-timeout <seconds>', 'how long an offer rings before it moves on, 5-120 (default 15)')
    .option('--retry <seconds>', 'pause between unanswered rounds of offers, 0-60 (default 5)')
    .option('--max-wait <seconds>', 'longest wait before the caller overflows, 0-86400; 0 = no limit (default 300)')
    .option('--overflow <target>', 'where callers go then: EXT, group:NAME, queue:NAME, flow:NAME, voicemail:MAILBOX, callback or hangup (default hangup)')
    .option('--max-length <callers>', 'most callers waiting at once, 0-100; 0 = no limit (default 0)')
    .option('--join-empty <yes|no>', 'may callers wait while no agent is logged in (default yes)')
    .option('--leave-empty <yes|no>', 'do waiting callers overflow when the last agent logs out (default no)')
    .option('--wrap-up <seconds>', 'rest after each call before the next offer, 0-3600 (default 10)')
    .option('--announce-every <seconds>', 'position/wait announcements, 0-3600; 0 = on entry only; never (default 60)')
    .option('--announce-position <yes|no>', 'announce the caller\'s place in line (default yes)')
    .option('--announce-wait <yes|no>', 'announce the expected wait (default yes)')
    .option('--callback-digit <digit>', 'the key that asks for a callback keeping the place: 0-9, *, # or none (default 1)')
    .option('--sticky-days <days>', 'send a caller to the agent who last spoke to them within this many days, 0-365; 0 = off (default 7)')
    .option('--sticky-wait <seconds>', 'how long to wait for that agent alone, 0-300 (default 15)')
    .option('--auto-pause <n>', 'pause an agent after n unanswered offers in a row, 0-20; 0 = never (default 3)')
    .option('--language <lang>', 'announcements for callers not coming through a flow: zh-CN or en (default zh-CN)')
    .option('-c, --config <path>', 'config file of the box')
    .action((name: string, flags: QueueFlags & { config?: string }) => run(async () => {
      const { config, ...settings } = flags;
      const { queue, created } = withStore(config, (s) => addQueue(s, name, settings));
      process.stdout.write(`✓ queue ${queue.name} ${created ? 'created' : 'updated'}: ${queue.strategy}, members ${members(queue.members)}, ` +
        `max wait ${limit(queue.maxWaitS, 's')}, overflow ${queue.overflow || 'hangup'} (route a line to it with octoline lines route N queue:${queue.name})\n`);
    }));

  queues.command('list')
    .description('list the queues with their strategy, members, max wait and overflow')
    .option('-c, --config <path>', 'config file of the box')
    .option('--json', 'print the queues with every setting as JSON (for scripts)')
    .action((flags: { config?: string; json?: boolean }) => run(async () => {
      const rows = withStore(flags.config, (s) => s.queues.list());
      process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : table(rows));
    }));

  queues.command('show')
    .description('every setting of queue NAME')
    .argument('<name>', 'queue name')
    .option('-c, --config <path>', 'config file of the box')
    .option('--json', 'print the queue as JSON (for scripts)')
    .action((name: string, flags: { config?: string; json?: boolean }) => run(async () => {
      const q = withStore(flags.config, (s) => getQueue(s, name));
      process.stdout.write(flags.json ? `${JSON.stringify(q, null, 2)}\n` : details(q));
    }));

  queues.command('remove')
    .description('remove queue NAME (no line, queue or flow may still send callers to it)')
    .argument('<name>', 'queue name')
    .option('-c, --config <path>', 'config file of the box')
    .action((name: string, flags: { config?: string }) => run(async () => {
      const removed = withStore(flags.config, (s) => removeQueue(s, name));
      process.stdout.write(`✓ queue ${removed} removed\n`);
    }));
}

/** `1001,1002:1`: the penalty only when it is not the first tier, as typed in --members. */
const members = (ms: QueueMember[]) => ms.map((m) => (m.penalty > 0 ? `${m.ext}:${m.penalty}` : m.ext)).join(',') || '(none)';
const limit = (n: number, unit: string) => (n === 0 ? 'none' : `${n}${unit}`);
const yesNo = (b: boolean) => (b ? 'yes' : 'no');

function table(rows: QueueSettings[]): string {
  if (rows.length === 0) return 'No queues yet: octoline queues add NAME --members 1001,1002\n';
  const head = ['NAME', 'STRATEGY', 'MEMBERS', 'MAX-WAIT', 'OVERFLOW'];
  const body = rows.map((q) => [q.name, q.strategy, members(q.members), limit(q.maxWaitS, 's'), q.overflow || 'hangup']);
  return columns([head, ...body]);
}

/** One line per `queues add` flag, named as the flag, so the reader knows what to type to change it. */
function details(q: QueueSettings): string {
  const announce = q.announceEveryS === -1 ? 'never' : q.announceEveryS === 0 ? 'on entry only' : `${q.announceEveryS}s`;
  return columns([
    ['name', q.name], ['strategy', q.strategy], ['members', members(q.members)],
    ['ring-timeout', `${q.ringTimeoutS}s`], ['retry', `${q.retryS}s`], ['max-wait', limit(q.maxWaitS, 's')],
    ['overflow', q.overflow || 'hangup'], ['max-length', limit(q.maxLength, '')], ['join-empty', yesNo(q.joinEmpty)],
    ['leave-empty', yesNo(q.leaveEmpty)], ['wrap-up', `${q.wrapUpS}s`], ['announce-every', announce],
    ['announce-position', yesNo(q.announcePosition)], ['announce-wait', yesNo(q.announceWait)],
    ['callback-digit', q.callbackDigit || 'none'], ['sticky-days', q.stickyDays === 0 ? 'off' : String(q.stickyDays)],
    ['sticky-wait', `${q.stickyWaitS}s`], ['auto-pause', q.autoPauseAfter === 0 ? 'never' : String(q.autoPauseAfter)],
    ['language', q.language],
  ]);
}

function columns(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
