import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from './logger.js';

t.test('secrets never reach a log line, other fields do', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const log = createLogger({ level: 'info', destination: sink }).child({ component: 'test' });
  log.info({ user: 'admin', password: 'hunter2', auth: { ha1: 'abcdef0123', nonce: 'n1' }, callId: 'c1' }, 'login');
  const text = lines.join('');
  t.notMatch(text, /hunter2/);
  t.notMatch(text, /abcdef0123/);
  const row = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  t.equal(row['user'], 'admin');
  t.equal(row['callId'], 'c1');
  t.equal(row['component'], 'test');
  t.equal(row['password'], '[redacted]');
});
