import type { Test } from 'tap';
import { join } from 'node:path';
import { systemClock } from '../../drivers/clock.js';
import { RtpengineSupervisor, type SupervisorOptions } from '../../drivers/rtpengine/supervisor.js';
import { freePort, freePorts } from './ports.js';
import { testLogger } from './log.js';

export interface TestRtpengine {
  supervisor: RtpengineSupervisor;
  ngPort: number;
  dtmfLogPort: number;
  portMin: number;
  portMax: number;
  spoolDir: string;
  runtimeDir: string;
}

/**
 * A real rtpengine (userspace) on loopback with its own ports and dirs, stopped at test end.
 * `opts` overrides supervisor timings (tests of restart use short back-off).
 */
export async function startRtpengine(t: Test, opts: Partial<Omit<SupervisorOptions, 'mode'>> = {}): Promise<TestRtpengine> {
  const dir = t.testdir({});
  const [ngPort, dtmfLogPort] = [await freePort(), await freePort()];
  const [portMin] = await freePorts(1, 40);
  const rt: TestRtpengine = {
    ngPort, dtmfLogPort, portMin: portMin as number, portMax: (portMin as number) + 39,
    spoolDir: join(dir, 'spool'), runtimeDir: join(dir, 'run'),
    supervisor: undefined as unknown as RtpengineSupervisor,
  };
  rt.supervisor = new RtpengineSupervisor({ clock: systemClock, log: testLogger() }, {
    commandTimeoutMs: 2000,
    ...opts,
    mode: {
      kind: 'spawn', binary: '/usr/bin/rtpengine', runtimeDir: rt.runtimeDir,
      settings: { interface: '127.0.0.1', ngPort, portMin: rt.portMin, portMax: rt.portMax, table: -1, dtmfLogPort, timeout: 60, spoolDir: rt.spoolDir },
    },
  });
  t.teardown(() => rt.supervisor.stop());
  await rt.supervisor.start();
  return rt;
}
