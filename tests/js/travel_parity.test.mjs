// The phone's travel times and day plans against the server's answers. tests/unit/test_travel_parity.py writes
// the vectors with the Python code and runs this file with LEHOI_TRAVEL_VECTORS naming them; without it, the
// parity tests skip and only the self-contained checks run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { planDayOffline } from '../../pwa/js/lib/dayplan.js';
import { distanceM } from '../../pwa/js/lib/geodesic.js';
import { planItinerary } from '../../pwa/js/lib/planner.js';
import { Estimator, TravelModel, cutIndexes, legForDistance, place, secondOfDay, venuePlace } from '../../pwa/js/lib/travel.js';

const path = process.env.LEHOI_TRAVEL_VECTORS;
const vectors = path ? JSON.parse(readFileSync(path, 'utf8')) : null;
const skip = path ? false : 'LEHOI_TRAVEL_VECTORS is unset: run tests/unit/test_travel_parity.py';

const WALK = { circuity: 1.25, town_kmh: 5, town_km: 100, open_kmh: 5, overhead_s: 0, rush_kmh: null };
const CAR = { circuity: 1.3, town_kmh: 18, town_km: 10, open_kmh: 80, overhead_s: 180, rush_kmh: 10 };
const RUSH = [[27000, 30600], [63000, 66600]];

test('walking 1 km of crow-flies distance takes 15 minutes, at any hour', () => {
  assert.deepEqual(legForDistance(1000, WALK), { distance_m: 1250, duration_s: 900 });
  assert.deepEqual(legForDistance(1000, WALK, Date.parse('2024-11-12T08:00:00+07:00'), RUSH), { distance_m: 1250, duration_s: 900 });
  assert.deepEqual(legForDistance(0, CAR), { distance_m: 0, duration_s: 0 });
});

test('rush hours slow a taxi, and only while they last', () => {
  const offPeak = legForDistance(5000, CAR, Date.parse('2024-11-12T10:00:00+07:00'), RUSH).duration_s;
  const rush = legForDistance(5000, CAR, Date.parse('2024-11-12T07:45:00+07:00'), RUSH).duration_s;
  const late = legForDistance(5000, CAR, Date.parse('2024-11-12T08:20:00+07:00'), RUSH).duration_s;
  assert.equal(offPeak, legForDistance(5000, CAR).duration_s);
  assert.ok(rush > late && late > offPeak, `${rush} > ${late} > ${offPeak}`);
});

test('seconds of the day are festival time', () => {
  assert.equal(secondOfDay(Date.parse('2024-11-12T00:00:00Z'), 'Asia/Ho_Chi_Minh'), 7 * 3600);
  assert.equal(secondOfDay(Date.parse('2024-11-12T17:30:00.250Z'), 'Asia/Ho_Chi_Minh'), 1800.25);
  assert.equal(secondOfDay(Date.parse('2024-11-12T17:30:00Z'), 'Europe/Paris'), 18 * 3600 + 1800);
});

test('a path is cut at the vertices nearest the stops, never going back', () => {
  const line = [0, 1, 2, 3, 4].map((x) => ({ lat: 0, lon: x }));
  assert.deepEqual(cutIndexes(line, [{ lat: 0, lon: 0.1 }, { lat: 0, lon: 2.9 }, { lat: 0, lon: 4 }]), [0, 3, 4]);
  // a stop behind the one before it is cut where the two cost least together
  assert.deepEqual(cutIndexes(line, [{ lat: 0, lon: 3 }, { lat: 0, lon: 1 }]), [2, 2]);
});

test('the planner keeps event times and leaves out what clashes', () => {
  const here = { lat: 21, lon: 105.8 };
  const stops = [
    { id: 'a', kind: 'event', location: here, startsAt: 3600, endsAt: 7200 },
    { id: 'b', kind: 'event', location: here, startsAt: 5400, endsAt: 9000 },
    { id: 'c', kind: 'event', location: { lat: 21.01, lon: 105.8 }, startsAt: 7300, endsAt: 8000 },
  ];
  const plan = planItinerary({ start: here, startAt: 0, stops }, (a, b) => (a === b ? 0 : 600));
  assert.deepEqual(plan.stops.map((s) => s.id), ['a']);
  assert.deepEqual(plan.unplaced, [{ id: 'b', reason: 'overlaps_event' }, { id: 'c', reason: 'unreachable' }]);
  const quick = planItinerary({ start: here, startAt: 0, stops }, (a, b) => (a === b ? 0 : 60));
  assert.deepEqual(quick.stops.map((s) => s.id), ['a', 'c']);
});

function programmeOf(v) {
  const venues = new Map(v.venues.map((x) => [x.id, x]));
  const events = v.events;
  return { venues, events, eventsById: new Map(events.map((e) => [e.id, e])), trails: v.trails, extra: { travel: v.travel } };
}

function lookupsDiffer(model, lookups) {
  const wrong = [];
  for (const [a, b, mode, expected] of lookups) {
    const got = model.lookup(a, b, mode);
    if (got.distance_m !== expected[0] || got.duration_s !== expected[1]) wrong.push({ a, b, mode, got, expected });
  }
  return wrong;
}

test('every venue pair and mode, off-peak, is VenueDistances.lookup', { skip }, () => {
  const model = new TravelModel(vectors.travel, programmeOf(vectors).venues);
  const wrong = lookupsDiffer(model, vectors.lookups);
  assert.equal(vectors.lookups.length, vectors.venues.length * vectors.venues.length * 5);
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} lookups differ`);
});

test('at city size too: 150 venues from the Old Quarter to the craft villages, every pair and mode', { skip }, () => {
  const venues = new Map(vectors.city.venues.map(([id, lat, lon]) => [id, { id, lat, lon }]));
  const wrong = lookupsDiffer(new TravelModel(vectors.travel, venues), vectors.city.lookups);
  assert.equal(vectors.city.lookups.length, 150 * 150 * 5);
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} lookups differ`);
});

test('departures around the rush hours give leg_for_distance to the second', { skip }, () => {
  const model = new TravelModel(vectors.travel, programmeOf(vectors).venues);
  const wrong = [];
  for (const [a, b, mode, at, distance, duration] of vectors.timed) {
    const got = model.leg(a, b, mode, at);
    if (got.distance_m !== distance || got.duration_s !== duration) wrong.push({ a, b, mode, at: new Date(at).toISOString(), got, distance, duration });
  }
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} timed legs differ`);
});

test('the estimator follows drawn trails where the server does', { skip }, () => {
  const programme = programmeOf(vectors);
  const estimator = new Estimator(new TravelModel(vectors.travel, programme.venues), programme.venues, programme.trails);
  const wrong = [];
  let drawn = 0;
  for (const [a, b, mode, at, distance, duration, piece] of vectors.estimated) {
    const pa = venuePlace(programme.venues.get(a));
    const pb = venuePlace(programme.venues.get(b));
    const got = estimator.leg(pa, pb, mode, at);
    const line = estimator.piece(pa, pb);
    if (piece) drawn += 1;
    const sameLine = piece ? line && line.length === piece.length && line.every((p, i) => Math.abs(p.lat - piece[i][0]) < 1e-9 && Math.abs(p.lon - piece[i][1]) < 1e-9) : line === null;
    if (got.distance_m !== distance || got.duration_s !== duration || !sameLine) wrong.push({ a, b, mode, at, got, distance, duration, sameLine });
  }
  assert.ok(drawn > 0);
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} estimates differ`);
});

test('from free points: travel.estimate and Wayfinder.nearby', { skip }, () => {
  const programme = programmeOf(vectors);
  const model = new TravelModel(vectors.travel, programme.venues);
  const estimator = new Estimator(model, programme.venues, programme.trails);
  const wrong = [];
  for (const [plat, plon, qlat, qlon, mode, at, distance, duration] of vectors.points) {
    const got = model.legForDistance(distanceM({ lat: plat, lon: plon }, { lat: qlat, lon: qlon }), mode, at);
    const viaPlaces = estimator.leg(place(plat, plon), place(qlat, qlon), mode, at);
    if (got.distance_m !== distance || got.duration_s !== duration || viaPlaces.duration_s !== duration) wrong.push({ plat, plon, qlat, qlon, mode, got, distance, duration });
  }
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} point estimates differ`);
  for (const [lat, lon, mode, at, expected] of vectors.nearby) {
    const got = estimator.nearby({ lat, lon }, 10, mode, at).map((n) => [n.venue.id, n.distance_m, n.duration_s]);
    assert.deepEqual(got, expected);
  }
});

const epoch = (iso) => (iso ? Date.parse(iso) : null);

function comparable(itinerary) {
  return {
    method: itinerary.method,
    mode: itinerary.mode,
    start: itinerary.start,
    stops: itinerary.stops.map((s) => [s.id, s.kind, s.venue_id, s.lat, s.lon, epoch(s.arrive_at), epoch(s.starts_at), epoch(s.leave_at), s.wait_s]),
    legs: itinerary.legs.map((l) => [l.from_id, l.to_id, epoch(l.depart_at), epoch(l.arrive_at), l.duration_s, l.distance_m, l.geometry_source]),
    totals: [itinerary.totals.travel_s, itinerary.totals.distance_m, itinerary.totals.stops, epoch(itinerary.totals.finish_at)],
    unplaced: itinerary.unplaced,
    lines: itinerary.geojson.features.map((f) => f.geometry.coordinates),
    bbox: itinerary.geojson.bbox ?? null,
  };
}

test('day plans are the ones POST /api/itineraries makes, exact and heuristic', { skip }, () => {
  const programme = programmeOf(vectors);
  const estimator = new Estimator(new TravelModel(vectors.travel, programme.venues), programme.venues, programme.trails);
  let heuristic = 0;
  for (const { request, expected } of vectors.itineraries) {
    const got = planDayOffline(programme, estimator, request);
    if (expected.method === 'heuristic') heuristic += 1;
    assert.deepEqual(comparable(got), comparable(expected), JSON.stringify(request));
  }
  assert.ok(heuristic >= 10);
});
