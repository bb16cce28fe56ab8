// The phone's decoder of the bundle's street paths against the server's encoder. tests/unit/test_streets.py
// writes the cases with the Python code and runs this file with LEHOI_STREET_VECTORS naming them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { StreetPaths, decodePolyline } from '../../pwa/js/lib/streets.js';

const path = process.env.LEHOI_STREET_VECTORS;
const vectors = path ? JSON.parse(readFileSync(path, 'utf8')) : null;
const skip = path ? false : 'LEHOI_STREET_VECTORS is unset: run tests/unit/test_streets.py';

test('the reference example of the format', () => {
  assert.deepEqual(decodePolyline('_p~iF~ps|U_ulLnnqC_mqNvxq`@'),
    [{ lat: 38.5, lon: -120.2 }, { lat: 40.7, lon: -120.95 }, { lat: 43.252, lon: -126.453 }]);
});

test('every line decodes to the points Python decodes', { skip }, () => {
  for (const { text, points } of vectors.cases) {
    assert.deepEqual(decodePolyline(text).map((p) => [p.lat, p.lon]), points, text);
  }
});

test('a pair is found both ways, its line reversed, and only for its mode', { skip }, () => {
  const streets = new StreetPaths(vectors.streets);
  assert.equal(streets.attribution, '© OpenStreetMap contributors');
  for (const [a, b, metres, seconds, line] of vectors.streets.pairs) {
    const there = streets.leg(a, b, 'walk');
    const back = streets.leg(b, a, 'walk');
    assert.deepEqual(there, { path: decodePolyline(line), distance_m: metres, duration_s: seconds });
    assert.deepEqual(back.path, [...there.path].reverse());
    assert.equal(back.duration_s, seconds);
    assert.equal(streets.leg(a, b, 'car'), null);
  }
  assert.equal(streets.leg('hoa-lo', 'bat-trang', 'walk'), null);
});
