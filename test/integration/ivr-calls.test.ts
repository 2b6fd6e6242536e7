import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordingChannel, startCallBox } from '../helpers/call-box.js';
import { startSipp } from '../helpers/sipp.js';
import { dominantFrequency } from '../helpers/tone.js';

/**
 * Callers in a call flow, end to end: SIPp plays the gateway (RFC 2833 digits from SIPp's pcaps),
 * the box answers with its own media endpoint, rtpengine plays the prompts, a digit routes the
 * caller to a desk phone (baresip) that then takes over the media.
 */

const CALLER = '13800138000';

const menuFlow = {
  name: 'test-menu',
  language: 'en',
  start: 'greet',
  on_error: 'sorry',
  nodes: {
    greet: { type: 'play', prompts: ['welcome'], barge_in: true, next: 'menu' },
    menu: { type: 'menu', prompts: ['menu.main'], options: { '7': 'agent', '1': 'bye' }, timeout_s: 5, retries: 1, on_fail: 'bye' },
    agent: { type: 'route', target: '1001' },
    bye: { type: 'hangup', prompts: ['goodbye'] },
    sorry: { type: 'hangup', prompts: ['error.operator'] },
  },
};

t.test('a caller in a flow hears the greeting, presses 7, and is put through to 1001, who hears the caller', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  const file = join(cb.box.dir, 'test-menu.json');
  writeFileSync(file, JSON.stringify(menuFlow, null, 2));
  await cb.cli(['flows', 'import', file]);
  await cb.cli(['lines', 'route', '1', 'flow:test-menu']);
  const agent = await cb.phone('1001');
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound-dtmf.xml', { hold_ms: 8000, dtmf_pcap: '/usr/share/sip-tester/dtmf_2833_7.pcap' }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: CALLER, caller_name: 'Qian Jiu' }, timeoutS: 40,
  });
  await agent.waitCall('CALL_ESTABLISHED', 20_000);
  await agent.waitHeard(1.5, 30_000);
  const heard = (await agent.recordings()).heard.at(-1) as string;
  t.equal(await dominantFrequency(heard, { candidatesHz: [500, 1000] }), 1000, 'the agent hears the caller after the IVR handed over');
  t.equal((await gw.done).code, 0, 'the gateway call ran to its end');
  t.ok(cb.events('ivr.prompt').some((e) => e.data['prompt'] === 'welcome'), 'the greeting was played');
  t.match(cb.events('ivr.digit'), [{ data: { digit: '7' } }], 'the digit reached the flow');
  const row = await cb.waitRow<{ extension: string; disposition: string }>('SELECT extension, disposition FROM calls WHERE ended_at IS NOT NULL');
  t.match(row, { extension: '1001', disposition: 'answered' }, 'the CDR: answered by 1001');
});

t.test('a caller who presses nothing hears the menu again, then goodbye, and the box hangs up', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  const file = join(cb.box.dir, 'test-menu.json');
  // Short prompts keep the walk quick: beep as the menu, one-second time-outs.
  const quick = { ...menuFlow, nodes: { ...menuFlow.nodes, greet: { ...menuFlow.nodes.greet, prompts: ['beep'] }, menu: { ...menuFlow.nodes.menu, prompts: ['beep'], timeout_prompts: ['beep'], timeout_s: 1 } } };
  writeFileSync(file, JSON.stringify(quick, null, 2));
  await cb.cli(['flows', 'import', file]);
  await cb.cli(['lines', 'route', '1', 'flow:test-menu']);
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: 30000 }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: CALLER, caller_name: 'Zhou' }, timeoutS: 50,
  });
  t.equal((await gw.done).code, 0, 'the box hung up (the gateway answered its BYE)');
  const prompts = cb.events('ivr.prompt').map((e) => e.data['prompt']);
  t.same(prompts, ['beep', 'beep', 'beep', 'beep', 'goodbye'], 'greeting, the menu, the time-out notice and the menu again, then goodbye');
  t.equal(prompts.at(-1), 'goodbye', 'then goodbye');
  t.ok(cb.events('ivr.timeout').length >= 2, 'timeouts are events');
  const row = await cb.waitRow<{ cause: string }>('SELECT cause FROM calls WHERE ended_at IS NOT NULL');
  t.equal(row.cause, 'ivr_hangup');
});

t.test('voicemail: after the beep the caller speaks, the message is stored as audio and the caller is on the callback list', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  const file = join(cb.box.dir, 'vm.json');
  writeFileSync(file, JSON.stringify({
    name: 'vm-only', language: 'en', start: 'vm', on_error: 'bye',
    nodes: {
      vm: { type: 'voicemail', mailbox: '1001', greeting: ['beep'], max_seconds: 5, next: 'bye' },
      bye: { type: 'hangup', prompts: ['goodbye'] },
    },
  }));
  await cb.cli(['flows', 'import', file]);
  await cb.cli(['lines', 'route', '1', 'flow:vm-only']);
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: 20000 }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: CALLER, caller_name: 'Wu' }, timeoutS: 40,
  });
  t.equal((await gw.done).code, 0, 'the box hung up after the message (time limit), the gateway answered its BYE');
  const vm = await cb.waitRow<{ mailbox: string; caller: string; path: string; duration_ms: number; state: string }>('SELECT * FROM voicemail');
  t.match(vm, { mailbox: '1001', caller: CALLER, state: 'new' }, 'a new message in 1001\'s mailbox');
  t.ok(vm.duration_ms >= 4000 && vm.duration_ms <= 6000, `about the 5 s limit (${vm.duration_ms} ms)`);
  const wav = await recordingChannel(join(cb.box.dataDir, vm.path), 1, join(cb.box.dir, 'vm.wav'));
  t.equal(await dominantFrequency(wav, { candidatesHz: [500, 1000] }), 1000, 'it holds what the caller sent');
  const cbRow = await cb.waitRow<{ number: string; source: string; state: string }>('SELECT * FROM callbacks');
  t.match(cbRow, { number: CALLER, source: 'voicemail', state: 'pending' }, 'the caller is on the callback list');
});

t.test('a wrong digit gets the invalid-choice prompt and the menu again', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  const file = join(cb.box.dir, 'test-menu.json');
  const quick = {
    ...menuFlow,
    nodes: {
      ...menuFlow.nodes,
      greet: { ...menuFlow.nodes.greet, prompts: ['beep'] },
      menu: { ...menuFlow.nodes.menu, prompts: ['beep'], invalid_prompts: ['menu.invalid'], timeout_prompts: ['beep'], timeout_s: 1, retries: 1 },
    },
  };
  writeFileSync(file, JSON.stringify(quick, null, 2));
  await cb.cli(['flows', 'import', file]);
  await cb.cli(['lines', 'route', '1', 'flow:test-menu']);
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound-dtmf.xml', { hold_ms: 30000, dtmf_pcap: '/usr/share/sip-tester/dtmf_2833_5.pcap' }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: CALLER, caller_name: 'Feng' }, timeoutS: 50,
  });
  t.equal((await gw.done).code, 0, 'the box hung up in the end');
  t.match(cb.events('ivr.invalid'), [{ data: { digit: '5' } }], 'the wrong digit is an event');
  const prompts = cb.events('ivr.prompt').map((e) => e.data['prompt']);
  t.ok(prompts.includes('menu.invalid'), `the invalid-choice prompt was played (${prompts.join(', ')})`);
  t.equal(prompts.at(-1), 'goodbye', 'after the retries: goodbye');
});
