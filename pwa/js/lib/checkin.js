// A volunteer phone's verdict on a pass at a venue entrance, offline: the checks of docs/contract.md ("Tokens and QR
// codes") in the server's order (server/checkin/scans.py `judge`): signature and key (tokens.js), revoked list,
// validity window, venue rules (enrolled venue), duplicate at this venue today. The capacity is the server's to
// judge (it alone counts every gate); the phone shows the occupancy when it is online.
//
// What the phone knows: the bundle's `pass_keys` and `revoked_passes` with the change feed's `pass_key` and
// `revoked_pass` records on top, and its own earlier scans with what the server said of them. Another gate's scan
// of the same pass is only known to the server: online, the phone asks it first (live-scan.js) and this verdict is
// the fallback; a scan judged here and uploaded later that the server finds let in twice is recorded, flagged
// (`double_scan`) and answered back, and `overruled` says so.

import { dayOf, DEFAULT_ZONE } from './time.js';
import { verifyPass, verifyStamp } from './tokens.js';

export const REASONS = ['invalid_signature', 'unknown_key', 'revoked', 'expired', 'not_enrolled', 'capacity_full',
  'already_checked_in'];

/** The verification keys: the bundle's list with the change feed's `pass_key` records replacing theirs. */
export function passKeys(programme) {
  const byId = new Map((programme?.extra?.pass_keys || []).map((k) => [k.id, k]));
  for (const key of programme?.byKind?.pass_key || []) if (key && key.id) byId.set(key.id, key);
  return [...byId.values()];
}

/** The revoked pass ids: the bundle's and the change feed's. */
export function revokedPasses(programme) {
  const ids = new Set(programme?.extra?.revoked_passes || []);
  for (const r of programme?.byKind?.revoked_pass || []) ids.add(typeof r === 'string' ? r : r?.id);
  ids.delete(undefined);
  return ids;
}

/** What a scanned text is: a pass token, a stamp token, an enrolment link, or something else. */
export function classify(text) {
  const value = String(text || '').trim();
  if (value.startsWith('P1.')) return { kind: 'pass', value };
  if (value.startsWith('S1.')) return { kind: 'stamp', value };
  const code = enrolmentCode(value);
  if (code) return { kind: 'enrol', value: code };
  return { kind: 'other', value };
}

/** The enrolment code in an enrolment link (`https://…/#/enrol/CODE`) or typed as it is. */
export function enrolmentCode(text) {
  const value = String(text || '').trim();
  const link = value.match(/#\/enrol\/([A-Za-z0-9 -]{4,64})$/);
  const raw = link ? link[1] : value;
  const code = raw.replace(/[\s-]+/g, '').toUpperCase();
  return /^[A-Z0-9]{4,64}$/.test(code) && (link || code.length === 16) ? code : null;
}

/** Whether one of this phone's scans shows the pass inside: this phone let it in, or the server said it was in
 *  (its verdict on the scan, checked online or uploaded: accepted, or refused as already checked in). */
const letIn = (scan) => scan.verdict === 'accepted' || scan.server?.verdict === 'accepted'
  || scan.server?.reason === 'already_checked_in';

/**
 * The verdict on `token` scanned at `venueId` at `nowMs`, for a volunteer enrolled for `venues`, given its own
 * earlier `scans` ([{pass_id, venue_id, day, verdict, server?}], staff.js). → {verdict: 'accepted'|'rejected',
 * reason?, pass_id?}. Throws where the browser cannot verify Ed25519 (see tokens.js `ed25519Supported`).
 */
export async function judgeScan({ token, venueId, venues, keys, revoked, scans, nowMs, zone = DEFAULT_ZONE }) {
  const checked = await verifyPass(token, keys, nowMs / 1000);
  if (!checked.ok) return { verdict: 'rejected', reason: checked.reason, pass_id: null };
  const passId = checked.pass.pass_id;
  const rejected = (reason) => ({ verdict: 'rejected', reason, pass_id: passId });
  if (revoked.has(passId)) return rejected('revoked');
  if (!venues.includes(venueId)) return rejected('not_enrolled');
  const day = dayOf(nowMs, zone);
  const before = scans.find((s) => s.pass_id === passId && s.venue_id === venueId && s.day === day && letIn(s));
  if (before) return { ...rejected('already_checked_in'), first_at: before.scanned_at };
  return { verdict: 'accepted', reason: null, pass_id: passId };
}

/**
 * Why the server, once the scan was uploaded, refused a person this phone had let in judging offline (or could not
 * check, `unverified`): 'double_scan' (another entrance had let the pass in), 'already_checked_in', 'revoked', or
 * another reason of the server's; null when it agreed, has not answered yet, or the phone had turned them away.
 */
export function overruled(scan) {
  const server = scan.server;
  if (!server || scan.checked === 'server') return null;
  if (scan.verdict !== 'accepted' && scan.verdict !== 'unverified') return null;
  if (server.status === 'rejected') return server.reason || 'rejected'; // the upload itself refused (device_revoked)
  if (server.verdict !== 'rejected') return null;
  const conflicts = server.conflicts || [];
  if (conflicts.includes('double_scan')) return 'double_scan';
  if (conflicts.includes('revoked')) return 'revoked';
  return server.reason || 'rejected';
}

/** A venue poster's stamp: {ok: true, venue_id} or {ok: false, reason}. */
export async function checkStamp(token, keys, nowMs) {
  const checked = await verifyStamp(token, keys, nowMs / 1000);
  return checked.ok ? { ok: true, venue_id: checked.stamp.venue_id } : checked;
}
