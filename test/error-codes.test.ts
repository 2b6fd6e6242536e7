import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/octoline.js';

const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => {
  const p = join(dir, n);
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
});

t.test('every error code in the code base is listed in docs/errors.md', async (t) => {
  const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  const codes = new Set<string>();
  for (const f of ['daemon', 'drivers', 'scripts'].flatMap((d) => files(join(ROOT, d)))) {
    const text = readFileSync(f, 'utf8');
    // The literal unions of `type XxxErrorCode = 'A' | 'B'` (one line or several).
    for (const m of text.matchAll(/type \w*ErrorCode\s*=([^;]+);/g)) {
      for (const c of (m[1] ?? '').matchAll(/'([A-Z][A-Z0-9_]+)'/g)) codes.add(c[1] ?? '');
    }
  }
  t.ok(codes.size > 30, `found ${codes.size} codes`);
  for (const code of codes) t.match(doc, `\`${code}\``, `${code} documented`);
});
