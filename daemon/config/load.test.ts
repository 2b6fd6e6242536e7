import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveConfigPath, writeConfig, ConfigError } from './index.js';

const dir = t.testdir({});
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const refused = (t: Test, text: string, field: string, mention: RegExp) => {
  const p = file(`bad-${field}.conf`, text);
  try {
    loadConfig(p);
    t.fail(`expected ${field} to be refused`);
  } catch (err) {
    t.ok(err instanceof ConfigError, 'a ConfigError');
    const e = err as ConfigError;
    t.equal(e.code, 'CONFIG_INVALID');
    t.equal(e.field, field, 'names the exact field');
    t.match(e.message, p, 'names the file');
    t.match(e.message, mention, 'says what is allowed');
  }
};

t.test('no file at all gives the embedded loopback defaults', async (t) => {
  const cfg = loadConfig(join(dir, 'missing.conf'));
  t.equal(cfg.fromDefaults, true);
  t.equal(cfg.sip.bind, '127.0.0.1');
  t.equal(cfg.sip.port, 5060);
  t.equal(cfg.http.port, 8080);
  t.equal(cfg.rtpengine.mode, 'spawn');
  t.equal(cfg.rtpengine.table, -1, 'userspace forwarding by default');
  t.equal(cfg.box.time_zone, 'Asia/Shanghai');
  t.equal(cfg.box.data_dir, join(dir, 'data'), 'dev data dir sits beside the config');
  t.equal(cfg.box.runtime_dir, join(dir, 'data', 'run'));
});

t.test('a missing file is refused when the caller requires one', async (t) => {
  t.throws(() => loadConfig(join(dir, 'missing.conf'), { mustExist: true }), { code: 'CONFIG_NOT_FOUND' });
});

t.test('a good file overrides only what it names', async (t) => {
  const p = file('good.conf', `
[sip]
port = 5070
[http]
port = 8090
[box]
data_dir = "state"
time_zone = "Europe/Paris"
log_level = "debug"
[rtpengine]
mode = "external"
ng = "127.0.0.1:2223"
`);
  const cfg = loadConfig(p);
  t.equal(cfg.fromDefaults, false);
  t.equal(cfg.sip.port, 5070);
  t.equal(cfg.sip.bind, '127.0.0.1', 'unnamed keys keep their defaults');
  t.equal(cfg.http.port, 8090);
  t.equal(cfg.box.data_dir, join(dir, 'state'), 'relative paths resolve against the config file');
  t.equal(cfg.box.log_level, 'debug');
  t.equal(cfg.rtpengine.mode, 'external');
  t.equal(cfg.rtpengine.ng, '127.0.0.1:2223');
});

t.test('bad values are refused with the exact field path and what is allowed', async (t) => {
  refused(t, '[sip]\nport = 70000\n', 'sip.port', /1-65535.*70000/);
  refused(t, '[sip]\nport = "5060"\n', 'sip.port', /port number/);
  refused(t, '[sip]\nbogus = 1\n', 'sip.bogus', /unknown key.*bind, port/);
  refused(t, '[rtpengine]\nmode = "kernel"\n', 'rtpengine.mode', /"spawn".*"external"/);
  refused(t, '[box]\nlog_level = "loud"\n', 'box.log_level', /fatal, error, warn, info/);
  refused(t, '[box]\ntime_zone = "Mars/Olympus"\n', 'box.time_zone', /IANA/);
  refused(t, 'sip = 5\n', 'sip', /section/);
  refused(t, '[rtpengine]\nport_min = 31000\nport_max = 30000\n', 'rtpengine.port_max', /port_min/);
  refused(t, '[rtpengine]\nng_port = 5060\n', 'rtpengine.ng_port', /sip\.port/);
  refused(t, '[rtpengine]\ndtmf_log_port = 30010\n', 'rtpengine.dtmf_log_port', /RTP range/);
  refused(t, '[http]\nport = 5060\n', 'http.port', /sip\.port/);
  refused(t, '[sip]\nbind = "localhost; rm -rf /"\n', 'sip.bind', /address/);
});

t.test('a TOML syntax error names the line', async (t) => {
  const p = file('syntax.conf', '[sip]\nport = = 5\n');
  t.throws(() => loadConfig(p), { code: 'CONFIG_SYNTAX', message: /line 2/ });
});

t.test('an unreadable file is a clear error, not a crash', async (t) => {
  t.throws(() => loadConfig(dir, { mustExist: true }), { code: 'CONFIG_UNREADABLE' });
});

t.test('a written config reads back identically', async (t) => {
  const first = loadConfig(file('w.conf', '[sip]\nport = 5071\n'));
  const out = join(dir, 'sub', 'written.conf');
  writeConfig(out, { box: { ...first.box, data_dir: 'd', runtime_dir: '' }, sip: first.sip, http: first.http, rtpengine: first.rtpengine, calls: first.calls, recording: first.recording, acd: first.acd });
  const again = loadConfig(out);
  t.equal(again.sip.port, 5071);
  t.equal(again.box.data_dir, join(dir, 'sub', 'd'));
});

t.test('the config path comes from the flag, then $OCTOLINE_CONFIG, then a default', async (t) => {
  t.equal(resolveConfigPath('/x/y.conf', {}), '/x/y.conf');
  t.equal(resolveConfigPath(undefined, { OCTOLINE_CONFIG: '/a/b.conf' }), '/a/b.conf');
  t.match(resolveConfigPath(undefined, {}), /octoline\.conf$/);
});
