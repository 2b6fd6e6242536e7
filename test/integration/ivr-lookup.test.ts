import t from 'tap';
import type { Test } from 'tap';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCallBox, type CallBox } from '../helpers/call-box.js';
import { SIPP_SCENARIO_DIR, startSipp } from '../helpers/sipp.js';

/**
 * A flow that looks an order up over HTTP, end to end: SIPp plays the gateway and keys in the order
 * number (RFC 2833), the box GETs /orders/NUMBER from a shop server on 127.0.0.1 and says the amount
 * and the status; when the server is slow, answers garbage or fails, the caller hears the flow's
 * error branch (`order.not-found`) and the flow hangs up: never dead air.
 */

const CALLER = '13800138000';
/** The lookup's bound; the slow order answers well after it. */
const LOOKUP_TIMEOUT_MS = 800;
const SLOW_MS = 5000;

/** The shop's order service: each order number makes it behave one way. */
const ORDERS: Record<string, (res: ServerResponse) => void> = {
  '123': (res) => json(res, 200, JSON.stringify({ order: { amount: '12.50', status: 'delivered' } })),
  '456': (res) => {
    const timer = setTimeout(() => json(res, 200, JSON.stringify({ order: { amount: '1.00', status: 'delivered' } })), SLOW_MS);
    res.on('close', () => clearTimeout(timer));
  },
  '789': (res) => json(res, 200, '{"order": {"amount": 12.5,'),
  '250': (res) => json(res, 500, JSON.stringify({ error: 'database down' })),
};

function json(res: ServerResponse, status: number, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

/** The order server on a random loopback port; `requests` lists the paths asked for. */
async function startOrderServer(t: Test): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const handler = ORDERS[/^\/orders\/(\w+)$/.exec(req.url ?? '')?.[1] ?? ''];
    if (handler) handler(res);
    else json(res, 404, '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, requests };
}

function lookupFlow(port: number): object {
  return {
    name: 'order-lookup', language: 'en', start: 'ask', on_error: 'sorry',
    nodes: {
      ask: { type: 'collect', prompts: ['beep'], into: 'order_no', max_digits: 3, timeout_s: 3, retries: 0, next: 'look', on_fail: 'bye' },
      look: {
        type: 'http_lookup', method: 'GET', url: `http://127.0.0.1:${port}/orders/\${order_no}`, timeout_ms: LOOKUP_TIMEOUT_MS,
        assign: { amount: 'order.amount', status: 'order.status' }, next: 'amount', on_error: 'not_found',
      },
      amount: { type: 'say', kind: 'amount', value: '${amount}', next: 'status' },
      status: { type: 'play', prompts: ['order.status.${status}'], next: 'bye' },
      not_found: { type: 'hangup', prompts: ['order.not-found'] },
      bye: { type: 'hangup', prompts: ['beep'] },
      sorry: { type: 'hangup', prompts: ['error.operator'] },
    },
  };
}

const PCAP_NAME: Record<string, string> = { '*': 'star', '#': 'pound' };

/**
 * gw-inbound-digits.xml with the tone, hold_ms and one play_pcap_audio per key written in; each key
 * gets 300 ms (a pcap lasts 140 ms, and a second play_pcap_audio would cancel one still playing).
 */
function digitsScenario(cb: CallBox, keys: string, holdMs: number): string {
  const block = [...keys].map((k) => `  <nop><action><exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_${PCAP_NAME[k] ?? k}.pcap"/></action></nop>\n` +
    '  <pause milliseconds="300"/>').join('\n');
  const text = readFileSync(join(SIPP_SCENARIO_DIR, 'gw-inbound-digits.xml'), 'utf8')
    .replace('\n[digits]\n', `\n${block}\n`).replaceAll('[tone]', cb.gatewayTone).replaceAll('[hold_ms]', String(holdMs));
  const out = join(cb.box.dir, `digits-${keys.replace(/\W/g, '_')}-gw-inbound-digits.xml`);
  writeFileSync(out, text);
  return out;
}

interface CallEvent { type: string; at: number; data: Record<string, unknown> }

interface OrderCall {
  cause: string;
  events: CallEvent[];
  prompts: unknown[];
  /** From entering the lookup node to the first prompt after it (what the caller waits through). */
  silenceAfterLookupMs: number;
}

/** One caller keys in `order`; resolves once the box has hung up and the call's row is closed. */
async function callWithOrder(t: Test, cb: CallBox, order: string): Promise<OrderCall> {
  const since = Date.now();
  const gw = await startSipp(t, {
    scenario: { file: digitsScenario(cb, order, 20_000) },
    remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: CALLER, caller_name: 'Zhao' }, timeoutS: 40,
  });
  t.equal((await gw.done).code, 0, 'the box hung up (the gateway answered its BYE)');
  const row = await cb.waitRow<{ id: string; cause: string }>('SELECT id, cause FROM calls WHERE ended_at IS NOT NULL AND started_at >= ?', [since]);
  const events = (cb.db.prepare('SELECT type, at, data FROM events WHERE call_id = ? ORDER BY id').all(row.id) as Array<{ type: string; at: number; data: string }>)
    .map((e) => ({ type: e.type, at: e.at, data: JSON.parse(e.data) as Record<string, unknown> }));
  const lookupAt = events.find((e) => e.type === 'ivr.entered' && e.data['node'] === 'look')?.at ?? NaN;
  const nextPromptAt = events.find((e) => e.type === 'ivr.prompt' && e.at >= lookupAt)?.at ?? NaN;
  return {
    cause: row.cause, events, prompts: events.filter((e) => e.type === 'ivr.prompt').map((e) => e.data['prompt']),
    silenceAfterLookupMs: nextPromptAt - lookupAt,
  };
}

t.test('a flow that looks the caller\'s order up over HTTP', async (t) => {
  const orders = await startOrderServer(t);
  const cb = await startCallBox(t, { extensions: [] });
  const flowFile = join(cb.box.dir, 'order-lookup.json');
  writeFileSync(flowFile, JSON.stringify(lookupFlow(orders.port), null, 2));
  await cb.cli(['flows', 'import', flowFile]);
  await cb.cli(['lines', 'route', '1', 'flow:order-lookup']);

  await t.test('an order that exists: the box says its amount and status, then goodbye', async (t) => {
    const c = await callWithOrder(t, cb, '123');
    t.ok(orders.requests.includes('/orders/123'), 'the box asked the shop for the number the caller keyed in');
    t.same(c.events.filter((e) => e.type === 'ivr.digit').map((e) => e.data['digit']), ['1', '2', '3'], 'the three keys reached the flow');
    t.same(c.prompts, ['beep', 'num.12', 'cur.dollars', 'word.and', 'num.50', 'cur.cents', 'order.status.delivered', 'beep'],
      'the answer was used: "twelve dollars and fifty cents", the delivered status, then the closing beep');
    t.same(c.events.filter((e) => e.type === 'ivr.error'), [], 'no flow error');
    t.equal(c.cause, 'ivr_hangup', 'the flow hung up');
  });

  const failures: Array<[string, string, RegExp]> = [
    ['456', `a shop that answers after ${SLOW_MS} ms (beyond timeout_ms ${LOOKUP_TIMEOUT_MS})`, /lookup failed: .*timeout/i],
    ['789', 'a shop that answers broken JSON', /lookup failed: .*JSON/],
    ['250', 'a shop that answers HTTP 500', /lookup failed: HTTP 500/],
  ];

  for (const [order, what, reason] of failures) {
    await t.test(`${what}: the caller hears "order not found" and the flow hangs up`, async (t) => {
      const c = await callWithOrder(t, cb, order);
      t.ok(orders.requests.includes(`/orders/${order}`), 'the box asked the shop');
      t.match(c.events.filter((e) => e.type === 'ivr.error'), [{ data: { node: 'look', reason } }], 'the failed lookup is an ivr.error on the lookup node');
      t.same(c.prompts, ['beep', 'order.not-found'], 'the node\'s error branch plays, nothing of the answer');
      t.ok(c.silenceAfterLookupMs <= LOOKUP_TIMEOUT_MS + 2000, `no dead air: the error prompt started ${c.silenceAfterLookupMs} ms after the lookup began`);
      t.equal(c.cause, 'ivr_hangup', 'the call ends by the flow\'s hangup');
    });
  }
});
