// The scan flow: a code read (camera or typed) becomes a verdict and a scan kept. Online, the server judges it
// (lib/live-scan.js), since only the server knows what the other entrances let in; when it cannot answer within a
// moment, the phone judges it offline (lib/checkin.js), says so on the verdict, and queues the scan in the
// volunteer's outbox as a `checkin.scan` mutation with the same scan id, uploaded when the server is back.

import { classify, judgeScan, passKeys, revokedPasses } from '../../lib/checkin.js';
import { checkOnline } from '../../lib/live-scan.js';
import { dayOf } from '../../lib/time.js';
import { uuid7 } from '../../lib/uuid7.js';
import { online } from './ui.js';

/**
 * @param {object} deps
 * @param {object} deps.app the app: its clock, zone, and programme (the keys and revocations to judge offline)
 * @param {object} deps.store the staff database (ui.js `staff`), which keeps the scans and the outbox
 * @param {object} deps.sync the volunteer's upload loop
 * @param {() => object} deps.volunteer the enrolment: its venue, venues and token
 * @param {() => object[]} deps.scans the scans kept, which each new one joins (an offline verdict reads them)
 * @param {object} deps.show checking(); verdict(result, detectedAt, scan?); kept(occupancy?) after an online
 *   verdict; queued() after an offline one
 * @returns {(text: string, detectedAt: number) => Promise<boolean>} judges one code after another: a second pass
 *   read while the server judges the first waits its turn. → whether the code was judged (a pass the server refused
 *   to judge was not, so a typed one stays in its field to try again).
 */
export function scanJudge({ app, store, sync, volunteer, scans, show }) {
  let judging = Promise.resolve();

  async function handle(text, detectedAt) {
    const code = classify(text);
    if (code.kind !== 'pass' || code.value.length > 200) {
      show.verdict({ verdict: 'rejected', reason: code.kind === 'stamp' ? 'stamp_not_pass' : 'not_a_pass' }, detectedAt);
      return false;
    }
    const nowMs = app.now();
    const scan = { id: uuid7(), pass_id: null, venue_id: volunteer().venue, day: dayOf(nowMs, app.zone),
      scanned_at: new Date(nowMs).toISOString() };
    if (online()) {
      show.checking();
      const answer = await checkOnline({ scan: { ...scan, pass_token: code.value }, token: volunteer().token });
      if (answer.kind === 'refused') {
        show.verdict({ verdict: 'refused', reason: answer.reason }, detectedAt);
        return false; // nothing recorded: the server judged nothing, and the phone must not instead
      }
      if (answer.kind === 'verdict') {
        Object.assign(scan, { pass_id: answer.pass_id, verdict: answer.verdict, reason: answer.reason, checked: 'server',
          server: { status: 'live', verdict: answer.verdict, reason: answer.reason, conflicts: [], pass_id: answer.pass_id } });
        show.verdict(scan, detectedAt, scan);
        scans().push(scan);
        await store.keepScan(scan);
        show.kept(answer.occupancy);
        return true;
      }
    }
    await judgeOffline(code.value, scan, nowMs, detectedAt);
    return true;
  }

  /** The phone's own verdict, shown as such; the scan is queued for the server to judge when it is back. */
  async function judgeOffline(token, scan, nowMs, detectedAt) {
    let result;
    try {
      result = await judgeScan({
        token, venueId: scan.venue_id, venues: volunteer().venues, keys: passKeys(app.programme),
        revoked: revokedPasses(app.programme), scans: scans(), nowMs, zone: app.zone,
      });
    } catch {
      result = { verdict: 'unverified', reason: null, pass_id: null }; // no Ed25519 in this browser: the server judges
    }
    Object.assign(scan, { pass_id: result.pass_id, verdict: result.verdict, reason: result.reason || null, checked: 'phone' });
    show.verdict(scan, detectedAt, scan);
    scans().push(scan);
    // `offline`: judged without the server, whether the phone had no signal or the server no answer in time
    const args = { pass_token: token, venue_id: scan.venue_id, scanned_at: scan.scanned_at, offline: true };
    if (result.verdict !== 'unverified') args.verdict_shown = result.verdict === 'accepted' ? 'accepted' : result.reason;
    await store.recordScan({ id: scan.id, name: 'checkin.scan', args, at: scan.scanned_at }, scan);
    sync.status.pending += 1;
    show.queued();
    sync.run();
  }

  return (text, detectedAt) => {
    const turn = judging.then(() => handle(text, detectedAt));
    judging = turn.catch(() => {});
    return turn;
  };
}
