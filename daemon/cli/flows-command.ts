import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { CodedError } from '../../drivers/coded-error.js';
import { loadConfig, resolveConfigPath, type Config } from '../config/index.js';
import { Store } from '../store/store.js';
import type { FlowSummary, FlowVersionInfo } from '../store/flows-repo.js';
import {
  boxContext, importFlow, loadFlow, readFlowFile, rollbackFlow,
} from '../ivr/flow-library.js';
import { validateFlow, validateFlowText, type FlowFinding, type FlowValidation } from '../ivr/flow-validate.js';
import type { Flow } from '../ivr/flow-types.js';
import { simulateFlow } from '../ivr/simulate.js';
import { Blacklist } from '../lines/blacklist.js';
import { formatBoxTime, parseWallTime, wallTimeToEpoch, type WallTime } from './box-time.js';
import { run } from './run.js';

export type FlowsCliErrorCode = 'FLOWS_BAD_FLAG';

/** A bad `octoline flows` flag; thrown from commander's option parsing, so main.ts exits 2. */
export class FlowsCliError extends CodedError<FlowsCliErrorCode> {}

const bad = (msg: string): never => {
  throw new FlowsCliError('FLOWS_BAD_FLAG', msg);
};

function parseVersion(v: string): number {
  return /^[1-9][0-9]{0,5}$/.test(v.trim()) ? Number(v) : bad(`"${v}" is not a version number (1, 2, … as in octoline flows versions NAME)`);
}

/** `1,2,#` → each item one input (a menu digit, or a collect's `12345#`). */
function parseDigits(v: string): string[] {
  const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return items.every((s) => /^[0-9*#]+$/.test(s)) ? items : bad(`--digits: "${v}" is not a list of keys such as 1,2 or 3,12345#,0 (0-9 * #)`);
}

function parseAt(v: string): WallTime {
  return parseWallTime(v) ?? bad(`--at: "${v}" is not a date-time such as "2026-12-25 10:00" (box time zone unless it ends in Z or ±HH:MM)`);
}

/** The box's config and store for one command; the store is closed when `fn` returns. */
async function withBox<T>(configPath: string | undefined, fn: (store: Store, config: Config) => T | Promise<T>): Promise<T> {
  const config = loadConfig(resolveConfigPath(configPath));
  const store = Store.open(config.box.data_dir);
  try {
    return await fn(store, config);
  } finally {
    store.close();
  }
}

/** `level path code message`, one finding per line, errors first. */
function findingLines(findings: readonly FlowFinding[]): string {
  const sorted = [...findings].sort((a, b) => (a.level === b.level ? 0 : a.level === 'error' ? -1 : 1));
  return sorted.map((f) => `${f.level.padEnd(7)} ${f.path}  ${f.code}  ${f.message}\n`).join('');
}

const counts = (findings: readonly FlowFinding[]): { errors: number; warnings: number } => ({
  errors: findings.filter((f) => f.level === 'error').length,
  warnings: findings.filter((f) => f.level === 'warning').length,
});

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A file path (an existing file, or anything ending in .json) or the name of a stored flow. */
function isFileArg(arg: string): boolean {
  return arg.endsWith('.json') || arg.includes('/') || existsSync(arg);
}

function validateArg(store: Store, config: Config, arg: string): { what: string; v: FlowValidation } {
  const ctx = boxContext(store, config.box.data_dir);
  if (isFileArg(arg)) return { what: arg, v: validateFlowText(readFlowFile(arg), ctx) };
  return { what: `flow ${arg}`, v: validateFlow(loadFlow(store, arg), ctx) };
}

export function registerFlows(program: Command): void {
  const flows = program.command('flows').description('IVR call flows: import, list, show, version history, rollback, validate, simulate');

  flows.command('import')
    .description('validate a flow file and store it as a new version (nothing is stored when it has errors)')
    .argument('<file>', 'flow JSON file (see flows/*.json and docs/ivr.md)')
    .option('--name <name>', 'store it under this name instead of the file\'s "name"')
    .option('--comment <text>', 'why this version (shown by flows versions)')
    .option('-c, --config <path>', 'config file of the box')
    .action((file: string, flags: { name?: string; comment?: string; config?: string }) => run(() => withBox(flags.config, (store, config) => {
      const r = importFlow(store, readFlowFile(file), boxContext(store, config.box.data_dir), {
        ...(flags.name !== undefined ? { name: flags.name } : {}), ...(flags.comment !== undefined ? { comment: flags.comment } : {}),
      });
      if (!r.saved) {
        process.stderr.write(findingLines(r.findings));
        process.stderr.write(`octoline: ${file} not imported: ${plural(counts(r.findings).errors, 'error')} (nothing was stored)\n`);
        return 1;
      }
      process.stdout.write(findingLines(r.findings));
      const s = r.saved;
      process.stdout.write(s.created
        ? `✓ flow ${s.name}: version ${s.version} saved${s.version === 1 ? ` (route a line to it with octoline lines flow N ${s.name})` : ''}\n`
        : `✓ flow ${s.name}: unchanged, version ${s.version} is the same\n`);
      return 0;
    })));

  flows.command('list')
    .description('list the stored flows with their current version')
    .option('--json', 'print the flows as JSON (for scripts)')
    .option('-c, --config <path>', 'config file of the box')
    .action((flags: { json?: boolean; config?: string }) => run(() => withBox(flags.config, (store, config) => {
      const rows = store.flows.list();
      const tz = config.box.time_zone;
      process.stdout.write(flags.json
        ? `${JSON.stringify(rows.map((r) => ({ ...r, lines: store.flows.routedLines(r.name), createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) })), null, 2)}\n`
        : flowTable(rows, (name) => store.flows.routedLines(name), tz));
    })));

  flows.command('show')
    .description('print a flow\'s JSON (the current version unless --version)')
    .argument('<name>', 'flow name')
    .option('--version <n>', 'an older version', parseVersion)
    .option('-c, --config <path>', 'config file of the box')
    .action((name: string, flags: { version?: number; config?: string }) => run(() => withBox(flags.config, (store) => {
      process.stdout.write(`${JSON.stringify(loadFlow(store, name, flags.version), null, 2)}\n`);
    })));

  flows.command('versions')
    .description('list a flow\'s versions, oldest first (* marks the current one)')
    .argument('<name>', 'flow name')
    .option('--json', 'print the versions as JSON (for scripts)')
    .option('-c, --config <path>', 'config file of the box')
    .action((name: string, flags: { json?: boolean; config?: string }) => run(() => withBox(flags.config, (store, config) => {
      loadFlow(store, name);
      const rows = store.flows.versions(name);
      process.stdout.write(flags.json
        ? `${JSON.stringify(rows.map((r) => ({ ...r, createdAt: iso(r.createdAt) })), null, 2)}\n`
        : versionTable(rows, config.box.time_zone));
    })));

  flows.command('rollback')
    .description('make an older version current again (saved as a new version: history only grows)')
    .argument('<name>', 'flow name')
    .argument('<version>', 'the version to bring back', parseVersion)
    .option('-c, --config <path>', 'config file of the box')
    .action((name: string, version: number, flags: { config?: string }) => run(() => withBox(flags.config, (store) => {
      const s = rollbackFlow(store, name, version);
      process.stdout.write(s.created
        ? `✓ flow ${name}: version ${version} is current again, saved as version ${s.version} (applies to the next call)\n`
        : `✓ flow ${name}: version ${version} is already the current flow (version ${s.version}); nothing changed\n`);
    })));

  flows.command('remove')
    .description('delete a flow and its history (no line may route to it)')
    .argument('<name>', 'flow name')
    .option('-c, --config <path>', 'config file of the box')
    .action((name: string, flags: { config?: string }) => run(() => withBox(flags.config, (store) => {
      loadFlow(store, name);
      store.flows.remove(name);
      process.stdout.write(`✓ flow ${name} removed\n`);
    })));

  flows.command('validate')
    .description('check a flow file or a stored flow: schema, missing nodes and prompts, unreachable nodes, loops without input (exit 1 on errors)')
    .argument('<file-or-name>', 'a flow JSON file, or the name of a stored flow')
    .option('-c, --config <path>', 'config file of the box')
    .action((arg: string, flags: { config?: string }) => run(() => withBox(flags.config, (store, config) => {
      const { what, v } = validateArg(store, config, arg);
      const c = counts(v.findings);
      process.stdout.write(findingLines(v.findings));
      process.stdout.write(v.ok
        ? `✓ ${what}: no errors${c.warnings > 0 ? `, ${plural(c.warnings, 'warning')}` : ''}\n`
        : `✗ ${what}: ${plural(c.errors, 'error')}${c.warnings > 0 ? `, ${plural(c.warnings, 'warning')}` : ''}\n`);
      return v.ok ? 0 : 1;
    })));

  flows.command('simulate')
    .description('walk a flow with scripted keys and clock, and print the path (no call is made)')
    .argument('<file-or-name>', 'the name of a stored flow, or a flow JSON file')
    .option('--digits <keys>', 'the caller\'s keys in order, comma-separated: 1,2 or 3,12345#', parseDigits, [])
    .option('--at <date-time>', 'the moment of the call, box time zone: "2026-12-25 10:00" (default now)', parseAt)
    .option('--caller <number>', 'the caller\'s number (default: no caller ID)', '')
    .option('--json', 'print the steps and the outcome as JSON')
    .option('-c, --config <path>', 'config file of the box')
    .action((arg: string, flags: { digits: string[]; at?: WallTime; caller: string; json?: boolean; config?: string }) => run(() => withBox(flags.config, async (store, config) => {
      const timeZone = config.box.time_zone;
      const at = new Date(flags.at ? wallTimeToEpoch(flags.at, timeZone) : Date.now());
      const flow = simulatedFlow(store, config, arg);
      const ctx = boxContext(store, config.box.data_dir);
      const blacklist = new Blacklist(store.blacklist);
      const result = await simulateFlow(flow, {
        digits: flags.digits, at, caller: flags.caller, timeZone,
        promptExists: (ref) => ctx.promptExists(ref, flow.language), isBlacklisted: (n) => blacklist.isBlocked(n),
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ flow: flow.name, at: formatBoxTime(at.getTime(), timeZone), timeZone, digits: flags.digits, ...result }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`flow ${flow.name} at ${formatBoxTime(at.getTime(), timeZone)} (${timeZone}), keys ${flags.digits.join(',') || '(none)'}\n`);
      process.stdout.write(result.steps.map((s) => `  ${s.node.padEnd(20)} ${s.type.padEnd(16)} ${s.detail}`.trimEnd()).join('\n'));
      process.stdout.write(`${result.steps.length > 0 ? '\n' : ''}→ ${result.outcome}\n`);
    })));
}

/** A flow file must validate before it is walked; a stored flow already did. */
function simulatedFlow(store: Store, config: Config, arg: string): Flow {
  if (!isFileArg(arg)) return loadFlow(store, arg);
  const v = validateFlowText(readFlowFile(arg), boxContext(store, config.box.data_dir));
  if (v.ok && v.flow) return v.flow;
  process.stderr.write(findingLines(v.findings.filter((f) => f.level === 'error')));
  throw new FlowsCliError('FLOWS_BAD_FLAG', `${arg} has errors; fix them first (octoline flows validate ${arg})`);
}

const iso = (ms: number): string => new Date(ms).toISOString();

function table(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return `${[head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}

function flowTable(rows: FlowSummary[], lines: (name: string) => number[], tz: string): string {
  if (rows.length === 0) return 'No flows yet: octoline flows import FILE (octoline setup imports the shipped ones)\n';
  return table(['NAME', 'VERSION', 'UPDATED', 'LINES', 'DESCRIPTION'], rows.map((r) => [
    r.name, String(r.currentVersion), formatBoxTime(r.updatedAt, tz).slice(0, 16), lines(r.name).join(',') || '-', r.description.length > 60 ? `${r.description.slice(0, 59)}…` : r.description,
  ]));
}

function versionTable(rows: FlowVersionInfo[], tz: string): string {
  return table(['VERSION', 'SAVED', 'COMMENT'], rows.map((r) => [`${r.version}${r.current ? ' *' : ''}`, formatBoxTime(r.createdAt, tz).slice(0, 16), r.comment]));
}
