// Street paths offline: the bundle's `streets` (format 1 of server/wayfinding/streets.py), the walks along the
// streets between nearby venues, each pair once with its line in Google's encoded polyline format at 1e-5
// degrees (server/wayfinding/polyline.py). tests/js/streets.test.mjs holds the decoding to the Python encoder.

/** The points of an encoded polyline: [{lat, lon}…] to 10^-precision degrees. */
export function decodePolyline(text, precision = 5) {
  const factor = 10 ** precision;
  const numbers = [];
  let value = 0;
  let shift = 0;
  for (let i = 0; i < text.length; i += 1) {
    const byte = text.charCodeAt(i) - 63;
    // multiplication, not <<: a long line's running value may pass 2^31
    value += (byte & 0x1f) * 2 ** shift;
    shift += 5;
    if (byte < 0x20) {
      numbers.push(value % 2 ? -(value + 1) / 2 : value / 2);
      value = 0;
      shift = 0;
    }
  }
  const points = [];
  let lat = 0;
  let lon = 0;
  for (let i = 0; i + 1 < numbers.length; i += 2) {
    lat += numbers[i];
    lon += numbers[i + 1];
    points.push({ lat: lat / factor, lon: lon / factor });
  }
  return points;
}

export class StreetPaths {
  /** @param {object} wire the bundle's `streets` */
  constructor(wire) {
    if (!wire || wire.format !== 1) throw new Error(`unknown street paths format ${wire?.format}`);
    this.attribution = wire.attribution;
    this.mode = wire.mode;
    this.precision = wire.precision;
    this.pairs = new Map(wire.pairs.map((pair) => [`${pair[0]}>${pair[1]}`, pair]));
  }

  /** The street walk between two venues by `mode`, {path, distance_m, duration_s}, or null when the bundle
   * has none (another mode, a venue outside the imported area, venues too far apart). */
  leg(fromId, toId, mode) {
    if (mode !== this.mode || !fromId || !toId) return null;
    const pair = this.pairs.get(fromId < toId ? `${fromId}>${toId}` : `${toId}>${fromId}`);
    if (!pair) return null;
    const path = decodePolyline(pair[4], this.precision);
    return { path: fromId < toId ? path : path.reverse(), distance_m: pair[2], duration_s: pair[3] };
  }
}

/** The street paths of a programme in memory (app.programme), made once per programme; null without them. */
export function streetPathsFor(programme) {
  if (!programme) return null;
  if (programme.streetPaths !== undefined) return programme.streetPaths;
  let paths = null;
  try {
    if (programme.extra?.streets) paths = new StreetPaths(programme.extra.streets);
  } catch (error) {
    console.warn('street paths:', error);
  }
  Object.defineProperty(programme, 'streetPaths', { value: paths, configurable: true });
  return paths;
}

/** Farther apart than the encoding's rounding (half of 1e-5 degrees), with a margin for floating point. */
const moved = (p, q) => Math.abs(p.lat - q.lat) > 6e-6 || Math.abs(p.lon - q.lon) > 6e-6;

/**
 * The trip from place `a` to place `b` as the phone can tell it: the street walk of the bundle when it has the
 * pair, else the estimate. Drawn as the server draws its answer (server/wayfinding/drawing.py): a trail's drawn
 * piece wins over the streets' line, and only the streets' line asks for their credit.
 * @returns {{leg: {distance_m, duration_s}, path: object[], source: string, attribution: string|null}}
 */
export function offlineTrip(estimator, streets, a, b, mode, departMs) {
  const { path, source } = estimator.geometry(a, b);
  let street = streets?.leg(a.venueId, b.venueId, mode);
  // a line starts and ends at its venues: a venue the change feed has moved since the bundle keeps the
  // estimate until the next bundle brings its new walks
  if (street && (moved(street.path[0], a.point) || moved(street.path[street.path.length - 1], b.point))) street = null;
  if (!street) return { leg: estimator.leg(a, b, mode, departMs), path, source, attribution: null };
  const leg = { distance_m: street.distance_m, duration_s: street.duration_s };
  if (source === 'trail') return { leg, path, source, attribution: null };
  return { leg, path: street.path, source: 'streets', attribution: streets.attribution };
}
