import { performance } from 'node:perf_hooks';
import t from 'tap';
import { createErrorResponse, getCallId, StreamFramer, type FramerEvent, type SipMessage } from './index.js';

function wire(callId: string, body = ''): Buffer {
  return Buffer.from([
    'MESSAGE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK' + callId,
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=1',
    'To: <sip:bob@example.com>',
    `Call-ID: ${callId}`,
    'CSeq: 1 MESSAGE',
    'Content-Type: text/plain',
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
    '',
    body,
  ].join('\r\n'), 'latin1');
}

function messages(events: FramerEvent[]): SipMessage[] {
  return events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
}

t.test('two messages in one chunk come out as two messages', async (t) => {
  const f = new StreamFramer();
  const events = f.push(Buffer.concat([wire('a', 'hello'), wire('b', 'world')]));
  const ms = messages(events);
  t.same(ms.map(getCallId), ['a', 'b']);
  t.same(ms.map((m) => m.body.toString()), ['hello', 'world']);
  t.equal(f.buffered, 0);
});

t.test('a message split across chunks comes out once it is complete', async (t) => {
  const data = Buffer.concat([wire('split', 'x'.repeat(300)), wire('next', 'y')]);
  for (const size of [1, 7, 100]) {
    const f = new StreamFramer();
    const got: SipMessage[] = [];
    for (let i = 0; i < data.length; i += size) got.push(...messages(f.push(data.subarray(i, i + size))));
    t.same(got.map(getCallId), ['split', 'next'], `chunks of ${size} bytes`);
    t.equal(got[0]?.body.toString(), 'x'.repeat(300));
  }
});

t.test('bodies stay intact after later chunks reuse the buffer', async (t) => {
  const f = new StreamFramer();
  const first = messages(f.push(wire('one', '\0\x01\xff binary')));
  f.push(Buffer.alloc(5000, 0x41));
  t.equal(first[0]?.body.toString('latin1'), '\0\x01\xff binary');
});

t.test('CRLFCRLF is a ping to answer and a single CRLF is skipped', async (t) => {
  const f = new StreamFramer();
  t.same(f.push(Buffer.from('\r\n\r\n')), [{ type: 'ping' }]);
  t.same(f.push(Buffer.from('\r\n')), [], 'a lone CRLF waits: it may be half a ping');
  t.same(f.push(Buffer.from('\r\n')), [{ type: 'ping' }], 'the ping split across chunks');
  const events = f.push(Buffer.concat([Buffer.from('\r\n'), wire('after')]));
  t.same(events.map((e) => e.type), ['message'], 'CRLF before a start line is ignored (RFC 3261 §7.5)');
});

t.test('a stream message without Content-Length is fatal and answered before closing', async (t) => {
  const f = new StreamFramer();
  const noLength = Buffer.from(wire('nolen').toString('latin1').replace(/Content-Length: 0\r\n/, ''), 'latin1');
  const events = f.push(noLength);
  const e = events[0];
  if (e?.type !== 'error') throw new Error('no error');
  t.equal(e.fatal, true);
  t.equal(e.error.code, 'SIP_BAD_CONTENT_LENGTH');
  t.equal(e.error.respondable, true);
  t.equal(createErrorResponse(e.error)?.status, 400);
  t.ok(f.failed);
  t.same(f.push(wire('later')), [], 'nothing more after a fatal error');
});

t.test('a framed but malformed message is reported and the stream goes on', async (t) => {
  const f = new StreamFramer();
  const bad = Buffer.from(wire('bad').toString('latin1').replace('CSeq: 1 MESSAGE', 'CSeq: x MESSAGE'), 'latin1');
  const events = f.push(Buffer.concat([bad, wire('good')]));
  t.equal(events[0]?.type === 'error' && events[0].fatal === false && events[0].error.code, 'SIP_BAD_CSEQ');
  t.same(messages(events).map(getCallId), ['good']);
  t.notOk(f.failed);
});

t.test('a head that grows past the size limit without ending is fatal', async (t) => {
  const f = new StreamFramer({ maxMessageSize: 2048 });
  const events: FramerEvent[] = [];
  events.push(...f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n')));
  for (let i = 0; i < 100 && !f.failed; i++) events.push(...f.push(Buffer.from(`X-Fill-${i}: ${'z'.repeat(40)}\r\n`)));
  const e = events.at(-1);
  t.equal(e?.type === 'error' && e.fatal && e.error.code, 'SIP_TOO_LARGE');
  t.ok(f.buffered === 0);
});

t.test('a line that grows past the line limit is fatal before it ends', async (t) => {
  const f = new StreamFramer({ maxLineLength: 1000 });
  const events = f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nSubject: ' + 'q'.repeat(1200)));
  t.equal(events[0]?.type === 'error' && events[0].error.code, 'SIP_LINE_TOO_LONG');
});

t.test('a Content-Length above the limit is fatal and answered 513', async (t) => {
  const f = new StreamFramer();
  const huge = Buffer.from(wire('big').toString('latin1').replace('Content-Length: 0', 'Content-Length: 900000'), 'latin1');
  const e = f.push(huge)[0];
  t.equal(e?.type === 'error' && e.fatal && e.error.status, 513);
});

t.test('feeding a large head one byte at a time stays linear', async (t) => {
  const lines = ['OPTIONS sip:a@b SIP/2.0'];
  for (let i = 0; i < 1200; i++) lines.push(`X-Filler-${i}: ${'v'.repeat(30)}`);
  const head = Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
  const f = new StreamFramer({ maxHeaders: 2000 });
  const started = performance.now();
  for (let i = 0; i < head.length; i++) f.push(head.subarray(i, i + 1));
  const ms = performance.now() - started;
  t.equal(f.buffered, head.length);
  t.comment(`${head.length} bytes one at a time in ${ms.toFixed(0)} ms`);
  t.ok(ms < 5000, 'no rescanning of what was already scanned');
});
