// What a phone keeps for its staff roles, apart from the attendee's own data (store.js `lehoi`): a second
// IndexedDB database, `lehoi-staff`, with the same stores (store.js):
//   meta     volunteer: {device_id, token, venues, enrolled_at, venue}   the volunteer device (its own token)
//            organiser: {token, expires_at, email}                       an organiser's session
//   outbox   the volunteer's `checkin.scan` mutations, uploaded as the volunteer device (not the attendee's)
//   records  the volunteer's scans, one row per scan {key: "scan:<id>", kind: "scan", id, data}, so a repeat
//            at the same venue on the same day is caught offline. data: {id, pass_id, venue_id, day, scanned_at,
//            verdict, reason (what the phone showed), checked: 'server' | 'phone' (who judged it), server (the
//            server's answer: its online verdict, or its answer to the upload), dismissed_at (the volunteer has
//            seen the alert of a verdict the server overruled)}
// A scan the phone judged and its mutation are written in one transaction: a scan the phone shows is a scan it will
// upload. A scan the server judged online is kept without a mutation: the server has recorded it already.

import { request, transaction } from './idb.js';
import { Store } from './store.js';
import { Sync } from './sync.js';

export const STAFF_DB = 'lehoi-staff';
/** Scans older than this are forgotten once uploaded (the duplicate check only needs today's). */
const KEEP_SCANS_MS = 3 * 24 * 3600_000;

export class StaffStore extends Store {
  static async open(name = STAFF_DB) {
    const { db } = await Store.open(name);
    return new StaffStore(db);
  }

  /** Every scan kept, oldest first. */
  async scans() {
    const rows = await transaction(this.db, 'records', 'readonly', ({ records }) => request(records.index('kind').getAll('scan')));
    return rows.map((row) => row.data).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Append the scan's mutation to the outbox and keep the scan, atomically. */
  recordScan(mutation, scan) {
    return transaction(this.db, ['outbox', 'records'], 'readwrite', ({ outbox, records }) => {
      outbox.add({ ...mutation });
      records.put({ key: `scan:${scan.id}`, kind: 'scan', id: scan.id, data: scan });
    });
  }

  /** Keep a scan the server judged online (nothing to upload). */
  keepScan(scan) {
    return transaction(this.db, 'records', 'readwrite', ({ records }) => {
      records.put({ key: `scan:${scan.id}`, kind: 'scan', id: scan.id, data: scan });
    });
  }

  /** The volunteer dismissed the alert of a scan the server overruled: it is not shown again. */
  dismissOverruled(id, at) {
    return transaction(this.db, 'records', 'readwrite', async ({ records }) => {
      const row = await request(records.get(`scan:${id}`));
      if (row) records.put({ ...row, data: { ...row.data, dismissed_at: at } });
    });
  }

  /** Forget uploaded scans older than a few days. */
  prune(nowMs) {
    return transaction(this.db, 'records', 'readwrite', async ({ records }) => {
      const rows = await request(records.index('kind').getAll('scan'));
      for (const row of rows) {
        if (row.data.server && nowMs - Date.parse(row.data.scanned_at) > KEEP_SCANS_MS) records.delete(row.key);
      }
    });
  }

  /** As Store's, and then the server's answer to each scan is kept with it. */
  async acknowledge(sent, results, lastId) {
    const done = await super.acknowledge(sent, results, lastId);
    const scans = new Set(sent.filter((m) => m.name === 'checkin.scan').map((m) => m.id));
    const answers = (results || []).filter((r) => scans.has(r.id));
    if (answers.length) {
      await transaction(this.db, 'records', 'readwrite', async ({ records }) => {
        for (const answer of answers) {
          const row = await request(records.get(`scan:${answer.id}`));
          if (!row) continue;
          const server = { status: answer.status, ...(answer.data || {}) };
          if (answer.reason) server.reason = answer.reason;
          if (answer.status === 'duplicate' && row.data.server) continue; // keep the first, fuller answer
          records.put({ ...row, data: { ...row.data, server } });
        }
      });
    }
    return done;
  }
}

/**
 * Uploads the volunteer's scans as the volunteer device: the sync engine's outbox loop (sync.js), without
 * the programme or the attendee's state. A token the server no longer knows (401/403) stops the loop (no
 * retries) and says so: the volunteer enrols again, and the scans kept are uploaded under the new device.
 */
export class VolunteerSync extends Sync {
  constructor(options) {
    super(options);
    this.gone = false;
    this.pushStatus = 0;
  }

  async request(path, options) {
    const response = await super.request(path, options);
    if (path === '/api/sync/push') this.pushStatus = response.status;
    return response;
  }

  async steps() {
    const volunteer = await this.store.meta('volunteer');
    if (!volunteer || volunteer.gone) return;
    this.pushStatus = 0;
    try {
      await this.push(volunteer);
    } catch (error) {
      if (this.pushStatus !== 401 && this.pushStatus !== 403) throw error;
      this.gone = true;
      await this.store.setMeta('volunteer', { ...volunteer, gone: true });
      this.emit('gone', { status: this.pushStatus });
    }
  }
}

let opened = null;

/** The staff database and the volunteer's sync engine, opened once per page; `now` is the app's festival clock. */
export function openStaff(now) {
  if (!opened) {
    opened = (async () => {
      const store = await StaffStore.open();
      const sync = new VolunteerSync({ store });
      await sync.init();
      sync.now = now;
      globalThis.addEventListener?.('online', () => {
        sync.failures = 0;
        sync.run();
      });
      return { store, sync };
    })();
  }
  return opened;
}

/**
 * At start-up: a volunteer's scans still waiting (the app was closed while offline) go up in the background.
 * Phones that never volunteered have no staff database, and none is made for them.
 */
export async function resumeUploads(now) {
  if (!opened) {
    const names = await globalThis.indexedDB?.databases?.().catch(() => null);
    if (!names?.some((db) => db.name === STAFF_DB)) return;
  }
  const { store, sync } = await openStaff(now);
  const volunteer = await store.meta('volunteer');
  if (volunteer && !volunteer.gone && (await store.countOutbox())) sync.run();
}
