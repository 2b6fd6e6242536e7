import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCallBox, type CallBox } from '../helpers/call-box.js';
import { SIPP_SCENARIO_DIR, runSipp } from '../helpers/sipp.js';

/**
 * The disconnect-tone safety net end to end: SIPp plays an FXO gateway that missed the far end's
 * hang-up, so after the caller's voice it passes on the exchange's busy tone (450 Hz, 350 ms on /
 * 350 ms off, China) and never hangs up; the box must hear it and end the call by itself. A call
 * with voice only, as long, must not be ended.
 */

const run = promisify(execFile);
const CALLER = '13800138000';
const VOICE_S = 3;
const TONE_S = 9.8; // 14 cycles of 0.7 s

/** A µ-law WAV: 3 s of a 1 kHz "voice", then the 450 Hz 350/350 tone for ~10 s. */
async function voiceThenBusyTone(dir: string): Promise<string> {
  const ulaw = ['-r', '8000', '-c', '1', '-e', 'u-law'];
  const voice = join(dir, 'voice.wav');
  const burst = join(dir, 'burst.wav');
  const pause = join(dir, 'pause.wav');
  await run('sox', ['-n', ...ulaw, voice, 'synth', String(VOICE_S), 'sine', '1000', 'vol', '0.5']);
  await run('sox', ['-n', ...ulaw, burst, 'synth', '0.35', 'sine', '450', 'vol', '0.3']);
  await run('sox', ['-n', ...ulaw, pause, 'trim', '0', '0.35']);
  const out = join(dir, 'voice-then-busy.wav');
  await run('sox', [voice, ...Array.from({ length: TONE_S / 0.7 }, () => [burst, pause]).flat(), out]);
  return out;
}

/** gw-inbound.xml with our own tone file: the gateway waits `holdMs` for the box's BYE, then hangs up. */
function gatewayScenario(cb: CallBox, name: string, tone: string, holdMs: number): string {
  const out = join(cb.box.dir, name);
  writeFileSync(out, readFileSync(join(SIPP_SCENARIO_DIR, 'gw-inbound.xml'), 'utf8').replaceAll('[tone]', tone).replaceAll('[hold_ms]', String(holdMs)));
  return out;
}

interface CdrRow { cause: string; disposition: string; answered_at: number; ended_at: number }

t.test('a stuck line playing the busy tone is ended by the box (cause disconnect_tone); a voice-only call is not', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  await cb.cli(['lines', 'route', '1', '1001']);
  const agent = await cb.phone('1001');
  const tone = await voiceThenBusyTone(cb.box.dir);
  const sipp = (file: string) => runSipp(t, {
    scenario: { file }, remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1',
    keys: { caller: CALLER, caller_name: 'Stuck Line' }, timeoutS: 40,
  });

  // The gateway would hang up only after 25 s: the box must be first, during the tone.
  const stuck = await sipp(gatewayScenario(cb, 'gw-busy-tone.xml', tone, 25_000));
  t.equal(stuck.code, 0, `the gateway got the box's BYE and answered it: ${stuck.errorLog}`);
  const first = await cb.waitRow<CdrRow>("SELECT * FROM calls WHERE ended_at IS NOT NULL ORDER BY started_at LIMIT 1");
  t.match(first, { cause: 'disconnect_tone', disposition: 'answered' }, 'the CDR says why the call ended');
  const talkS = (first.ended_at - first.answered_at) / 1000;
  // Three cycles of 0.7 s are needed: never during the voice, well before the tone stops.
  t.ok(talkS > VOICE_S + 1.4 && talkS < VOICE_S + TONE_S, `ended ${talkS.toFixed(1)} s after the answer: during the tone, after a few cycles of it`);
  await agent.waitCall('CALL_CLOSED', 10_000);
  t.pass('the agent\'s phone was hung up too');
  t.match(cb.events('call.ended').at(-1)?.data, { cause: 'disconnect_tone', by: 'system' }, 'call.ended names the system');

  // The control, on the same line (so it was freed: a busy line would get 486): voice only for as
  // long; the gateway hangs up itself.
  const voiceOnly = await sipp(gatewayScenario(cb, 'gw-voice.xml', cb.gatewayTone, (VOICE_S + TONE_S) * 1000));
  t.equal(voiceOnly.code, 0, `line 1 took the next call, which ran its course: ${voiceOnly.errorLog}`);
  const second = await cb.waitRow<CdrRow>("SELECT * FROM calls WHERE ended_at IS NOT NULL ORDER BY started_at LIMIT 1 OFFSET 1");
  t.match(second, { cause: 'caller_hangup' }, 'ended by the gateway\'s own BYE, not by the watch');
  t.ok((second.ended_at - second.answered_at) / 1000 >= VOICE_S + TONE_S - 0.5, 'it lasted the whole time');
});
