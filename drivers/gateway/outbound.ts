import { portUser } from './profiles.js';
import type { GatewayProfile } from './profile-types.js';

export interface OutboundTarget {
  /** Request-URI user of the INVITE to the gateway. */
  user: string;
  /**
   * Per-port accounts: the port's SIP user (`line3`); the INVITE goes to where that account
   * registered (or the gateway's address in peer mode), which is how the box picks the port.
   */
  account?: string;
  /** Left unset here: the call engine fills them from the registration of `account` or the gateway row. */
  host?: string;
  port?: number;
}

/**
 * Where to send an outbound call on analog `line` for the number `dialled` (INTEROP.md "Outbound":
 * the dialled number is the Request-URI user). Per-port users: addressed to the port's account.
 * Prefix: `<prefix with {n}><number>`. Gateway hunting: the bare number; the gateway picks the port.
 */
export function outboundTarget(profile: GatewayProfile, line: number, dialled: string): OutboundTarget {
  const o = profile.outbound;
  switch (o.kind) {
    case 'per-port-user': return { user: dialled, account: portUser(profile, line) };
    case 'prefix': return { user: `${o.prefix.replaceAll('{n}', String(line))}${dialled}` };
    case 'gateway-hunting': return { user: dialled };
    default: {
      const never: never = o;
      return never;
    }
  }
}
