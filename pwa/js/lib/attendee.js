// The attendee's pass and stamp passport, kept in the app's own database (store.js, meta):
//   pass     {pass_id, token, kind, issued_at, valid_until, revoked_at?, checked_at?}: shown offline as a QR code
//   stamps   {venue_id: {collected_at, mutation_id}}: the venues collected on this phone; each collection is also a
//            `stamp.collect` mutation in the outbox, and the server's passport (GET /api/me/stamps) is merged in
// Calls to the server use the attendee device's token (meta `device`), registered by the sync engine.

import { checkStamp, passKeys } from './checkin.js';

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
  }
}

/** The attendee device, registering it first (through a sync) if the phone has none yet. */
export async function device(app) {
  let found = await app.store.meta('device');
  if (!found?.token) {
    await app.sync.run();
    found = await app.store.meta('device');
  }
  if (!found?.token) throw new ApiError(0, 'offline');
  return found;
}

/** fetch() with the attendee device's token; a token the server forgot is replaced once (a new device). */
export async function deviceFetch(app, path, init = {}, retried = false) {
  const { token } = await device(app);
  const response = await fetch(path, {
    ...init, cache: 'no-store', headers: { Accept: 'application/json', ...(init.headers || {}), Authorization: `Bearer ${token}` },
  });
  if (response.status === 401 && !retried) {
    await app.sync.run(); // the sync engine registers a new device when the server forgot this one
    return deviceFetch(app, path, init, true);
  }
  return response;
}

async function detail(response) {
  try {
    return (await response.json()).detail;
  } catch {
    return '';
  }
}

// --- the pass ---------------------------------------------------------------------------------------------------

export const loadPass = (app) => app.store.meta('pass');

/** Ask the server for this device's pass (it answers the same pass again when there is one) and keep it. */
export async function requestPass(app) {
  const response = await deviceFetch(app, '/api/passes', { method: 'POST' });
  if (response.status !== 200 && response.status !== 201) throw new ApiError(response.status, await detail(response));
  const body = await response.json();
  const pass = {
    pass_id: body.pass_id, token: body.token, kind: body.kind, issued_at: body.issued_at,
    valid_until: body.valid_until, revoked_at: body.revoked_at || null, checked_at: new Date().toISOString(),
  };
  await app.store.setMeta('pass', pass);
  return pass;
}

/** Whether the pass was revoked since (online only); keeps the answer. */
export async function refreshPass(app, pass) {
  const response = await deviceFetch(app, `/api/passes/${encodeURIComponent(pass.pass_id)}`);
  if (response.status !== 200) throw new ApiError(response.status, await detail(response));
  const body = await response.json();
  const fresh = { ...pass, token: body.token, valid_until: body.valid_until, revoked_at: body.revoked_at || null,
    checked_at: new Date().toISOString() };
  await app.store.setMeta('pass', fresh);
  return fresh;
}

// --- the stamp passport -------------------------------------------------------------------------------------------

export async function loadStamps(app) {
  return (await app.store.meta('stamps')) || {};
}

/**
 * Collect the stamp of a poster's S1 token, offline: verified against the bundle's keys, kept, and queued as a
 * `stamp.collect` mutation. → {ok: true, venue_id, new} or {ok: false, reason}.
 */
export async function collectStamp(app, token) {
  const now = app.now();
  const checked = await checkStamp(token, passKeys(app.programme), now);
  if (!checked.ok) return checked;
  if (!app.programme.venues.has(checked.venue_id)) return { ok: false, reason: 'unknown_venue' };
  const stamps = await loadStamps(app);
  if (stamps[checked.venue_id]) return { ok: true, venue_id: checked.venue_id, new: false };
  const collected_at = new Date(now).toISOString();
  const entry = { collected_at, mutation_id: null };
  await app.store.setMeta('stamps', { ...stamps, [checked.venue_id]: entry });
  const mutation = await app.write('stamp.collect', { stamp_token: token, collected_at });
  await app.store.setMeta('stamps', { ...(await loadStamps(app)), [checked.venue_id]: { ...entry, mutation_id: mutation.id } });
  return { ok: true, venue_id: checked.venue_id, new: true };
}

/**
 * Merge the server's passport in: its stamps are kept; a stamp only this phone has stays while its mutation
 * waits in the outbox, and goes once the server has answered without recording it (refused).
 */
export async function refreshStamps(app) {
  const response = await deviceFetch(app, '/api/me/stamps');
  if (response.status !== 200) throw new ApiError(response.status, await detail(response));
  const passport = await response.json();
  const pending = new Set((await app.store.outbox(1000)).filter((m) => m.name === 'stamp.collect').map((m) => m.id));
  const local = await loadStamps(app);
  const merged = {};
  for (const s of passport.stamps) merged[s.venue_id] = { collected_at: s.collected_at, mutation_id: null, server: true };
  for (const [venueId, entry] of Object.entries(local)) {
    if (merged[venueId]) continue;
    if (!entry.mutation_id || pending.has(entry.mutation_id)) merged[venueId] = entry;
  }
  await app.store.setMeta('stamps', merged);
  return { stamps: merged, total: passport.total };
}
