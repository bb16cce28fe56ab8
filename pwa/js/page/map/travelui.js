// Pieces the wayfinding screens share: mode icons and pickers, the chosen travel mode, the device's location
// (asked only when the person taps), and where they last started from.

import { modeName } from '../../lib/i18n-wayfinding.js';
import { t } from '../../lib/i18n.js';
import { MODES } from '../../lib/travel.js';
import { html, icon, loadStylesheet } from '../core/dom.js';

// Loaded before any module importing this one runs (top-level await), so nothing it draws shows unstyled.
await loadStylesheet('/css/wayfinding.css');

const MODE_KEY = 'lehoi.travel_mode';
const ORIGIN_KEY = 'lehoi.origin';
const PLAN_KEY = 'lehoi.plan.';
/** A position older than this is asked for again. */
const FRESH_MS = 10 * 60_000;

export const modeIcon = (mode, cls = 'icon') => icon(`mode-${mode}`, cls);

function storage(kind) {
  try {
    return kind === 'session' ? window.sessionStorage : window.localStorage;
  } catch {
    return null;
  }
}

/** The travel mode chosen for My schedule and plans: one of MODES or 'auto' (the default). */
export function travelMode() {
  const saved = storage('local')?.getItem(MODE_KEY);
  return saved === 'auto' || MODES.includes(saved) ? saved : 'auto';
}

export function setTravelMode(mode) {
  storage('local')?.setItem(MODE_KEY, mode);
}

/** <option>s of every mode (and "auto" when asked). */
export function modeOptions(selected, { auto = false, short = false } = {}) {
  return html`${auto ? html`<option value="auto" ${selected === 'auto' ? 'selected' : ''}>${t(short ? 'mode_auto_short' : 'mode_auto')}</option>` : ''}
    ${MODES.map((m) => html`<option value="${m}" ${m === selected ? 'selected' : ''}>${modeName(m)}</option>`)}`;
}

export class LocationError extends Error {
  constructor(kind) {
    super(kind);
    this.kind = kind; // 'denied', 'failed' or 'unsupported'
  }

  get text() {
    return t(`geo_${this.kind}`);
  }
}

let lastFix = null;

/**
 * The device's position {lat, lon, accuracy}; the browser asks for permission on the first call. A prompt left
 * unanswered does not count against the browser's own timeout, so `timeoutMs` also bounds the whole wait.
 */
export function locate({ maxAgeMs = 60_000, timeoutMs = 15_000 } = {}) {
  if (lastFix && Date.now() - lastFix.at < maxAgeMs) return Promise.resolve(lastFix);
  if (!('geolocation' in navigator)) return Promise.reject(new LocationError('unsupported'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new LocationError('failed')), timeoutMs);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        clearTimeout(timer);
        lastFix = {
          lat: Math.round(position.coords.latitude * 1e5) / 1e5,
          lon: Math.round(position.coords.longitude * 1e5) / 1e5,
          accuracy: position.coords.accuracy,
          at: Date.now(),
        };
        rememberOrigin({ type: 'point', lat: lastFix.lat, lon: lastFix.lon });
        resolve(lastFix);
      },
      (error) => {
        clearTimeout(timer);
        reject(new LocationError(error.code === 1 ? 'denied' : 'failed'));
      },
      { enableHighAccuracy: false, timeout: timeoutMs, maximumAge: maxAgeMs },
    );
  });
}

/** Where the person last started from this session: {type: 'venue', id} or {type: 'point', lat, lon}. */
export function lastOrigin() {
  try {
    const origin = JSON.parse(storage('session')?.getItem(ORIGIN_KEY) || 'null');
    if (origin?.type === 'point' && !(Date.now() - origin.at < FRESH_MS)) return null;
    return origin;
  } catch {
    return null;
  }
}

export function rememberOrigin(origin) {
  storage('session')?.setItem(ORIGIN_KEY, JSON.stringify({ ...origin, at: Date.now() }));
}

/** A place reference as the API takes it: a venue id or 'lat,lon'. */
export const placeRef = (origin) => (origin.type === 'venue' ? origin.id : `${origin.lat},${origin.lon}`);

/** The reverse of placeRef: a venue id or 'lat,lon' as an origin, or null. */
export function parsePlaceRef(ref, venues) {
  if (!ref) return null;
  const m = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(ref);
  if (m) {
    const lat = Number(m[1]);
    const lon = Number(m[2]);
    return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 ? { type: 'point', lat, lon } : null;
  }
  return venues.has(ref) ? { type: 'venue', id: ref } : null;
}

/** The plan last made for a day in this session (for the big map), or null. */
export function storedPlan(day) {
  try {
    return JSON.parse(storage('session')?.getItem(PLAN_KEY + day) || 'null');
  } catch {
    return null;
  }
}

export function storePlan(day, plan) {
  try {
    storage('session')?.setItem(PLAN_KEY + day, JSON.stringify(plan));
  } catch {
    // full: the big map just will not have it
  }
}
