// The online check at a venue entrance: the volunteer's phone asks the server for the verdict on a scan
// (POST /api/checkins, docs/contract.md), because only the server knows every door: the phone's own verdict
// (checkin.js) knows its own scans alone, so two doors judging offline both let the same pass in. The phone's
// verdict is the fallback when the server cannot answer, and a crowded door does not wait long for it.

/** How long a volunteer waits for the server's verdict before the phone judges the scan itself. */
export const LIVE_SCAN_TIMEOUT_MS = 1800;

/** Answers meaning "no verdict now, ask again later": the phone judges offline and queues the scan. */
const UNREACHABLE = { kind: 'unreachable' };
const TRANSIENT = (status) => status >= 500 || status === 408 || status === 429;

/** Why the server would not judge a scan (a 4xx), in the words of i18n-checkin.js's `refusal_…` keys. */
function refusal(status) {
  if (status === 401) return 'phone_unknown'; // the token is unknown: the server forgot this phone
  if (status === 403) return 'phone_revoked'; // an organiser revoked this phone
  if (status === 404) return 'unknown_venue'; // the venue left the programme
  return 'scan_refused'; // 422 and the like: most likely the phone's clock is far off
}

/** The server's ScanVerdict as the verdict shown: a `duplicate` (this scan id was recorded before) shows the
 *  verdict recorded then. */
function verdictOf(body) {
  const [verdict, reason] = body.status === 'duplicate'
    ? [body.recorded_status, body.recorded_reason] : [body.status, body.reason];
  if (verdict !== 'accepted' && verdict !== 'rejected') return UNREACHABLE;
  return { kind: 'verdict', verdict, reason: verdict === 'accepted' ? null : reason || null,
    pass_id: body.pass_id || null, occupancy: body.occupancy || null };
}

async function ask(scan, token, fetch, signal) {
  try {
    const response = await fetch('/api/checkins', {
      method: 'POST', cache: 'no-store', signal,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ id: scan.id, pass_token: scan.pass_token, venue_id: scan.venue_id, scanned_at: scan.scanned_at }),
    });
    if (TRANSIENT(response.status)) return UNREACHABLE;
    if (response.status !== 200) return { kind: 'refused', reason: refusal(response.status), status: response.status };
    return verdictOf(await response.json());
  } catch {
    return UNREACHABLE; // offline, aborted, or a body that is no JSON
  }
}

/**
 * The server's verdict on one scan ({id, pass_token, venue_id, scanned_at}; the id is the one its
 * `checkin.scan` mutation would have, so the server counts it once whichever way it arrives). Never rejects:
 *   {kind: 'verdict', verdict: 'accepted'|'rejected', reason, pass_id, occupancy}   the server judged it;
 *   {kind: 'refused', reason, status}   a 4xx: the server will not judge it, and the phone must not instead;
 *   {kind: 'unreachable'}   no connection, no whole answer within `timeoutMs`, 5xx, 408 or 429.
 */
export async function checkOnline({ scan, token, fetch = globalThis.fetch.bind(globalThis), timeoutMs = LIVE_SCAN_TIMEOUT_MS }) {
  const abort = new AbortController();
  let timer;
  // a race, not only the abort signal: the volunteer gets an answer in time even from a request that ignores it
  const late = new Promise((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve(UNREACHABLE);
    }, timeoutMs);
  });
  try {
    return await Promise.race([ask(scan, token, fetch, abort.signal), late]);
  } finally {
    clearTimeout(timer);
  }
}
