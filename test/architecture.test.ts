import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from './helpers/octoline.js';

/**
 * The layering of DESIGN.md, enforced: data flows drivers → engines → store → http. A wrong import
 * fails here instead of in a review. (A 60-line check over our own import lines instead of
 * dependency-cruiser: these rules need no more, and it adds no dependency.)
 */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(['"]([^'"]+)['"]\)/g), ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)];
  return found.map((m) => m[1] ?? '').filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolve(dirname(file), s)));
}

const files = ['drivers', 'daemon'].flatMap((d) => sources(join(ROOT, d))).map((f) => relative(ROOT, f));
const layer = (p: string) => p.split('/').slice(0, 2).join('/');
const ENGINE_EXEMPT = new Set(['daemon/http', 'daemon/cli', 'daemon/main.ts']);

const rules: Array<{ name: string; from: (f: string) => boolean; to: (i: string) => boolean }> = [
  { name: 'a driver never imports the daemon', from: (f) => f.startsWith('drivers/'), to: (i) => i.startsWith('daemon/') },
  // Domain type modules (no logic, no imports of their own engine) are shared with the store that persists them.
  { name: 'the store imports no engine, http or cli', from: (f) => f.startsWith('daemon/store/'), to: (i) => i.startsWith('daemon/') && !i.startsWith('daemon/store/') && i !== 'daemon/acd/acd-types.js' },
  { name: 'an engine never imports http or cli', from: (f) => f.startsWith('daemon/') && !ENGINE_EXEMPT.has(layer(f)) && !f.startsWith('daemon/cli/'), to: (i) => i.startsWith('daemon/http/') || i.startsWith('daemon/cli/') },
  { name: 'http never imports the cli', from: (f) => f.startsWith('daemon/http/'), to: (i) => i.startsWith('daemon/cli/') },
  { name: 'production code never imports tests', from: (f) => !f.endsWith('.test.ts'), to: (i) => i.startsWith('test/') },
];

for (const rule of rules) {
  t.test(rule.name, async (t) => {
    const bad = files.filter(rule.from).flatMap((f) => imports(join(ROOT, f)).filter(rule.to).map((i) => `${f} → ${i}`));
    t.same(bad, [], bad.join('\n'));
  });
}

t.test('no `any` in the code base', async (t) => {
  const all = ['drivers', 'daemon', 'scripts', 'test', 'bench', 'sounds'].flatMap((d) => {
    try { return sources(join(ROOT, d)); } catch { return []; }
  });
  const bad = all.filter((f) => !f.endsWith('architecture.test.ts')).flatMap((f) => readFileSync(f, 'utf8').split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => /(:\s*any\b|\bas any\b|<any>|any\[\])/.test(line.replace(/\/\/.*$|'[^']*'|"[^"]*"|`[^`]*`/g, '')))
    .map(({ i }) => `${relative(ROOT, f)}:${i + 1}`));
  t.same(bad, [], bad.join('\n'));
});
