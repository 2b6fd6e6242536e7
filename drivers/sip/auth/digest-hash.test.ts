import t from 'tap';
import { createHash } from 'node:crypto';
import { digestHash, digestResponse, hexEqual, parseAlgorithm, passwordHa1, sessionHa1 } from './digest-hash.js';

t.test('the RFC 2617 §3.5 example gives its published response (MD5, qop=auth)', async (t) => {
  const ha1 = passwordHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
  t.equal(ha1, '939e7578ed9e3c518a452acee763bce9');
  const response = digestResponse('MD5', {
    ha1, nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', method: 'GET', uri: '/dir/index.html',
    qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
  });
  t.equal(response, '6629fae49393a05397450978507c4ef1');
});

t.test('the RFC 7616 §3.9.1 example gives its published responses (SHA-256 and MD5)', async (t) => {
  const common = {
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', method: 'GET', uri: '/dir/index.html',
    qop: 'auth' as const, nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  const sha = digestResponse('SHA-256', { ...common, ha1: passwordHa1('SHA-256', 'Mufasa', 'http-auth@example.org', 'Circle of Life') });
  t.equal(sha, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  const md5 = digestResponse('MD5', { ...common, ha1: passwordHa1('MD5', 'Mufasa', 'http-auth@example.org', 'Circle of Life') });
  t.equal(md5, '8ca523f5e9506fed4657c9700eebdbec');
});

t.test('the RFC 2069 form without qop is KD(HA1, nonce:HA2)', async (t) => {
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const ha1 = md5('1001:octoline:secret');
  const expected = md5(`${ha1}:abc:${md5('REGISTER:sip:192.0.2.10')}`);
  t.equal(digestResponse('MD5', { ha1, nonce: 'abc', method: 'REGISTER', uri: 'sip:192.0.2.10' }), expected);
});

t.test('auth-int hashes the body into HA2 and -sess folds nonce and cnonce into HA1', async (t) => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const body = Buffer.from('v=0\r\n');
  const ha1 = sha('1001:octoline:secret');
  const expected = sha(`${ha1}:n:00000002:c:auth-int:${sha(`INVITE:sip:2000@box:${sha('v=0\r\n')}`)}`);
  t.equal(digestResponse('SHA-256', { ha1, nonce: 'n', method: 'INVITE', uri: 'sip:2000@box', qop: 'auth-int', nc: '00000002', cnonce: 'c', body }), expected);
  t.equal(sessionHa1('SHA-256', ha1, 'n', 'c'), sha(`${ha1}:n:c`));
  t.equal(digestHash('MD5', 'a', Buffer.from('b')), createHash('md5').update('a:b').digest('hex'));
});

t.test('algorithm names parse case-insensitively, absent means MD5, unknown ones are refused', async (t) => {
  t.same(parseAlgorithm(undefined), { base: 'MD5', sess: false });
  t.same(parseAlgorithm('sha-256'), { base: 'SHA-256', sess: false });
  t.same(parseAlgorithm('MD5-sess'), { base: 'MD5', sess: true });
  t.equal(parseAlgorithm('SHA-512-256'), undefined);
});

t.test('hex digests compare case-insensitively and never equal a different length', async (t) => {
  t.ok(hexEqual('ABCDEF', 'abcdef'));
  t.notOk(hexEqual('abcdef', 'abcde0'));
  t.notOk(hexEqual('abcdef', 'abcdef00'));
});
