import t from 'tap';
import { startCallBox } from '../helpers/call-box.js';
import { startSipp } from '../helpers/sipp.js';

t.test('a line routed to a queue: the caller waits, the linear strategy offers the first member, who answers', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001', '1002'] });
  await cb.cli(['queues', 'add', 'sales', '--strategy', 'linear', '--members', '1002,1001', '--language', 'en']);
  await cb.cli(['lines', 'route', '1', 'queue:sales']);
  const a2 = await cb.phone('1002');
  await cb.phone('1001');
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: 5000 }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: '13800138000', caller_name: 'Li' }, timeoutS: 40,
  });
  await a2.waitCall('CALL_ESTABLISHED', 20_000);
  t.equal((await gw.done).code, 0);
  t.match(cb.events('queue.answered'), [{ data: { queue: 'sales', extension: '1002' } }]);
});
