import t from 'tap';
import { readFileSync } from 'node:fs';
import type { TObject } from '@sinclair/typebox';
import { ConfigSchema } from './schema.js';

t.test('every config key is documented in docs/config.md with its default', async (t) => {
  const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
  for (const [section, schema] of Object.entries(ConfigSchema.properties)) {
    t.match(doc, `### [${section}]`, `section [${section}] documented`);
    for (const [key, field] of Object.entries((schema as TObject).properties)) {
      const def = JSON.stringify((field as { default?: unknown }).default);
      t.match(doc, `| \`${key}\` | \`${def}\` |`, `${section}.${key} documented with default ${def}`);
    }
  }
});
