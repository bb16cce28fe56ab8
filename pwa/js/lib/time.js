// Times are shown in the festival's zone (Asia/Ho_Chi_Minh), whatever the phone's own zone is.
// Days are 'YYYY-MM-DD' strings of festival-local dates.

export const DEFAULT_ZONE = 'Asia/Ho_Chi_Minh';
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const formats = new Map();

function formatter(zone, options) {
  const key = zone + JSON.stringify(options);
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, ...options });
    formats.set(key, f);
  }
  return f;
}

// The programme's instants are strings that recur (a city day lists thousands of events at a few hundred
// times): their parts are kept, so that a day's list formats each time once rather than once per event.
const known = new Map();
const KNOWN_MAX = 20_000;

function parts(instant, zone) {
  const key = typeof instant === 'string' ? `${zone} ${instant}` : null;
  const kept = key && known.get(key);
  if (kept) return kept;
  const out = {};
  const f = formatter(zone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  for (const { type, value } of f.formatToParts(new Date(instant))) out[type] = value;
  if (key) {
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(key, out);
  }
  return out;
}

/** The festival-local day of an instant (ISO string, Date or ms). */
export function dayOf(instant, zone = DEFAULT_ZONE) {
  const p = parts(instant, zone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** 'HH:MM' in the festival's zone. */
export function timeOf(instant, zone = DEFAULT_ZONE) {
  const p = parts(instant, zone);
  return `${p.hour}:${p.minute}`;
}

/** Every day from `first` to `last` inclusive. */
export function daysBetween(first, last) {
  const out = [];
  const d = new Date(`${first}T00:00:00Z`);
  const end = new Date(`${last}T00:00:00Z`);
  while (d <= end && out.length < 366) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** 'mon' … 'sun' for a day string. */
export function weekdayOf(day) {
  return WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()];
}

/** Whether the event runs on this festival-local day (server: Snapshot.find_events). */
export function eventOnDay(event, day, zone = DEFAULT_ZONE) {
  return dayOf(event.starts_at, zone) <= day && day <= dayOf(event.ends_at, zone);
}

/** Whether two events overlap in time. */
export function overlaps(a, b) {
  return Date.parse(a.starts_at) < Date.parse(b.ends_at) && Date.parse(b.starts_at) < Date.parse(a.ends_at);
}
