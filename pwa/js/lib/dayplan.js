// A day plan made on the phone, in the shape POST /api/itineraries answers (server/wayfinding/itineraries.py's
// Wayfinder.itinerary with the estimate as its engine): the planner of planner.js over the travel times of
// travel.js. Events only (the PWA plans the favourites of a day); venue visits need the server.

import { InvalidItinerary, MAX_STOPS, planItinerary } from './planner.js';
import { place, venuePlace } from './travel.js';

// An event this long or longer (an exhibition, an installation, a market) is open house: a plan may join it at
// any time while it runs, for an hour, rather than from its start to its end (as server/wayfinding/itinerary_stops.py).
const OPEN_HOUSE_S = 3 * 3600;
const OPEN_HOUSE_VISIT_MIN = 60;

const seconds = (iso) => Math.floor(Date.parse(iso) / 1000);
const iso = (s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
const pointKey = (p) => `${p.lat},${p.lon}`;
const round6 = (x) => Number(x.toFixed(6));

function bbox(features) {
  const positions = features.flatMap((f) => f.geometry.coordinates);
  if (!positions.length) return undefined;
  const lons = positions.map((p) => p[0]);
  const lats = positions.map((p) => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

/**
 * @param {object} programme app.programme (venues by id, eventsById)
 * @param {import('./travel.js').Estimator} estimator
 * @param {{start: string|{lat: number, lon: number}, start_at: string, end_at?: string|null, mode: string, events: string[]}} request
 *   the body POST /api/itineraries takes; `start` is a venue id or a point
 * @returns the itinerary, as the server answers it, with `engine: "estimate"` and `computed: "device"`
 */
export function planDayOffline(programme, estimator, request) {
  const { mode } = request;
  estimator.model.profile(mode); // an unknown mode throws here
  let start;
  if (typeof request.start === 'string') {
    const venue = programme.venues.get(request.start);
    if (!venue) throw new InvalidItinerary(`no venue with id ${request.start}`);
    start = venuePlace(venue);
  } else {
    start = place(request.start.lat, request.start.lon);
  }
  const eventIds = request.events || [];
  if (eventIds.length > MAX_STOPS) throw new InvalidItinerary(`a plan takes at most ${MAX_STOPS} stops, not ${eventIds.length}`);
  const startAt = seconds(request.start_at);
  const endAt = request.end_at ? seconds(request.end_at) : null;

  const stops = [];
  const cancelled = [];
  const where = new Map();
  for (const id of eventIds) {
    const event = programme.eventsById.get(id);
    const venue = event && programme.venues.get(event.venue_id);
    if (!event || !venue) throw new InvalidItinerary(`no event with id ${id}`);
    const key = `event:${id}`;
    if (event.status === 'cancelled') {
      cancelled.push(key);
      continue;
    }
    where.set(key, venue.id);
    const location = { lat: venue.lat, lon: venue.lon };
    const [startsAt, endsAt] = [seconds(event.starts_at), seconds(event.ends_at)];
    stops.push(endsAt - startsAt >= OPEN_HOUSE_S
      ? { id: key, kind: 'venue', location, windows: [[startsAt, endsAt]], dwellMin: OPEN_HOUSE_VISIT_MIN }
      : { id: key, kind: 'event', location, startsAt, endsAt });
  }
  // Like the server, one place per point: two venues at the very same spot travel as the first of them.
  const places = new Map([[pointKey(start.point), start]]);
  for (const stop of stops) if (!places.has(pointKey(stop.location))) places.set(pointKey(stop.location), place(stop.location.lat, stop.location.lon, where.get(stop.id)));
  const at = (p) => places.get(pointKey(p));

  const plan = planItinerary(
    { start: start.point, startAt, endAt, stops },
    (a, b, departS) => estimator.leg(at(a), at(b), mode, departS * 1000).duration_s,
  );

  const legs = [];
  const features = [];
  for (const leg of plan.legs) {
    const a = at(leg.origin);
    const b = at(leg.destination);
    const distance = estimator.leg(a, b, mode, null).distance_m;
    const { path, source } = estimator.geometry(a, b);
    const fromId = leg.fromId ? leg.fromId.split(':').slice(1).join(':') : null;
    const toId = leg.toId.split(':').slice(1).join(':');
    legs.push({
      from_id: fromId, to_id: toId, depart_at: iso(leg.departAt), arrive_at: iso(leg.arriveAt), duration_s: leg.durationS,
      distance_m: distance, geometry_source: source,
    });
    const coordinates = path.map((p) => [round6(p.lon), round6(p.lat)]);
    features.push({
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: coordinates.length === 1 ? [coordinates[0], coordinates[0]] : coordinates },
      properties: {
        distance_m: distance, duration_s: leg.durationS, depart_at: iso(leg.departAt), arrive_at: iso(leg.arriveAt),
        geometry_source: source, ...(fromId ? { from_id: fromId } : {}), to_id: toId,
      },
    });
  }
  const reasons = new Map(plan.unplaced.map((u) => [u.id, u.reason]));
  for (const key of cancelled) reasons.set(key, 'cancelled');
  const unplaced = eventIds.map((id) => `event:${id}`).filter((key) => reasons.has(key))
    .map((key) => ({ id: key.slice(6), kind: 'event', reason: reasons.get(key) }));
  return {
    engine: 'estimate',
    computed: 'device',
    method: plan.method,
    mode,
    start: { lat: start.point.lat, lon: start.point.lon, ...(start.venueId ? { venue_id: start.venueId } : {}) },
    start_at: iso(startAt),
    end_at: endAt === null ? null : iso(endAt),
    stops: plan.stops.map((s) => ({
      id: s.id.slice(6), kind: 'event', venue_id: where.get(s.id), lat: s.location.lat, lon: s.location.lon,
      arrive_at: iso(s.arriveAt), starts_at: iso(s.startsAt), leave_at: iso(s.leaveAt), wait_s: s.startsAt - s.arriveAt,
    })),
    legs,
    totals: {
      travel_s: plan.travelS, distance_m: legs.reduce((sum, l) => sum + l.distance_m, 0), stops: plan.stops.length,
      finish_at: iso(plan.finishAt),
    },
    unplaced,
    geojson: { type: 'FeatureCollection', features, bbox: bbox(features), engine: 'estimate' },
  };
}
