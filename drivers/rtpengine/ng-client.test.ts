import t from 'tap';
import { settle } from './ng-client.js';
import { RtpengineError } from './errors.js';

t.test('ok and pong replies pass through', async (t) => {
  t.equal(settle('ping', { result: 'pong' }).result, 'pong');
  t.equal(settle('offer', { result: 'ok', sdp: 'v=0' })['sdp'], 'v=0');
});

t.test('error replies become typed errors carrying the reason', async (t) => {
  const err = t.throws(() => settle('offer', { result: 'error', 'error-reason': 'Unknown call-id' })) as unknown as RtpengineError;
  t.equal(err.code, 'RTPENGINE_ERROR');
  t.equal(err.reason, 'Unknown call-id');
  t.throws(() => settle('offer', { result: 'load limit' }), { code: 'RTPENGINE_LOAD_LIMIT' });
  t.throws(() => settle('offer', 'garbage'), { code: 'RTPENGINE_ERROR', message: /malformed/ });
});
