import t from 'tap';
import { generatePassword, hashPassword, verifyPassword } from './password.js';
import { sipHa1 } from './sip-credentials.js';

t.test('a hashed password verifies, a wrong one does not, and the hash hides it', async (t) => {
  const h = await hashPassword('correct horse');
  t.notMatch(h, /correct/);
  t.ok(await verifyPassword('correct horse', h));
  t.notOk(await verifyPassword('correct hors', h));
  t.notOk(await verifyPassword('x', 'garbage'), 'a malformed stored hash never verifies');
});

t.test('generated passwords are long, unambiguous and different', async (t) => {
  const a = generatePassword();
  t.equal(a.length, 16);
  t.notMatch(a, /[0O1lI]/);
  t.not(a, generatePassword());
});

t.test('SIP HA1 matches RFC 2617 H(user:realm:password)', async (t) => {
  // RFC 2617 §3.5 example user/realm/password.
  t.equal(sipHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life').ha1Md5, '939e7578ed9e3c518a452acee763bce9');
  t.equal(sipHa1('1001', 'octoline', 'pw').ha1Sha256.length, 64);
});
