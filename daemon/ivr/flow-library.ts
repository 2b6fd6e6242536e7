import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CodedError } from '../../drivers/coded-error.js';
import { PACKAGE_ROOT } from '../package-info.js';
import type { Store } from '../store/store.js';
import type { SavedFlow } from '../store/flows-repo.js';
import type { Flow } from './flow-types.js';
import { validateFlowText, type FlowFinding, type FlowValidationContext } from './flow-validate.js';
import { PromptLibrary } from './prompts.js';

export type FlowLibraryErrorCode = 'FLOW_NOT_FOUND' | 'FLOW_VERSION_NOT_FOUND' | 'FLOW_FILE_UNREADABLE';

export class FlowLibraryError extends CodedError<FlowLibraryErrorCode> {}

/** The flows the box ships with (main, after-hours, holiday), next to flow.schema.json. */
export const SHIPPED_FLOWS_DIR = join(PACKAGE_ROOT, 'flows');

/**
 * What a flow may refer to on this box: prompts (generated, or uploads under the data dir),
 * extensions, ring groups, stored flows plus `alsoFlows` (flows imported in the same batch).
 */
export function boxContext(store: Store, dataDir: string, alsoFlows: readonly string[] = []): FlowValidationContext {
  const prompts = new PromptLibrary({ dataDir });
  return {
    promptExists: (ref, lang) => prompts.exists(ref, lang),
    flowExists: (name) => alsoFlows.includes(name) || store.flows.get(name) !== undefined,
    extensionExists: (ext) => store.extensions.get(ext) !== undefined,
    groupExists: (name) => store.ringGroups.get(name) !== undefined,
    queueExists: (name) => store.queues.get(name) !== undefined,
  };
}

export function readFlowFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new FlowLibraryError('FLOW_FILE_UNREADABLE', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

export interface ImportResult {
  findings: FlowFinding[];
  /** Set when the flow had no errors and was saved (a new version only when it changed). */
  saved?: SavedFlow;
}

/**
 * Validate a flow file's text and, when it has no errors, save it as the current version. `name`
 * replaces the document's own name (one file imported under several names).
 */
export function importFlow(store: Store, text: string, ctx: FlowValidationContext, opts: { name?: string; comment?: string } = {}): ImportResult {
  const v = validateFlowText(text, ctx, opts.name);
  if (!v.ok || !v.flow) return { findings: v.findings };
  return { findings: v.findings, saved: store.flows.save(v.flow, opts.comment ?? '') };
}

export interface ShippedImport {
  file: string;
  name: string;
  findings: FlowFinding[];
  saved?: SavedFlow;
}

/**
 * Import every flows/*.json (not the schema) as its own name; a flow whose file did not change
 * makes no new version. A file with errors is skipped and reported, the others still import.
 */
export function importShippedFlows(store: Store, dataDir: string, dir = SHIPPED_FLOWS_DIR): ShippedImport[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).sort();
  const names = files.map((f) => basename(f, '.json'));
  const ctx = boxContext(store, dataDir, names);
  return files.map((f) => {
    const file = join(dir, f);
    const r = importFlow(store, readFlowFile(file), ctx, { comment: 'shipped with octoline' });
    return { file, name: r.saved?.name ?? basename(f, '.json'), ...r };
  });
}

/** A stored flow's document (the current version unless `version` is given). */
export function loadFlow(store: Store, name: string, version?: number): Flow {
  const row = store.flows.get(name, version);
  if (row) return JSON.parse(row.json) as Flow;
  if (version !== undefined && store.flows.get(name)) {
    const known = store.flows.versions(name).map((v) => v.version).join(', ');
    throw new FlowLibraryError('FLOW_VERSION_NOT_FOUND', `flow ${name} has no version ${version} (versions: ${known})`);
  }
  const names = store.flows.list().map((f) => f.name).join(', ') || 'none; import one with octoline flows import FILE';
  throw new FlowLibraryError('FLOW_NOT_FOUND', `there is no flow ${name} (flows: ${names})`);
}

/** Make `version` current again (as a new version); returns what was saved. */
export function rollbackFlow(store: Store, name: string, version: number): SavedFlow {
  loadFlow(store, name, version);
  const saved = store.flows.rollback(name, version);
  if (!saved) throw new FlowLibraryError('FLOW_VERSION_NOT_FOUND', `flow ${name} has no version ${version}`);
  return saved;
}
