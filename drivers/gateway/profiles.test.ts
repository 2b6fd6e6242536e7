import t from 'tap';
import { GATEWAY_MODELS, type GatewayModel } from './models.js';
import { GATEWAY_PROFILES, gatewayProfile, portUser, type GatewayProfile } from './profiles.js';
import { callerIdFrom, lineFromInvite } from './inbound.js';
import { outboundTarget } from './outbound.js';

const models = Object.keys(GATEWAY_MODELS) as GatewayModel[];

t.test('every gateway model has a profile', async (t) => {
  t.same(Object.keys(GATEWAY_PROFILES).sort(), [...models].sort());
  for (const m of models) t.equal(gatewayProfile(m).model, m);
});

for (const model of models) {
  const p = gatewayProfile(model);
  t.test(`${model}: the line that rang is read from the INVITE`, async (t) => {
    t.equal(portUser(p, 3), 'line3');
    const cases: Array<[string, Parameters<typeof lineFromInvite>[1], number | undefined]> = [
      ['Request-URI user line1', { requestUser: 'line1', toUser: 'octoline' }, 1],
      ['Request-URI user line8', { requestUser: 'line8' }, 8],
      ['To user when the Request-URI is a trunk user', { requestUser: 'octoline', toUser: 'line4' }, 4],
      ['case and leading zero', { requestUser: 'LINE05' }, 5],
      ['trunk mode: the port is unknown', { requestUser: 'octoline', toUser: 'octoline' }, undefined],
      ['line0 is no line', { requestUser: 'line0' }, undefined],
      ['nothing given', {}, undefined],
    ];
    for (const [name, users, want] of cases) t.equal(lineFromInvite(p, users), want, name);
  });

  t.test(`${model}: caller ID comes from the profile's sources`, async (t) => {
    t.equal(callerIdFrom(p, { fromUser: '02155550199' }), '02155550199', 'From user');
    t.equal(callerIdFrom(p, { fromUser: 'anonymous' }), undefined, 'withheld');
    t.equal(callerIdFrom(p, {}), undefined, 'absent');
    const pai = callerIdFrom(p, { fromUser: '111', pAssertedIdentity: '"Bob" <sip:+8621555@gw.local>' });
    t.equal(pai, p.callerId[0] === 'p-asserted-identity' ? '+8621555' : '111', 'P-Asserted-Identity only when the profile prefers it');
  });

  t.test(`${model}: outbound is addressed per its port selection`, async (t) => {
    const o = outboundTarget(p, 2, '13800138000');
    if (p.outbound.kind === 'per-port-user') t.same(o, { user: '13800138000', account: 'line2' });
    else t.match(o.user, /13800138000$/);
  });

  t.test(`${model}: facts are typed and the unconfirmed ones are listed`, async (t) => {
    t.ok(['rfc4733', 'inband', 'info'].includes(p.dtmf));
    t.ok(['register', 'peer'].includes(p.mode));
    t.ok(p.callerId.length > 0);
    t.ok(p.unconfirmed.length > 0, 'INTEROP.md has open questions for every model');
    t.equal(p.hookFlash, false, 'hook-flash is confirmed on AudioCodes only');
  });
}

t.test('other port selections build the Request-URI user', async (t) => {
  const base: GatewayProfile = gatewayProfile('generic');
  t.same(outboundTarget({ ...base, outbound: { kind: 'prefix', prefix: '{n}#' } }, 3, '555'), { user: '3#555' });
  t.same(outboundTarget({ ...base, outbound: { kind: 'gateway-hunting' } }, 3, '555'), { user: '555' });
});

t.test('Remote-Party-ID is read when the profile lists it', async (t) => {
  const p: GatewayProfile = { ...gatewayProfile('generic'), callerId: ['remote-party-id', 'from'] };
  t.equal(callerIdFrom(p, { fromUser: 'x', remotePartyId: '<sip:0215555@10.0.0.2>;party=calling' }), '0215555');
});
