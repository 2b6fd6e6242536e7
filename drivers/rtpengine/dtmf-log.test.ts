import t from 'tap';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { DtmfLogListener, parseDtmfDatagram, type DtmfEvent } from './dtmf-log.js';
import { freePort } from '../../test/helpers/ports.js';
import { testLogger } from '../../test/helpers/log.js';

const sample = { callid: 'abc', source_tag: 'tagA', tags: ['tagA', 'tagB'], type: 'DTMF', timestamp: 1795339488, source_ip: '127.0.0.1', event: 11, duration: 100, volume: 10 };

t.test('rtpengine DTMF datagrams become typed digits', async (t) => {
  t.match(parseDtmfDatagram(Buffer.from(JSON.stringify(sample))), { callId: 'abc', sourceTag: 'tagA', digit: '#', event: 11, durationMs: 100 });
  t.equal(parseDtmfDatagram(Buffer.from(JSON.stringify({ ...sample, event: 10 })))?.digit, '*');
  t.equal(parseDtmfDatagram(Buffer.from(JSON.stringify({ ...sample, event: 16 })))?.digit, '16', 'flash keeps its number');
});

t.test('garbage on the DTMF port is ignored, never thrown', async (t) => {
  for (const bad of ['', 'not json', '[]', 'null', '{"callid":1}', JSON.stringify({ ...sample, event: -1 }), JSON.stringify({ ...sample, event: 1.5 }), JSON.stringify({ ...sample, type: 'other' })]) {
    t.equal(parseDtmfDatagram(Buffer.from(bad)), undefined, `ignored: ${bad.slice(0, 30)}`);
  }
});

t.test('the listener receives a datagram over loopback', async (t) => {
  const port = await freePort();
  const l = new DtmfLogListener({ log: testLogger() }, { port });
  await l.start();
  t.teardown(() => l.stop());
  const got = once(l, 'dtmf');
  const s = createSocket('udp4');
  t.teardown(() => s.close());
  s.send(Buffer.from('junk'), port, '127.0.0.1');
  s.send(Buffer.from(JSON.stringify({ ...sample, event: 5 })), port, '127.0.0.1');
  const [ev] = await got as [DtmfEvent];
  t.equal(ev.digit, '5');
  const second = new DtmfLogListener({ log: testLogger() }, { port });
  await t.rejects(second.start(), { code: 'RTPENGINE_DTMF_PORT_IN_USE', message: new RegExp(String(port)) });
});
