import type { TObject, TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/value';

/** The "what is allowed, what was given" half of a config error, for one failing field. */
export function describeError(root: TObject, err: ValueError): string {
  if (err.type === ValueErrorType.ObjectAdditionalProperties) {
    const keys = Object.keys(parentOf(root, err.path)?.properties ?? {});
    return `unknown key; allowed keys here: ${keys.join(', ')}`;
  }
  const allowed = err.schema.description ?? (err.schema.type === 'object'
    ? `a [section] with the keys ${Object.keys((err.schema as TObject).properties ?? {}).join(', ')}`
    : 'see docs/config.md');
  return `${allowed}; got ${JSON.stringify(err.value)}`;
}

function parentOf(root: TObject, path: string): TObject | undefined {
  const parts = path.split('/').filter(Boolean).slice(0, -1);
  let node: TSchema | undefined = root;
  for (const p of parts) node = (node as TObject | undefined)?.properties?.[p];
  return node as TObject | undefined;
}
