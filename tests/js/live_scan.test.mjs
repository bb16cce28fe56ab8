// The phone's online check (pwa/js/lib/live-scan.js): the server's real answers to POST /api/checkins, written by
// tests/api/test_checkin_live_js.py into LEHOI_LIVE_SCAN_VECTORS, read as the volunteer must see them; and the
// answers that do not come, where the phone must judge offline rather than keep the door waiting.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { checkOnline, LIVE_SCAN_TIMEOUT_MS } from '../../pwa/js/lib/live-scan.js';

const path = process.env.LEHOI_LIVE_SCAN_VECTORS;
const vectors = path ? JSON.parse(readFileSync(path, 'utf8')) : null;
const skip = path ? false : 'LEHOI_LIVE_SCAN_VECTORS is unset: run tests/api/test_checkin_live_js.py';

const SCAN = { id: '0193a0c4-5b6e-7c8d-9e0f-112233445566', pass_token: 'P1.payload.signature', venue_id: 'bat-trang',
  scanned_at: '2024-11-12T10:00:00+07:00' };
const UNREACHABLE = { kind: 'unreachable' };
const answering = (status, body) => async () => new Response(typeof body === 'string' ? body : JSON.stringify(body),
  { status, headers: { 'Content-Type': 'application/json' } });
const check = (fetch, timeoutMs) => checkOnline({ scan: SCAN, token: 'volunteer-token', fetch, timeoutMs });

test('a crowded door waits for the server two seconds at most, and a slow network gets a second and a half', () => {
  assert.ok(LIVE_SCAN_TIMEOUT_MS >= 1500 && LIVE_SCAN_TIMEOUT_MS <= 2000, String(LIVE_SCAN_TIMEOUT_MS));
});

test('the phone asks as the volunteer device, with the scan id its mutation would have', { skip }, async () => {
  let seen = null;
  await check(async (url, init) => {
    seen = { url, init };
    return answering(200, vectors.cases[0].body)();
  });
  assert.equal(seen.url, '/api/checkins');
  assert.equal(seen.init.method, 'POST');
  assert.equal(seen.init.headers.Authorization, 'Bearer volunteer-token');
  const body = JSON.parse(seen.init.body);
  assert.deepEqual(Object.keys(body).sort(), vectors.request_fields);
  assert.deepEqual(body, { id: SCAN.id, pass_token: SCAN.pass_token, venue_id: SCAN.venue_id, scanned_at: SCAN.scanned_at });
});

test('the server\'s answers, as the volunteer sees them', { skip }, async () => {
  assert.ok(vectors.cases.length >= 8);
  for (const { label, status, body, expected } of vectors.cases) {
    assert.deepEqual(await check(answering(status, body)), expected, label);
  }
});

test('no answer in time: the phone judges offline, and the request is cancelled', async () => {
  let signal = null;
  const never = (url, init) => {
    signal = init.signal;
    return new Promise(() => {}); // not even the abort signal ends it
  };
  assert.deepEqual(await check(never, 20), UNREACHABLE);
  assert.equal(signal.aborted, true);
  const headersOnly = async () => ({ status: 200, json: () => new Promise(() => {}) }); // the body never comes
  assert.deepEqual(await check(headersOnly, 20), UNREACHABLE);
  const aborting = (url, init) => new Promise((resolve, reject) => {
    init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });
  assert.deepEqual(await check(aborting, 20), UNREACHABLE);
});

test('no connection, server trouble, too many scans at once: the phone judges offline', async () => {
  for (const status of [500, 502, 503, 504, 408, 429]) {
    assert.deepEqual(await check(answering(status, { status_code: status, detail: 'busy' })), UNREACHABLE, String(status));
  }
  assert.deepEqual(await check(async () => { throw new TypeError('Failed to fetch'); }), UNREACHABLE);
  assert.deepEqual(await check(answering(200, '<html>a captive portal</html>')), UNREACHABLE);
  assert.deepEqual(await check(answering(200, { status: 'maybe' })), UNREACHABLE);
});
