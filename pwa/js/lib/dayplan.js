// A day plan made on the phone, in the shape POST /api/itineraries answers (server/wayfinding/itineraries.py's
// Wayfinder.itinerary with the estimate as its engine): the planner of planner.js over the travel times of
// travel.js. Events only (the PWA plans the favourites of a day); venue visits need the server. And what makes a
// plan a day to live through: where it starts (the event you are sitting in counts as attended) and what to do
// with a long wait (nearby venues open then, or free time said as such).

import { distanceM } from './geodesic.js';
import { InvalidItinerary, MAX_STOPS, planItinerary } from './planner.js';
import { place, venuePlace } from './travel.js';

// An event this long or longer (an exhibition, an installation, a market) is open house: a plan may join it at
// any time while it runs, for an hour, rather than from its start to its end (as server/wayfinding/itinerary_stops.py).
const OPEN_HOUSE_S = 3 * 3600;
const OPEN_HOUSE_VISIT_MIN = 60;
// A position this close to a venue is at that venue (a phone's fix in the city is good to some tens of metres).
export const AT_VENUE_M = 250;
// A wait longer than this becomes free time before leaving, and the plan arrives ARRIVE_EARLY_S before the start.
export const LONG_WAIT_S = 45 * 60;
export const ARRIVE_EARLY_S = 10 * 60;
// Venues this close to where free time is spent (about a quarter of an hour on foot) are offered for it.
export const NEARBY_M = 1000;
const NEARBY_SHOWN = 3;

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

const isOpenHouse = (event) => seconds(event.ends_at) - seconds(event.starts_at) >= OPEN_HOUSE_S;

/**
 * Where and when a plan starts, given the favourites of the day, the time asked and where the person is.
 * A favourite that has begun by then and is not open house cannot be reached before it starts, yet the person
 * may well be sitting in it: when they are at its venue (they picked it, or their position is within AT_VENUE_M),
 * it is attended, and the plan goes on from that venue when it ends; the others already under way are `started`.
 * @param {object[]} favourites events of the day
 * @param {Map<string, object>} venues
 * @param {number} atS the start asked for, epoch seconds
 * @param {{venueId?: string, point?: {lat: number, lon: number}}} here a venue picked, or the phone's position
 * @returns {{attended: object|null, started: object[], startAtS: number, start: string|{lat: number, lon: number}, events: string[]}}
 *   `start` and `events` as POST /api/itineraries takes them
 */
export function startOfDay(favourites, venues, atS, here) {
  const live = favourites.filter((e) => e.status !== 'cancelled');
  const underWay = live.filter((e) => !isOpenHouse(e) && seconds(e.starts_at) < atS && atS < seconds(e.ends_at));
  const atVenue = (event) => {
    if (here.venueId) return event.venue_id === here.venueId;
    const venue = venues.get(event.venue_id);
    return Boolean(venue && here.point && distanceM(here.point, venue) <= AT_VENUE_M);
  };
  const attended = underWay.find(atVenue) || null;
  const started = underWay.filter((e) => e !== attended);
  const dropped = new Set(underWay.map((e) => e.id));
  return {
    attended,
    started,
    startAtS: attended ? seconds(attended.ends_at) : atS,
    start: attended ? attended.venue_id : here.venueId || { lat: here.point.lat, lon: here.point.lon },
    events: favourites.filter((e) => !dropped.has(e.id)).map((e) => e.id),
  };
}

/** The short favourite running at `atS` (the event the person is most likely at), or null. */
export function eventUnderWay(favourites, venues, atS) {
  return favourites.find((e) => e.status !== 'cancelled' && venues.has(e.venue_id) && !isOpenHouse(e)
    && seconds(e.starts_at) <= atS && atS < seconds(e.ends_at)) || null;
}

/**
 * Events at venues within NEARBY_M of `point` that one can join during [fromS, toS]: open house running for at
 * least half an hour of it, or an event that starts and ends inside it; nearest first, one per venue.
 */
export function openNearby(programme, point, fromS, toS, exclude = new Set()) {
  const found = new Map();
  for (const event of programme.events) {
    if (event.status === 'cancelled' || exclude.has(event.id)) continue;
    const venue = programme.venues.get(event.venue_id);
    if (!venue) continue;
    const [starts, ends] = [seconds(event.starts_at), seconds(event.ends_at)];
    const joinable = isOpenHouse(event) ? Math.min(ends, toS) - Math.max(starts, fromS) >= 1800 : starts >= fromS && ends <= toS;
    if (!joinable) continue;
    const distance = Math.round(distanceM(point, venue));
    if (distance > NEARBY_M) continue;
    const known = found.get(venue.id);
    if (!known || starts < seconds(known.event.starts_at)) found.set(venue.id, { venue, event, distance_m: distance });
  }
  return [...found.values()].sort((a, b) => a.distance_m - b.distance_m || (a.venue.id < b.venue.id ? -1 : 1)).slice(0, NEARBY_SHOWN);
}

/**
 * A plan as the day goes: the attended event first, then legs and stops; a wait over LONG_WAIT_S becomes free
 * time where the person is, with what is open nearby, and the leg leaves so as to arrive ARRIVE_EARLY_S before
 * the start (its travel time as planned).
 * @returns {object[]} items {kind: 'attended', event, leave_at} | {kind: 'free', from, to, point, venue_id, nearby}
 *   | {kind: 'leg', leg} | {kind: 'stop', stop}; times ISO strings
 */
export function timeline(plan, programme, attended = null) {
  const items = attended ? [{ kind: 'attended', event: attended, leave_at: attended.ends_at }] : [];
  const planned = new Set([...plan.stops.map((s) => s.id), ...(attended ? [attended.id] : [])]);
  let here = { point: { lat: plan.start.lat, lon: plan.start.lon }, venue_id: plan.start.venue_id || null };
  plan.stops.forEach((stop, i) => {
    let leg = plan.legs[i];
    let shown = stop;
    if (stop.wait_s > LONG_WAIT_S) {
      const arrive = seconds(stop.starts_at) - ARRIVE_EARLY_S;
      const depart = arrive - leg.duration_s;
      const from = seconds(leg.depart_at);
      items.push({ kind: 'free', from: leg.depart_at, to: iso(depart), ...here, nearby: openNearby(programme, here.point, from, depart, planned) });
      leg = { ...leg, depart_at: iso(depart), arrive_at: iso(arrive) };
      shown = { ...stop, arrive_at: iso(arrive), wait_s: ARRIVE_EARLY_S };
    }
    items.push({ kind: 'leg', leg }, { kind: 'stop', stop: shown });
    here = { point: { lat: stop.lat, lon: stop.lon }, venue_id: stop.venue_id };
  });
  return items;
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
