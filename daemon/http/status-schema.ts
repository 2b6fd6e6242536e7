import { Type, type Static } from '@sinclair/typebox';

export const StatusSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
  startedAt: Type.Integer({ description: 'UTC epoch ms' }),
  uptimeSeconds: Type.Number(),
  timeZone: Type.String(),
  rtpengine: Type.Object({
    mode: Type.Union([Type.Literal('spawn'), Type.Literal('external')]),
    state: Type.String(),
    pid: Type.Union([Type.Integer(), Type.Null()]),
    restarts: Type.Integer(),
  }),
  sip: Type.Object({ bind: Type.String(), port: Type.Integer() }),
  lines: Type.Object({ configured: Type.Integer() }),
  phones: Type.Object({ configured: Type.Integer(), registered: Type.Integer() }),
  calls: Type.Object({ active: Type.Integer({ description: 'calls ringing or up right now' }) }),
});

export type BoxStatus = Static<typeof StatusSchema>;
