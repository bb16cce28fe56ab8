// The phone's decoder of the bundle's street paths against the server's encoder. tests/unit/test_streets.py
// writes the cases with the Python code and runs this file with LEHOI_STREET_VECTORS naming them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { StreetPaths, decodePolyline, offlineTrip } from '../../pwa/js/lib/streets.js';

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

test('the trip is the street walk when the bundle has it, else the estimate', { skip }, () => {
  const streets = new StreetPaths(vectors.streets);
  const [a, b, metres, seconds, line] = vectors.streets.pairs[0];
  const [first, last] = [decodePolyline(line)[0], decodePolyline(line).at(-1)];
  const estimate = { leg: () => ({ distance_m: 1, duration_s: 2 }), geometry: (p, q) => ({ path: [p.point, q.point], source: 'straight' }) };
  const here = { point: first, venueId: a };
  const there = { point: last, venueId: b };
  const walk = offlineTrip(estimate, streets, here, there, 'walk', 0);
  assert.deepEqual(walk.leg, { distance_m: metres, duration_s: seconds });
  assert.equal(walk.source, 'streets');
  assert.equal(walk.attribution, '© OpenStreetMap contributors');
  assert.equal(offlineTrip(estimate, streets, here, there, 'car', 0).source, 'straight');
  const moved = { point: { lat: last.lat + 0.001, lon: last.lon }, venueId: b };
  assert.deepEqual(offlineTrip(estimate, streets, here, moved, 'walk', 0).leg, { distance_m: 1, duration_s: 2 });
  const trail = { ...estimate, geometry: (p, q) => ({ path: [p.point, q.point], source: 'trail' }) };
  const drawn = offlineTrip(trail, streets, here, there, 'walk', 0);
  assert.equal(drawn.source, 'trail');
  assert.equal(drawn.attribution, null);
  assert.equal(drawn.leg.duration_s, seconds);
});
