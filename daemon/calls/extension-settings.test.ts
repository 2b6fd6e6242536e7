import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from '../store/database.js';
import { Store } from '../store/store.js';
import { setExtensionPermissions, setExtensionRecord } from './extension-settings.js';

function box(dir: string): Store {
  const store = new Store(openDatabase(join(dir, 'octoline.db')));
  for (const ext of ['1001', '1002']) store.extensions.upsert({ ext, displayName: '', realm: 'octoline', ha1Md5: 'x', ha1Sha256: 'y' });
  for (const id of [1, 2]) store.lines.upsert({ id, number: `0215555010${id}`, numberNorm: `0215555010${id}`, gatewayId: null, portUser: `line${id}` });
  return store;
}

t.test('permissions are parsed from what the installer typed', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  t.same(setExtensionPermissions(store, '1001', { lines: '2, 1,2', allow: '00852,+852,00852', deny: '9' }),
    { outbound: true, allowedLines: [1, 2], allowPrefixes: ['00852', '+852'], denyPrefixes: ['9'] }, 'sorted, duplicates dropped');
  t.same(setExtensionPermissions(store, '1001', { outbound: 'OFF' }), { outbound: false, allowedLines: [1, 2], allowPrefixes: ['00852', '+852'], denyPrefixes: ['9'] }, 'other fields kept');
  t.same(setExtensionPermissions(store, '1001', { lines: 'all', allow: 'none', deny: '', outbound: 'on' }), { outbound: true, allowedLines: [], allowPrefixes: [], denyPrefixes: [] });
  t.same(setExtensionPermissions(store, '1002', {}), { outbound: true, allowedLines: [], allowPrefixes: [], denyPrefixes: [] }, 'no flags: shows what is in force');
  t.same(setExtensionPermissions(store, '1002', { allow: '+' }).allowPrefixes, ['+']);
});

t.test('bad permission input is refused before anything is written', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  const cases: Array<[string, Parameters<typeof setExtensionPermissions>[2], string, RegExp]> = [
    ['1999', { outbound: 'off' }, 'EXTENSION_NOT_FOUND', /^there is no extension 1999 \(extensions: 1001, 1002\)$/],
    ['1001', { lines: '1,9' }, 'EXTENSION_BAD_LINES', /^--lines: there is no line "9" \(lines: 1, 2; or use all\)$/],
    ['1001', { lines: 'one' }, 'EXTENSION_BAD_LINES', /there is no line "one"/],
    ['1001', { lines: ' , ' }, 'EXTENSION_BAD_LINES', /^--lines: give line numbers \(1,2\) or all$/],
    ['1001', { deny: '9', allow: '00-852' }, 'EXTENSION_BAD_PREFIX', /^--allow: "00-852" is not a number prefix/],
    ['1001', { deny: '1+' }, 'EXTENSION_BAD_PREFIX', /^--deny: "1\+" is not a number prefix/],
    ['1001', { deny: '*8' }, 'EXTENSION_BAD_PREFIX', /"\*8"/],
    ['1001', { deny: '1'.repeat(17) }, 'EXTENSION_BAD_PREFIX', /at most 16/],
    ['1001', { lines: '1', outbound: 'maybe' }, 'EXTENSION_BAD_OUTBOUND', /^--outbound: "maybe" is not on or off$/],
  ];
  for (const [ext, input, code, message] of cases) t.throws(() => setExtensionPermissions(store, ext, input), { code, message }, JSON.stringify(input));
  t.same(store.extensions.permissions('1001'), { outbound: true, allowedLines: [], allowPrefixes: [], denyPrefixes: [] }, 'nothing written');
});

t.test('the recording policy is one of off, ring, answer', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  t.equal(setExtensionRecord(store, '1002', 'ring'), 'ring');
  t.equal(store.extensions.get('1002')?.record, 'ring');
  t.throws(() => setExtensionRecord(store, '1002', 'always'), { code: 'EXTENSION_BAD_RECORD', message: '"always" is not a recording policy: use off, ring or answer' });
  t.throws(() => setExtensionRecord(store, '1999', 'ring'), { code: 'EXTENSION_NOT_FOUND' });
  t.equal(store.extensions.get('1002')?.record, 'ring');
});
