import t from 'tap';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCallBox } from '../helpers/call-box.js';
import { startSipp } from '../helpers/sipp.js';
import { dominantFrequency, toneLevels } from '../helpers/tone.js';

const run = promisify(execFile);

/**
 * A gateway that passes keys as tones in the audio (profile generic-inband): SIPp offers PCMU only
 * and streams a recording holding the DTMF pair for 7 (852 + 1209 Hz, 200 ms) before the caller's
 * voice (1 kHz); rtpengine detects the tone on the caller's leg, the flow routes on 7 to 1001.
 */

const CALLER = '13800138000';

const menuFlow = {
  name: 'inband-menu',
  language: 'en',
  start: 'greet',
  on_error: 'sorry',
  nodes: {
    greet: { type: 'play', prompts: ['beep'], barge_in: true, next: 'menu' },
    menu: { type: 'menu', prompts: ['menu.main'], options: { '7': 'agent', '1': 'bye' }, timeout_s: 5, retries: 1, on_fail: 'bye' },
    agent: { type: 'route', target: '1001' },
    bye: { type: 'hangup', prompts: ['goodbye'] },
    sorry: { type: 'hangup', prompts: ['error.operator'] },
  },
};

/** µ-law (and the key's tone as 16-bit PCM, `dtmf`): 1 s of silence, the DTMF pair for 7 for 200 ms, 0.3 s of silence, then 60 s of 1 kHz (the caller's voice). */
async function callerAudio(dir: string): Promise<{ wav: string; dtmf: string }> {
  const ulaw = ['-r', '8000', '-c', '1', '-e', 'u-law'];
  const part = async (name: string, effects: string[]): Promise<string> => {
    const file = join(dir, name);
    await run('sox', ['-n', ...ulaw, file, ...effects]);
    return file;
  };
  const lead = await part('lead.wav', ['trim', '0', '1.0']);
  // Two synth tones mixed to mono, each about -10 dBFS: a keypad's level. 16-bit first, to check it.
  const dtmf = join(dir, 'dtmf-7-pcm16.wav');
  await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', dtmf, 'synth', '0.2', 'sine', '852', 'sine', '1209', 'vol', '0.6']);
  const dtmfUlaw = join(dir, 'dtmf-7.wav');
  await run('sox', [dtmf, '-e', 'u-law', dtmfUlaw]);
  const gap = await part('gap.wav', ['trim', '0', '0.3']);
  const voice = await part('voice.wav', ['synth', '60', 'sine', '1000', 'vol', '0.5']);
  const wav = join(dir, 'caller-inband-7.wav');
  await run('sox', [lead, dtmfUlaw, gap, voice, wav]);
  return { wav, dtmf };
}

t.test('a gateway sending keys as tones: the caller presses 7 and is put through to 1001', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'], gatewayModel: 'generic-inband' });
  const { wav, dtmf } = await callerAudio(cb.box.dir);
  const levels = await toneLevels(dtmf, [852, 1209, 1000]);
  t.ok((levels.get(852) ?? 0) > 10 * (levels.get(1000) ?? 0) && (levels.get(1209) ?? 0) > 10 * (levels.get(1000) ?? 0),
    'the recording holds the 852 + 1209 Hz pair (the key 7)');
  const file = join(cb.box.dir, 'inband-menu.json');
  writeFileSync(file, JSON.stringify(menuFlow, null, 2));
  await cb.cli(['flows', 'import', file]);
  await cb.cli(['lines', 'route', '1', 'flow:inband-menu']);
  const agent = await cb.phone('1001');
  const gw = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound-inband.xml', { hold_ms: 8000, inband_wav: wav }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: CALLER, caller_name: 'Sun' }, timeoutS: 40,
  });
  await agent.waitCall('CALL_ESTABLISHED', 20_000);
  t.match(cb.events('call.dtmf'), [{ data: { digit: '7', leg: 'caller' } }], 'rtpengine reported the tone as the digit 7 on the caller\'s leg');
  t.match(cb.events('ivr.digit'), [{ data: { digit: '7' } }], 'the digit reached the flow');
  await agent.waitHeard(1.5, 30_000);
  const heard = (await agent.recordings()).heard.at(-1) as string;
  t.equal(await dominantFrequency(heard, { candidatesHz: [500, 1000] }), 1000, 'the agent hears the caller after the IVR handed over');
  t.equal((await gw.done).code, 0, 'the gateway call ran to its end');
  const row = await cb.waitRow<{ extension: string; disposition: string }>('SELECT extension, disposition FROM calls WHERE ended_at IS NOT NULL');
  t.match(row, { extension: '1001', disposition: 'answered' }, 'the CDR: answered by 1001');
});
