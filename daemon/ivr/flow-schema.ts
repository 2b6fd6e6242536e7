import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PACKAGE_ROOT } from '../package-info.js';
import type { Flow } from './flow-types.js';

/** The contract for flow files and the visual editor: plain JSON Schema (draft-07), kept in flows/. */
export const FLOW_SCHEMA_PATH = join(PACKAGE_ROOT, 'flows', 'flow.schema.json');

/** One schema violation: where (JSON Pointer, `/` for the whole flow) and what, for a person. */
export interface SchemaProblem {
  path: string;
  message: string;
}

let compiled: ValidateFunction<Flow> | undefined;

function validator(): ValidateFunction<Flow> {
  if (!compiled) {
    // verbose: the failing schema's `description` becomes the message ("must be a node id: …").
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
    compiled = ajv.compile<Flow>(JSON.parse(readFileSync(FLOW_SCHEMA_PATH, 'utf8')) as object);
  }
  return compiled;
}

/** The flow when `json` matches the schema, else the problems (each once, in document order). */
export function checkFlowSchema(json: unknown): { flow: Flow } | { problems: SchemaProblem[] } {
  const validate = validator();
  if (validate(json)) return { flow: json };
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const p of (validate.errors ?? []).flatMap(problem)) {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  return { problems };
}

const pointer = (path: string, ...more: string[]): string => [path, ...more].join('/') || '/';

function described(e: ErrorObject): string | undefined {
  const s: unknown = e.parentSchema;
  if (typeof s !== 'object' || s === null || !('description' in s)) return undefined;
  return typeof s.description === 'string' ? s.description : undefined;
}

/** Ajv's error as a finding; the noise of `if`/`oneOf` branches and wrapper errors is dropped. */
function problem(e: ErrorObject): SchemaProblem[] {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'if' || e.keyword === 'propertyNames') return [];
  if (e.schemaPath.includes('/oneOf/')) return [];
  if (e.keyword === 'required') return [{ path: pointer(e.instancePath, String(params.missingProperty)), message: 'missing required field' }];
  if (e.keyword === 'additionalProperties') {
    return [{ path: pointer(e.instancePath, String(params.additionalProperty)), message: 'unknown field (check its spelling against docs/ivr.md)' }];
  }
  const what = described(e);
  // An error inside propertyNames is about a key, not a value.
  if (e.propertyName !== undefined) {
    return [{ path: pointer(e.instancePath, e.propertyName), message: `"${e.propertyName}" is not ${what ?? 'a valid key here'}` }];
  }
  if (e.keyword === 'enum' && !what) return [{ path: pointer(e.instancePath), message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` }];
  return [{ path: pointer(e.instancePath), message: what ? `must be ${what}` : (e.message ?? 'is not valid') }];
}
