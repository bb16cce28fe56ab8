// Everything the phone keeps, in one IndexedDB database:
//   meta     small documents by key: device, programme cursor, the bundle's JSON text as received, server
//            state, clock offset, last sync, the last plan the server made for each day ("plan:YYYY-MM-DD"), the
//            first screenful of the programme ("first_screen": keepFirstScreen)
//   records  what the change feed changed since that bundle, one row per record: {key: "event:abc", kind,
//            id, data} (data null: deleted)
//   outbox   mutations not yet acknowledged by the server, in the order they were made (seq)
// The bundle is kept as the text it came in: storing and reading one string costs far less main-thread
// time than cloning hundreds of records in and out of IndexedDB. The page has it parsed, stored and read back
// by js/worker/bundle.js (keepBundle, readProgramme), so that a city-sized bundle never freezes the phone.

import { openDB, request, transaction } from './idb.js';
import { applyMutation, emptyState, replay } from './state.js';

export const DB_NAME = 'lehoi';
const DB_VERSION = 1;

/** Bundle fields that hold records, and the kind the change feed calls them. */
export const BUNDLE_KINDS = { festival: 'festival', venues: 'venue', events: 'event', trails: 'trail', announcements: 'announcement' };

function upgrade(db, oldVersion) {
  if (oldVersion < 1) {
    db.createObjectStore('meta');
    db.createObjectStore('records', { keyPath: 'key' }).createIndex('kind', 'kind');
    db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true }).createIndex('id', 'id', { unique: true });
  }
}

const recordId = (data) => (data && typeof data === 'object' ? data.id : data); // some kinds may be bare ids
const row = (kind, id, data) => ({ key: `${kind}:${id}`, kind, id, data });

/** A bundle's records as lists per kind, and its other fields (travel, keys…) as they are. */
export function splitBundle(bundle) {
  const byKind = {};
  const extra = {};
  for (const [field, value] of Object.entries(bundle)) {
    const kind = BUNDLE_KINDS[field];
    if (kind) byKind[kind] = Array.isArray(value) ? [...value] : value ? [value] : [];
    else if (field !== 'version') extra[field] = value;
  }
  return { byKind, extra };
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The programme in the order the page shows it, sorted in place: events by start (then id), venues by id. The
 * bundle worker does it, each start parsed once, so that the page's thread never sorts a city's programme.
 */
export function inOrder(byKind) {
  byKind.venue?.sort((a, b) => cmp(a.id, b.id));
  if (byKind.event) {
    const at = new Map(byKind.event.map((e) => [e, Date.parse(e.starts_at)]));
    byKind.event.sort((a, b) => at.get(a) - at.get(b) || cmp(a.id, b.id));
  }
  return byKind;
}

/** The bundle reached the page but could not be kept on the phone (storage full, private browsing). */
export class NotStored extends Error {}

/** localState's reads, within a transaction over meta and outbox. */
async function readLocal({ meta, outbox }) {
  const [server = emptyState(), pending] = await Promise.all([request(meta.get('server_state')), request(outbox.getAll())]);
  return { server, pending, view: replay(server, pending) };
}

export class Store {
  constructor(db) {
    this.db = db;
    this.worker = null;
    this.calls = new Map();
    this.lastCall = 0;
  }

  /** Ask js/worker/bundle.js to do `op` on this database; its answer comes in slices, put together here. */
  offThread(op, fields = {}, transfer = [], onParsed = null) {
    if (!this.worker) {
      this.worker = new Worker(new URL('../worker/bundle.js', import.meta.url), { type: 'module' });
      this.worker.onmessage = ({ data }) => this.fromWorker(data);
      this.worker.onerror = (event) => {
        for (const call of this.calls.values()) call.reject(new Error(`bundle worker: ${event.message || 'failed to start'}`));
        this.calls.clear();
        this.worker = null;
      };
    }
    const id = (this.lastCall += 1);
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject, onParsed, parts: {}, parsed: false });
      this.worker.postMessage({ ...fields, id, op, name: this.db.name }, transfer);
    });
  }

  fromWorker(data) {
    const call = this.calls.get(data.id);
    if (!call) return;
    if (data.field !== undefined) {
      const part = (call.parts[data.key] ??= {});
      if (!data.append) part[data.field] = data.value;
      else if (part[data.field]) for (const item of data.value) part[data.field].push(item);
      else part[data.field] = data.value;
      return;
    }
    if (data.parsed) {
      call.parsed = true;
      call.onParsed?.({ cursor: data.parsed, byKind: call.parts.byKind || {}, extra: call.parts.extra || {} });
      return;
    }
    this.calls.delete(data.id);
    if (data.error) call.reject(call.parsed ? new NotStored(data.error) : Object.assign(new Error(data.error), { name: data.name }));
    else call.resolve({ ...call.parts, ...data.done });
  }

  /** What programme() gives, read and parsed off the page's thread. */
  async readProgramme() {
    const { cursor, byKind = {}, extra = {} } = await this.offThread('load');
    return { cursor, byKind, extra };
  }

  /**
   * Parse a bundle's bytes off the page's thread, hand it to `onParsed` at once (as readProgramme answers: its
   * cursor, records per kind in order, other fields), then keep it as replaceProgramme does. Rejects with NotStored when it was handed over but could not be kept.
   */
  keepBundle(buffer, etag, onParsed) {
    return this.offThread('store', { buffer, etag: etag || null }, [buffer], onParsed);
  }

  static async open(name = DB_NAME) {
    return new Store(await openDB(name, DB_VERSION, upgrade));
  }

  meta(key) {
    return transaction(this.db, 'meta', 'readonly', ({ meta }) => request(meta.get(key)));
  }

  setMeta(key, value) {
    return transaction(this.db, 'meta', 'readwrite', ({ meta }) => { meta.put(value, key); });
  }

  /** The last plan the server made for a day, as `savePlan` kept it, or undefined. */
  savedPlan(day) {
    return this.meta(`plan:${day}`);
  }

  /** Keep a day's plan from the server, {version, request, plan}, its legs' street lines with it, so the
   * same plan and its map are there with no signal (js/page/schedule/plan.js). */
  savePlan(day, saved) {
    return this.setMeta(`plan:${day}`, saved);
  }

  /** The programme as plain lists per kind (the bundle with the changes since applied), and its cursor. */
  async programme() {
    const [cursor, text, rows] = await transaction(this.db, ['meta', 'records'], 'readonly', ({ meta, records }) =>
      Promise.all([request(meta.get('programme')), request(meta.get('bundle_text')), request(records.getAll())]));
    if (!cursor || !text) return { cursor: null, byKind: {}, extra: {} };
    const bundle = JSON.parse(text);
    const { byKind, extra } = splitBundle(bundle);
    const changed = new Map();
    for (const r of rows) {
      if (!changed.has(r.kind)) changed.set(r.kind, new Map());
      changed.get(r.kind).set(r.id, r.data);
    }
    for (const [kind, byId] of changed) {
      const kept = (byKind[kind] || []).filter((record) => !byId.has(recordId(record)));
      for (const data of byId.values()) if (data !== null) kept.push(data);
      byKind[kind] = kept;
    }
    return { cursor, byKind: inOrder(byKind), extra };
  }

  /** Replace the whole programme by a bundle (its JSON text and the parsed value), atomically with its version. */
  replaceProgramme(text, bundle, etag) {
    return transaction(this.db, ['meta', 'records'], 'readwrite', ({ meta, records }) => {
      records.clear();
      meta.put(text, 'bundle_text');
      meta.put({ version: bundle.version, etag: etag || null }, 'programme');
    });
  }

  /** Apply a change feed page atomically; returns whether anything changed. */
  applyChanges(changes) {
    return transaction(this.db, ['meta', 'records'], 'readwrite', async ({ meta, records }) => {
      const cursor = await request(meta.get('programme'));
      if (!cursor || cursor.version !== changes.from) return false; // another tab moved on meanwhile
      let changed = false;
      for (const [kind, list] of Object.entries(changes.upserts || {})) {
        for (const data of list || []) {
          records.put(row(kind, recordId(data), data));
          changed = true;
        }
      }
      for (const [kind, ids] of Object.entries(changes.deletes || {})) {
        for (const id of ids || []) {
          records.put(row(kind, id, null));
          changed = true;
        }
      }
      meta.put({ ...cursor, version: changes.to }, 'programme');
      return changed;
    });
  }

  /** The server's last word on this device's state, and what is still waiting to be sent, in one transaction. */
  localState() {
    return transaction(this.db, ['meta', 'outbox'], 'readonly', readLocal);
  }

  /**
   * What opening the page needs before it draws, in one transaction (each more is a round trip to IndexedDB on the
   * critical path): localState's answer; `firstScreen`, the screenful kept (keepFirstScreen) when it is of the
   * programme stored now, else null; the device, the last sync and the clock offset.
   */
  start() {
    return transaction(this.db, ['meta', 'outbox'], 'readonly', async (stores) => {
      const { meta } = stores;
      const [local, cursor, kept, device, lastSyncedAt, clock] = await Promise.all([
        readLocal(stores),
        ...['programme', 'first_screen', 'device', 'last_synced_at', 'clock'].map((key) => request(meta.get(key))),
      ]);
      // a screenful of another version (a newer bundle or change feed stored since) is never shown
      const firstScreen = kept && cursor && kept.version === cursor.version ? kept : null;
      return { ...local, firstScreen, device, lastSyncedAt, clock };
    });
  }

  /**
   * Keep what a reload needs to draw a day's list before the whole programme is read: `{version, day, festival,
   * announcements, categories, kinds, events, venues}`, the day's events and their venues (App.keepFirstScreen).
   * It is of the version the page holds, which the stored one may have passed: start() compares the two.
   */
  keepFirstScreen(screen) {
    return this.setMeta('first_screen', screen);
  }

  /** Append a mutation `{id, name, args, at}` to the outbox. */
  enqueue(mutation) {
    return transaction(this.db, 'outbox', 'readwrite', ({ outbox }) => { outbox.add({ ...mutation }); });
  }

  /** The oldest `limit` waiting mutations, in the order they were made. */
  outbox(limit = 100) {
    return transaction(this.db, 'outbox', 'readonly', ({ outbox }) => request(outbox.getAll(null, limit)));
  }

  countOutbox() {
    return transaction(this.db, 'outbox', 'readonly', ({ outbox }) => request(outbox.count()));
  }

  /**
   * The server answered for `sent`: forget every mutation up to `lastId` (all it answered for, whatever the
   * status), and fold the applied and duplicate ones into the server state, in one transaction (a crash in
   * between loses nothing). Returns how many left the outbox.
   */
  acknowledge(sent, results, lastId) {
    const status = new Map((results || []).map((r) => [r.id, r.status]));
    let upTo = sent.findIndex((m) => m.id === lastId);
    if (upTo < 0) upTo = sent.reduce((last, m, i) => (status.has(m.id) ? i : last), -1);
    return transaction(this.db, ['meta', 'outbox'], 'readwrite', async ({ meta, outbox }) => {
      let server = (await request(meta.get('server_state'))) || emptyState();
      for (const m of sent.slice(0, upTo + 1)) {
        const s = status.get(m.id);
        if (s === 'applied' || s === 'duplicate') server = applyMutation(server, m);
        outbox.delete(m.seq);
      }
      meta.put(server, 'server_state');
      return upTo + 1;
    });
  }

  /** Drop one mutation the server can never take (refused as malformed). */
  discard(seq) {
    return transaction(this.db, 'outbox', 'readwrite', ({ outbox }) => { outbox.delete(seq); });
  }

  setServerState(state) {
    return this.setMeta('server_state', { favourites: [...(state.favourites || [])], settings: { ...(state.settings || {}) } });
  }

  /**
   * The server no longer knows this device: start afresh under a new one, re-expressing the state the
   * phone shows as new mutations so nothing the attendee did is lost.
   */
  adoptDevice(device, makeMutations) {
    return transaction(this.db, ['meta', 'outbox'], 'readwrite', async ({ meta, outbox }) => {
      const server = (await request(meta.get('server_state'))) || emptyState();
      const pending = await request(outbox.getAll());
      const view = replay(server, pending);
      outbox.clear();
      for (const m of makeMutations(view)) outbox.add(m);
      meta.put(emptyState(), 'server_state');
      meta.put(device, 'device');
    });
  }
}
