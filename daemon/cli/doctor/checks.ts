import { accessSync, constants, existsSync, mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/index.js';
import { openDatabase } from '../../store/database.js';
import { DB_FILE } from '../../store/store.js';
import { errorMessage } from '../../../drivers/coded-error.js';
import { PACKAGE_ROOT } from '../../package-info.js';
import { fail, pass, type Check } from './check.js';
import { portFree } from './ports.js';
import { toolVersion } from './tools.js';
import { gatewayCheck } from './gateway-check.js';

const MIN_FREE_BYTES = 1024 ** 3;

export function boxChecks(config: Config, daemonRunning: boolean): Check[] {
  return [
    rtpengineCheck(config),
    {
      label: 'ffmpeg',
      async run() {
        const v = await toolVersion('ffmpeg', ['-version'], /ffmpeg version (\S+)/);
        return v ? pass(`ffmpeg ${v}`) : fail('ffmpeg not found (recordings cannot be converted)', 'apt-get install ffmpeg');
      },
    },
    {
      label: 'prompts',
      async run() {
        const manifest = join(PACKAGE_ROOT, 'sounds', 'build', 'manifest.json');
        return existsSync(manifest) ? pass(`generated (${manifest})`) : fail('the prompts have not been generated', 'make sounds   (or: node dist/scripts/sounds/generate.js)');
      },
    },
    ...portChecks(config, daemonRunning),
    dataDirCheck(config),
    diskCheck(config),
    databaseCheck(config, daemonRunning),
    gatewayCheck(config),
    clockCheck(config),
  ];
}

function rtpengineCheck(config: Config): Check {
  return {
    label: 'rtpengine',
    async run() {
      if (config.rtpengine.mode === 'external') return pass(`external mode: the daemon pings ${config.rtpengine.ng} at start`);
      try {
        accessSync(config.rtpengine.binary, constants.X_OK);
      } catch {
        return fail(`${config.rtpengine.binary} not found`, 'apt-get install rtpengine-daemon (or set rtpengine.binary)');
      }
      const v = await toolVersion(config.rtpengine.binary, ['--version'], /Version:\s*(\S+)/);
      return v ? pass(`${config.rtpengine.binary} ${v} (userspace table ${config.rtpengine.table})`) : fail(`${config.rtpengine.binary} does not run`, 'reinstall: apt-get install --reinstall rtpengine-daemon');
    },
  };
}

function portChecks(config: Config, daemonRunning: boolean): Check[] {
  const r = config.rtpengine;
  const ports: Array<[string, 'udp' | 'tcp', string, number, string]> = [
    ['SIP port', 'udp', config.sip.bind, config.sip.port, 'sip.port'],
    ['SIP port', 'tcp', config.sip.bind, config.sip.port, 'sip.port'],
    ['HTTP port', 'tcp', config.http.bind, config.http.port, 'http.port'],
    ['DTMF log port', 'udp', '127.0.0.1', r.dtmf_log_port, 'rtpengine.dtmf_log_port'],
  ];
  if (r.mode === 'spawn') ports.push(['rtpengine ng port', 'udp', '127.0.0.1', r.ng_port, 'rtpengine.ng_port']);
  return ports.map(([name, proto, addr, port, key]) => ({
    label: `${name} ${addr}:${port}/${proto}`,
    async run() {
      if (await portFree(proto, addr, port)) return pass('free');
      if (daemonRunning) return pass('in use by the running octoline');
      return fail('in use by another program', `find it with: ss -lpn 'sport = :${port}'; or set ${key}`);
    },
  }));
}

function dataDirCheck(config: Config): Check {
  return {
    label: 'data dir',
    async run() {
      const dir = config.box.data_dir;
      try {
        mkdirSync(dir, { recursive: true });
        const probe = join(dir, `.doctor-${process.pid}`);
        writeFileSync(probe, 'x');
        rmSync(probe);
        return pass(`${dir} writable`);
      } catch (err) {
        return fail(`${dir} not writable (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, `chown -R octoline:octoline ${dir}, or set box.data_dir`);
      }
    },
  };
}

function diskCheck(config: Config): Check {
  return {
    label: 'disk space',
    async run() {
      try {
        const s = statfsSync(existsSync(config.box.data_dir) ? config.box.data_dir : '/');
        const free = s.bavail * s.bsize;
        const gib = (free / 1024 ** 3).toFixed(1);
        return free >= MIN_FREE_BYTES ? pass(`${gib} GiB free`) : fail(`only ${gib} GiB free (recordings need room)`, 'free disk space or lower the recording retention');
      } catch (err) {
        return fail(`cannot read free space: ${errorMessage(err)}`, 'check the data dir path');
      }
    },
  };
}

function databaseCheck(config: Config, daemonRunning: boolean): Check {
  return {
    label: 'database',
    async run() {
      const path = join(config.box.data_dir, DB_FILE);
      if (!existsSync(path)) return pass('not created yet (made at first start or by setup)');
      try {
        const db = openDatabase(path, { readonly: true });
        const version = db.pragma('user_version', { simple: true }) as number;
        db.close();
        return pass(`${path} (schema ${version}${daemonRunning ? ', in use' : ''})`);
      } catch (err) {
        return fail(errorMessage(err), 'octoline restore FILE (see docs/backup.md)');
      }
    },
  };
}

function clockCheck(config: Config): Check {
  return {
    label: 'clock and time zone',
    async run() {
      const now = new Date();
      if (now.getUTCFullYear() < 2025) return fail(`the clock says ${now.toISOString()}`, 'set the time: timedatectl set-ntp true (call records and reports need it)');
      const local = new Intl.DateTimeFormat('sv-SE', { timeZone: config.box.time_zone, dateStyle: 'short', timeStyle: 'medium' }).format(now);
      const sync = await toolVersion('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], /^(yes|no)$/m);
      const ntp = sync === 'yes' ? ', NTP synchronised' : sync === 'no' ? ', NTP NOT synchronised (timedatectl set-ntp true)' : '';
      return pass(`${local} ${config.box.time_zone}${ntp}`);
    },
  };
}
