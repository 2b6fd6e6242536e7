import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import {
  checkRequest,
  checkResponse,
  createErrorResponse,
  getFrom,
  getTo,
  getVias,
  parseMessage,
  serialize,
  SipParseError,
  uriEquals,
  type SipMessage,
} from './index.js';
import { asRequest, asResponse, TORTURE_EXPECTATIONS, type Tap } from './testing/torture-expectations.js';

/** The RFC 4475 messages, one a file, listed from disk (shared/ beside the repository). */
const ROOT = new URL('../../../../shared/sip-torture/', import.meta.url);
const TABLE = TORTURE_EXPECTATIONS;

function listFiles(): string[] {
  const out: string[] = [];
  for (const dir of ['valid', 'invalid']) {
    for (const name of readdirSync(new URL(`${dir}/`, ROOT))) out.push(`${dir}/${name}`);
  }
  return out.sort();
}

const files = listFiles();

t.test('the table covers exactly the torture files on disk', async (t) => {
  t.same(files, Object.keys(TABLE).sort(), 'a new or renamed file needs an expectation here');
  t.ok(files.length >= 50);
});

/** Parse → serialize → parse gives the same start line, headers (bar Content-Length) and body. */
function roundTrip(t: Tap, m: SipMessage): void {
  const again = parseMessage(serialize(m), { transport: 'udp' });
  const fields = (x: SipMessage): string[] => x.headers.all().filter((f) => f.key !== 'content-length').map((f) => `${f.name}: ${f.value}`);
  t.same(fields(again), fields(m), 'headers survive a round trip');
  t.ok(again.body.equals(m.body), 'body survives a round trip');
  if (m.kind === 'request' && again.kind === 'request') {
    t.equal(again.method, m.method);
    t.ok(uriEquals(again.uri, m.uri), 'Request-URI survives a round trip');
  } else if (m.kind === 'response' && again.kind === 'response') {
    t.equal(again.status, m.status);
    t.equal(again.reason, m.reason);
  }
  t.same(getVias(again), getVias(m));
  t.same(getFrom(again), getFrom(m));
  t.same(getTo(again), getTo(m));
}

for (const file of files) {
  const exp = TABLE[file];
  if (exp === undefined) continue;
  t.test(`${file} (RFC 4475 §${exp.section}) gets the handling the RFC gives it`, async (t) => {
    const raw = readFileSync(new URL(file, ROOT));
    if (exp.kind === 'parse-error') {
      let err: unknown;
      try {
        parseMessage(raw, { transport: 'udp' });
      } catch (e) {
        err = e;
      }
      if (!(err instanceof SipParseError)) {
        t.fail(`expected SipParseError ${exp.code}, got ${String(err)}`);
        return;
      }
      t.equal(err.code, exp.code, 'error code');
      t.equal(err.respondable, exp.respondable, exp.respondable ? 'answered' : 'dropped');
      if (exp.respondable) {
        t.equal(err.status, exp.status ?? 400, 'status of the answer');
        const answer = createErrorResponse(err);
        t.ok(answer !== undefined && answer.headers.count('Via') > 0, 'the answer carries the Via');
        t.notOk(/[\r\n]/.test(err.reason), 'reason phrase is one line');
      } else {
        t.equal(createErrorResponse(err), undefined);
      }
      exp.check?.(t, raw);
      return;
    }
    const m = parseMessage(raw, { transport: 'udp' });
    if (exp.kind === 'valid') {
      exp.check(t, m, raw);
      t.equal(m.kind === 'request' ? checkRequest(m)?.status : undefined, exp.app, 'answer of the UAS core');
      roundTrip(t, m);
    } else if (exp.kind === 'app') {
      const r = asRequest(m);
      t.equal(checkRequest(r)?.status, exp.status, exp.status === undefined ? 'processed' : `answered ${exp.status}`);
      exp.check?.(t, r);
    } else {
      t.same(checkResponse(asResponse(m)), { action: 'drop', why: 'more than one Via (RFC 3261 §8.1.3.3)' });
    }
  });
}
