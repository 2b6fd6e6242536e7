import t from 'tap';
import { startCallBox } from '../helpers/call-box.js';
import { startSipp } from '../helpers/sipp.js';
import { startSipPhone } from '../helpers/sip-phone.js';

t.test('probe: transferor hangs up right after 202 of a blind transfer', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001', '1003'] });
  await cb.cli(['lines', 'route', '1', '1001']);
  const agent = await startSipPhone(t, { ext: '1001', boxPort: cb.box.sipPort });
  const colleague = await cb.phone('1003', { answerMode: 'manual' });
  const gw = await startSipp(t, { scenario: { file: cb.scenario('gw-inbound-reinvite.xml', { hold_ms: 15000 }) }, remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: '13800138000', caller_name: 'W' }, timeoutS: 40 });
  const customer = await agent.waitCall();
  t.equal(await customer.refer('1003'), 202);
  await customer.hangup();
  const r = await colleague.waitCall('CALL_INCOMING', 10_000).then(() => 'rang', (e: Error) => e.message.slice(0, 80));
  t.comment('1003: ' + r);
  t.comment('ended events: ' + JSON.stringify(cb.events('call.ended')));
  if (r === 'rang') { await colleague.answer(); t.comment(JSON.stringify(await colleague.waitCall('CALL_ESTABLISHED', 5000).then((e) => e.type, (e: Error) => e.message.slice(0, 80)))); }
  const res = await gw.done; t.comment('gw ' + res.code);
  t.comment('ended events: ' + JSON.stringify(cb.events('call.ended')));
});
