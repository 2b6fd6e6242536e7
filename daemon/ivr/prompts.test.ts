import t from 'tap';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FFMPEG_PATH } from '../../drivers/ffmpeg/probe-duration.js';
import { PACKAGE_ROOT } from '../package-info.js';
import { PromptLibrary } from './prompts.js';

const run = promisify(execFile);

/** A tone file made by ffmpeg; the extension picks the format. */
async function tone(dir: string, name: string, seconds: number, args: string[] = []): Promise<string> {
  const path = join(dir, name);
  await run(FFMPEG_PATH, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}:sample_rate=44100`, ...args, path]);
  return path;
}

t.test('references resolve to generated prompts per language and to uploads', async (t) => {
  const dir = t.testdir({ sounds: { en: { 'welcome.wav': 'RIFF' }, 'zh-CN': { 'welcome.wav': 'RIFF' } }, data: { prompts: { 'spring-promo.wav': 'RIFF' } } });
  const lib = new PromptLibrary({ dataDir: join(dir, 'data'), soundsDir: join(dir, 'sounds') });
  t.equal(lib.resolve('welcome', 'en'), join(dir, 'sounds', 'en', 'welcome.wav'));
  t.equal(lib.resolve('welcome', 'zh-CN'), join(dir, 'sounds', 'zh-CN', 'welcome.wav'));
  t.equal(lib.resolve('upload:spring-promo', 'zh-CN'), join(dir, 'data', 'prompts', 'spring-promo.wav'), 'an upload is the same in every language');
  t.equal(lib.resolve('upload:spring-promo', 'en'), join(dir, 'data', 'prompts', 'spring-promo.wav'));
  t.ok(lib.exists('welcome', 'en'));
  t.ok(lib.exists('upload:spring-promo', 'en'));
  t.notOk(lib.exists('menu.main', 'en'), 'no such generated file here');
  t.notOk(lib.exists('upload:autumn', 'en'), 'no such upload');
  for (const bad of ['', '../etc/passwd', 'upload:', 'upload:../x', 'upload:Spring', 'a/b', 'upload:a b']) {
    t.equal(lib.resolve(bad, 'en'), undefined, `"${bad}" is malformed`);
    t.notOk(lib.exists(bad, 'en'));
  }
  t.equal(new PromptLibrary({ dataDir: dir }).resolve('menu.main', 'zh-CN'), join(PACKAGE_ROOT, 'sounds', 'build', 'zh-CN', 'menu.main.wav'), 'the default is the package\'s sounds/build');
});

t.test('an upload is converted, listed, replaced, and a bad file leaves it as it was', async (t) => {
  const dir = t.testdir({ data: {}, in: { 'notes.mp3': 'not audio at all, just text\n' } });
  const lib = new PromptLibrary({ dataDir: join(dir, 'data') });
  t.same(await lib.list(), [], 'nothing uploaded yet (no prompts dir)');

  const added = await lib.add('spring-promo', await tone(join(dir, 'in'), 'promo.mp3', 2, ['-ac', '2']));
  t.match(added, { name: 'spring-promo', ref: 'upload:spring-promo', path: join(dir, 'data', 'prompts', 'spring-promo.wav'), replaced: false });
  t.ok(Math.abs(added.durationMs - 2000) <= 60, `${added.durationMs} ms`);
  t.ok(lib.exists('upload:spring-promo', 'en'));
  const first = await readFile(added.path);
  t.equal(first.readUInt32LE(24), 8000, 'WAV header: 8 kHz');
  t.equal(first.readUInt16LE(22), 1, 'WAV header: mono');

  await t.rejects(lib.add('spring-promo', join(dir, 'in', 'notes.mp3')), { code: 'FFMPEG_NO_AUDIO', message: /notes\.mp3 is not an audio file/ });
  t.same(await readFile(added.path), first, 'the previous upload is untouched');

  const again = await lib.add('spring-promo', await tone(join(dir, 'in'), 'longer.ogg', 3, ['-c:a', 'libvorbis']));
  t.equal(again.replaced, true);
  await lib.add('after-hours_2', await tone(join(dir, 'in'), 'ah.wav', 1));
  const list = await lib.list();
  t.same(list.map((p) => p.name), ['after-hours_2', 'spring-promo'], 'by name');
  t.ok(Math.abs((list[1]?.durationMs ?? 0) - 3000) <= 60, 'the replacement is listed with its length');
  t.match(list[0], { ref: 'upload:after-hours_2', sizeBytes: Number });
  t.same((await readdir(join(dir, 'data', 'prompts'))).sort(), ['after-hours_2.wav', 'spring-promo.wav'], 'no temp files');
});

t.test('names are checked; remove refuses a missing prompt or one a flow plays', async (t) => {
  const dir = t.testdir({ data: { prompts: { 'used.wav': 'x', 'free.wav': 'y' } }, 'in.wav': '' });
  const lib = new PromptLibrary({ dataDir: join(dir, 'data'), usedBy: (n) => (n === 'used' ? ['main', 'after-hours'] : []) });
  for (const bad of ['', 'Promo', '-promo', 'a'.repeat(49), 'a.b', '../x']) {
    await t.rejects(lib.add(bad, join(dir, 'in.wav')), { code: 'PROMPT_BAD_NAME' }, `add "${bad}"`);
    await t.rejects(lib.remove(bad), { code: 'PROMPT_BAD_NAME' }, `remove "${bad}"`);
  }
  await t.rejects(lib.remove('nope'), { code: 'PROMPT_NOT_FOUND', message: 'no uploaded prompt "nope" (see: octoline prompts list)' });
  await t.rejects(lib.remove('used'), { code: 'PROMPT_IN_USE', message: 'prompt "used" is played by flows main, after-hours; take upload:used out of them first' });
  await lib.remove('free');
  t.same(await readdir(join(dir, 'data', 'prompts')), ['used.wav'], 'only the free one is gone');
});
