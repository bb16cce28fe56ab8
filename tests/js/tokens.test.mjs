// The phone's token verifier against the server's verdicts. tests/unit/test_checkin_js.py writes the cases with
// the Python code and runs this file with LEHOI_TOKEN_VECTORS naming them; without it, those tests skip.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { decodeArray, MsgpackError } from '../../pwa/js/lib/msgpack-lite.js';
import { CLOCK_SKEW_S, ed25519Supported, verifyPass, verifyStamp } from '../../pwa/js/lib/tokens.js';

const path = process.env.LEHOI_TOKEN_VECTORS;
const vectors = path ? JSON.parse(readFileSync(path, 'utf8')) : null;
const skip = path ? false : 'LEHOI_TOKEN_VECTORS is unset: run tests/unit/test_checkin_js.py';

test('this runtime verifies Ed25519 with WebCrypto', async () => {
  assert.equal(await ed25519Supported(), true);
});

test('msgpack-lite reads integers and strings in every encoding, and nothing else', () => {
  const bytes = (...values) => Uint8Array.from(values);
  assert.deepEqual(decodeArray(bytes(0x93, 0x05, 0xd0, 0xfb, 0xa1, 0x61)), [5, -5, 'a']);
  assert.deepEqual(decodeArray(bytes(0x92, 0xcf, 0, 0, 0, 0, 0x67, 0x33, 0x27, 0x20, 0xda, 0, 1, 0x62)),
    [1731405600, 'b']);
  for (const bad of [bytes(), bytes(0x91), bytes(0x91, 0xc0), bytes(0x91, 0xca, 0, 0, 0, 0), bytes(0x80),
    bytes(0x91, 0x01, 0x02), bytes(0x91, 0xa1), bytes(0x91, 0xa1, 0xff), bytes(0xdd, 0xff, 0xff, 0xff, 0xff)]) {
    assert.throws(() => decodeArray(bad), MsgpackError, `accepted ${[...bad]}`);
  }
});

test('the clock margin is the server\'s', { skip }, () => {
  assert.equal(CLOCK_SKEW_S, vectors.clock_skew_s);
});

test('every case gets the server\'s verdict', { skip }, async (t) => {
  const mismatches = [];
  for (const { label, type, token, now, expected } of vectors.cases) {
    const verify = type === 'pass' ? verifyPass : verifyStamp;
    const want = expected.ok ? { ok: true, [type]: expected.claims } : { ok: false, reason: expected.reason };
    const got = await verify(token, vectors.public_keys, now);
    try {
      assert.deepStrictEqual(got, want);
    } catch {
      mismatches.push({ label, got, want });
    }
  }
  t.diagnostic(`${vectors.cases.length} cases`);
  assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} of ${vectors.cases.length} cases differ`);
});

test('a broken bundle key throws instead of refusing the pass', { skip }, async () => {
  const valid = vectors.cases.find((c) => c.type === 'pass' && c.expected.ok);
  const broken = vectors.public_keys.map((key) => ({ ...key, public_key: 'AAAA' }));
  await assert.rejects(verifyPass(valid.token, broken, valid.now));
});
