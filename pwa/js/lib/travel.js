// Travel times offline: the bundle's travel model (`travel`, format 2 of server/wayfinding/model.py) applied to
// the venues' coordinates exactly as the server does, the model's rush hours (server/wayfinding/travel.py), and
// the server's Estimator (server/wayfinding/estimator.py): between two consecutive stops of a trail with a drawn
// path the path's length is the way, between other venues their rounded geodesic, from a free point the geodesic.
// tests/unit/test_travel_parity.py checks every figure here against the Python code, to the second.

import { distanceM } from './geodesic.js';

export const MODES = ['walk', 'bicycle', 'motorbike', 'car', 'bus'];
/** "Auto": walk when the venues are at most this far apart as the crow flies (about 30 min on foot), else taxi. */
export const AUTO_WALK_MAX_M = 2000;
const DAY_S = 86_400;
const FIXED_OFFSETS = { 'Asia/Ho_Chi_Minh': 7 * 3600, 'Asia/Saigon': 7 * 3600, UTC: 0 };

/** Python's round_half_up: floor(x + 0.5), done in floating point exactly as Python does it. */
export const roundHalfUp = (x) => Math.floor(x + 0.5);

const metresPerSecond = (kmh) => kmh / 3.6;

/** Seconds to add to UTC to get the wall clock of `tz` at an instant (epoch seconds). */
export function zoneOffsetS(epochS, tz) {
  if (tz in FIXED_OFFSETS) return FIXED_OFFSETS[tz];
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(epochS * 1000)).map(({ type, value }) => [type, Number(value)]));
  return (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000) - epochS;
}

/** Seconds after local midnight of an instant (ms since the epoch), with its fraction. */
export function secondOfDay(ms, tz) {
  const whole = Math.floor(ms / 1000);
  const fraction = ms - whole * 1000;
  const local = (((whole + zoneOffsetS(whole, tz)) % DAY_S) + DAY_S) % DAY_S;
  return local + fraction / 1000;
}

function rushState(clock, rushHours) {
  for (const [start, end] of rushHours) {
    if (clock < start) return [false, start - clock];
    if (clock < end) return [true, end - clock];
  }
  return [false, DAY_S - clock + rushHours[0][0]];
}

function townSeconds(townM, second, townKmh, rushKmh, rushHours) {
  let remaining = townM;
  let elapsed = 0;
  for (;;) {
    const clock = (second + elapsed) % DAY_S;
    const [inRush, untilChange] = rushState(clock, rushHours);
    const speed = metresPerSecond(inRush ? rushKmh : townKmh);
    if (speed * untilChange >= remaining) return elapsed + remaining / speed;
    remaining -= speed * untilChange;
    elapsed += untilChange;
  }
}

/**
 * The trip over a geodesic distance with one mode's constants `p` (travel.py's leg_for_distance): off-peak
 * when `departMs` is null, else the town part slowed to `rush_kmh` inside the rush hours.
 * @returns {{distance_m: number, duration_s: number}}
 */
export function legForDistance(geodesicM, p, departMs = null, rushHours = [], tz = 'Asia/Ho_Chi_Minh') {
  if (!(geodesicM > 0)) return { distance_m: 0, duration_s: 0 };
  const roadM = geodesicM * p.circuity;
  const townM = Math.min(roadM, p.town_km * 1000);
  let seconds = p.overhead_s;
  if (departMs === null || departMs === undefined || p.rush_kmh === null || p.rush_kmh === undefined || !rushHours.length) {
    seconds += townM / metresPerSecond(p.town_kmh);
  } else {
    seconds += townSeconds(townM, secondOfDay(departMs, tz) + seconds, p.town_kmh, p.rush_kmh, rushHours);
  }
  seconds += (roadM - townM) / metresPerSecond(p.open_kmh);
  return { distance_m: roundHalfUp(roadM), duration_s: roundHalfUp(seconds) };
}

/** The bundle's `travel` model over the programme's venues (model.py's VenueDistances). */
export class TravelModel {
  /** @param {Map<string, object>} venues by id */
  constructor(wire, venues) {
    if (!wire || wire.format !== 2) throw new Error(`unknown travel model format ${wire?.format}`);
    this.wire = wire;
    this.points = venues;
    this.known = new Map();
  }

  get modes() {
    return this.wire.modes;
  }

  has(id) {
    return this.points.has(id);
  }

  /** Geodesic metres between two venues, rounded as the server rounds them; throws for an unknown id. */
  geodesicM(fromId, toId) {
    const a = this.points.get(fromId);
    const b = this.points.get(toId);
    if (!a || !b) throw new RangeError(`no venue ${a ? toId : fromId} in the programme`);
    if (fromId === toId) return 0;
    const key = fromId < toId ? `${fromId} ${toId}` : `${toId} ${fromId}`;
    let metres = this.known.get(key);
    if (metres === undefined) {
      const step = this.wire.venue_rounding_m;
      metres = step * roundHalfUp(distanceM(a, b) / step);
      this.known.set(key, metres);
    }
    return metres;
  }

  /** Off-peak road distance and duration (model.py's lookup). */
  lookup(fromId, toId, mode) {
    return legForDistance(this.geodesicM(fromId, toId), this.profile(mode));
  }

  /** The trip leaving at `departMs` (rush hours slow the town part of road modes). */
  leg(fromId, toId, mode, departMs) {
    return legForDistance(this.geodesicM(fromId, toId), this.profile(mode), departMs, this.wire.rush_hours, this.wire.tz);
  }

  legForDistance(geodesicM, mode, departMs = null) {
    return legForDistance(geodesicM, this.profile(mode), departMs, this.wire.rush_hours, this.wire.tz);
  }

  profile(mode) {
    const p = this.wire.modes[mode];
    if (!p) throw new RangeError(`unknown mode ${mode}`);
    return p;
  }
}

// --- drawn trail paths (server/wayfinding/paths.py) -------------------------------------------------

const RAD = Math.PI / 180;

/** One index into `path` per stop, non-decreasing, minimising the summed squared distances. */
export function cutIndexes(path, stops) {
  if (!path.length) throw new Error('an empty path cannot be cut');
  const scale = Math.cos(path[0].lat * RAD);
  const cost = (stop, point) => ((stop.lon - point.lon) * scale) ** 2 + (stop.lat - point.lat) ** 2;
  const m = path.length;
  let previous = new Array(m).fill(0);
  const choices = [];
  for (const stop of stops) {
    let bestCost = Infinity;
    let bestAt = 0;
    const prefix = [];
    const current = [];
    for (let j = 0; j < m; j += 1) {
      if (previous[j] < bestCost) {
        bestCost = previous[j];
        bestAt = j;
      }
      prefix.push(bestAt);
      current.push(bestCost + cost(stop, path[j]));
    }
    choices.push(prefix);
    previous = current;
  }
  let index = 0;
  for (let j = 1; j < m; j += 1) if (previous[j] < previous[index]) index = j;
  const indexes = [index];
  for (let k = choices.length - 1; k >= 1; k -= 1) {
    index = choices[k][index];
    indexes.push(index);
  }
  return indexes.reverse();
}

const same6 = (p, q) => p.lat.toFixed(6) === q.lat.toFixed(6) && p.lon.toFixed(6) === q.lon.toFixed(6);

function dedupe(points) {
  const kept = [];
  for (const point of points) if (!kept.length || !same6(point, kept[kept.length - 1])) kept.push(point);
  return kept;
}

/** The part of `path` between each pair of consecutive stops, from the first stop to the second. */
export function pieces(path, stops) {
  if (stops.length < 2) return [];
  const cuts = cutIndexes(path, stops);
  const out = [];
  for (let i = 0; i < stops.length - 1; i += 1) out.push(dedupe([stops[i], ...path.slice(cuts[i], cuts[i + 1] + 1), stops[i + 1]]));
  return out;
}

/** Geodesic length along a path. */
export function lengthM(path) {
  let total = 0;
  for (let i = 1; i < path.length; i += 1) total += distanceM(path[i - 1], path[i]);
  return total;
}

const validPoint = (lat, lon) => Number.isFinite(lat) && Number.isFinite(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;

/** For every pair of consecutive stops of a trail with a drawn path ([lon, lat]), the piece between them,
 * both ways: Map "a>b" → points. The first trail that joins a pair draws it. */
export function trailPieces(trails, venues) {
  const found = new Map();
  for (const trail of trails || []) {
    const drawn = trail.path;
    const stops = trail.stops || [];
    if (!drawn || drawn.length < 2 || stops.some((s) => !venues.has(s))) continue;
    if (!drawn.every((p) => Array.isArray(p) && validPoint(p[1], p[0]))) continue;
    const path = drawn.map(([lon, lat]) => ({ lat, lon }));
    const cut = pieces(path, stops.map((s) => ({ lat: venues.get(s).lat, lon: venues.get(s).lon })));
    cut.forEach((piece, i) => {
      const a = stops[i];
      const b = stops[i + 1];
      if (a === b) return;
      if (!found.has(`${a}>${b}`)) found.set(`${a}>${b}`, piece);
      if (!found.has(`${b}>${a}`)) found.set(`${b}>${a}`, [...piece].reverse());
    });
  }
  return found;
}

// --- the estimator (estimator.py's Estimator) ----------------------------------------------------------

/** A place: a point, and the venue it is when it is one. */
export const place = (lat, lon, venueId = null) => ({ point: { lat, lon }, venueId });
export const venuePlace = (venue) => place(venue.lat, venue.lon, venue.id);

export class Estimator {
  /**
   * @param {TravelModel} model
   * @param {Map<string, object>} venues by id
   * @param {object[]} trails the bundle's trails (their drawn `path` and `stops`)
   */
  constructor(model, venues, trails = []) {
    this.model = model;
    this.venues = venues;
    this.pieces = new Map();
    for (const [pair, path] of trailPieces(trails, venues)) this.pieces.set(pair, { path, lengthM: lengthM(path) });
  }

  /** The drawn trail piece between two venue places, or null. */
  piece(a, b) {
    if (!a.venueId || !b.venueId) return null;
    return this.pieces.get(`${a.venueId}>${b.venueId}`)?.path || null;
  }

  /** The estimated trip from place `a` to place `b`, leaving at `departMs` (off-peak when null). */
  leg(a, b, mode, departMs = null) {
    const p = this.model.profile(mode);
    if (a.venueId && b.venueId) {
      const found = this.pieces.get(`${a.venueId}>${b.venueId}`);
      if (found) return this.model.legForDistance(found.lengthM / p.circuity, mode, departMs);
      if (this.model.has(a.venueId) && this.model.has(b.venueId)) {
        return this.model.legForDistance(this.model.geodesicM(a.venueId, b.venueId), mode, departMs);
      }
    }
    return this.model.legForDistance(distanceM(a.point, b.point), mode, departMs);
  }

  /** The line of a leg: the trail's drawn piece, else the straight line; [{lat, lon}…] and its source. */
  geometry(a, b) {
    const piece = this.piece(a, b);
    return piece ? { path: piece, source: 'trail' } : { path: [a.point, b.point], source: 'straight' };
  }

  /** The `limit` venues nearest a point (as the crow flies), with the trip there (nearby.py). */
  nearby(point, limit, mode, departMs) {
    const ranked = [...this.venues.values()]
      .map((v) => ({ metres: distanceM(point, v), venue: v }))
      .sort((x, y) => x.metres - y.metres || (x.venue.id < y.venue.id ? -1 : 1))
      .slice(0, limit);
    return ranked.map(({ metres, venue }) => ({
      venue, distance_m: roundHalfUp(metres), duration_s: this.leg(place(point.lat, point.lon), venuePlace(venue), mode, departMs).duration_s,
    }));
  }

  /** The mode "auto" means between two places: walking when they are close, a taxi otherwise. */
  autoMode(a, b) {
    const metres = a.venueId && b.venueId && this.model.has(a.venueId) && this.model.has(b.venueId)
      ? this.model.geodesicM(a.venueId, b.venueId) : distanceM(a.point, b.point);
    return metres <= AUTO_WALK_MAX_M ? 'walk' : 'car';
  }
}

/** The estimator for a programme in memory (app.programme), made once per programme; null without `travel`. */
export function estimatorFor(programme) {
  if (!programme) return null;
  if (programme.estimator !== undefined) return programme.estimator;
  let estimator = null;
  try {
    if (programme.extra?.travel) {
      estimator = new Estimator(new TravelModel(programme.extra.travel, programme.venues), programme.venues, programme.trails);
    }
  } catch (error) {
    console.warn('travel model:', error);
  }
  Object.defineProperty(programme, 'estimator', { value: estimator, configurable: true });
  return estimator;
}
