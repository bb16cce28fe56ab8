// Keeps the phone and the server in step (see docs/protocol.md):
//   programme down: the bundle once, then the change feed from the stored version (410: the bundle again);
//   mutations up: the outbox in order, forgotten only once the server has answered for each one;
//   the device's own state from GET /api/me.
// Only network failures and 5xx (and 429) are retried, with exponential backoff; any other answer settles.

import { NotStored } from './store.js';
import { uuid7 } from './uuid7.js';

const PUSH_BATCH = 100; // the server takes up to 500 per request
const MAX_BACKOFF_MS = 60_000;

export class Transient extends Error {
  constructor(message, retryAfterMs = 0) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

class DeviceGone extends Error {}

function retryAfter(response) {
  const value = response.headers.get('retry-after');
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_BACKOFF_MS) : 0;
}

export class Sync extends EventTarget {
  /**
   * @param {object} options
   * @param {import('./store.js').Store} options.store
   * @param {string} [options.lang] the language to tell the server when this device first registers
   */
  constructor({ store, fetch = globalThis.fetch.bind(globalThis), base = '', initialSettings = () => ({}) }) {
    super();
    this.store = store;
    this.fetch = fetch;
    this.base = base;
    this.initialSettings = initialSettings;
    this.running = null;
    this.again = false;
    this.failures = 0;
    this.timer = null;
    this.status = { syncing: false, lastSyncedAt: null, error: null, reachable: true, pending: 0 };
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  setStatus(patch) {
    Object.assign(this.status, patch);
    this.emit('status', this.status);
  }

  /** Take the last sync, the outbox's length and the clock offset from the store, or from `known`
   * ({lastSyncedAt, pending: the outbox, clock}) when the page has read them already (Store.start). */
  async init(known = null) {
    const [synced, pending, clock] = known ? [known.lastSyncedAt, known.pending.length, known.clock]
      : await Promise.all([this.store.meta('last_synced_at'), this.store.countOutbox(), this.store.meta('clock')]);
    this.status.lastSyncedAt = synced || null;
    this.status.pending = pending;
    this.clockOffset = clock?.offset || 0;
  }

  /** The festival clock: the server's "now" as last seen, moving with the phone's clock. */
  now() {
    return Date.now() + (this.clockOffset || 0);
  }

  /** Make a write: append it to the outbox, then try to send it. Resolves once it is stored. */
  async write(name, args) {
    const mutation = { id: uuid7(), name, args, at: new Date(this.now()).toISOString() };
    await this.store.enqueue(mutation);
    this.status.pending += 1;
    this.emit('local', { mutation });
    this.setStatus({});
    this.run();
    return mutation;
  }

  /** Sync now (or right after the run in progress). Resolves when that run is over; never rejects. */
  run() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.once();
      } while (this.again);
      this.running = null;
    })();
    return this.running;
  }

  async once() {
    if (globalThis.navigator?.onLine === false) {
      // No network at all: nothing to try until the 'online' event (main.js runs the sync then).
      this.setStatus({ syncing: false, reachable: false });
      return;
    }
    this.setStatus({ syncing: true });
    try {
      const lock = globalThis.navigator?.locks;
      const work = () => this.steps();
      await (lock ? lock.request('lehoi-sync', work) : work());
      this.failures = 0;
      const at = new Date().toISOString();
      await this.store.setMeta('last_synced_at', at);
      this.setStatus({ syncing: false, lastSyncedAt: at, error: null, reachable: true });
    } catch (error) {
      const transient = error instanceof Transient || error instanceof TypeError;
      this.failures += 1;
      const delay = Math.max(error.retryAfterMs || 0,
        Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failures - 1)) * (0.5 + Math.random() / 2));
      this.setStatus({ syncing: false, error: String(error.message || error), reachable: !transient });
      if (transient || error instanceof DeviceGone) this.timer = setTimeout(() => this.run(), delay);
      else console.warn('lehoi sync stopped:', error);
    } finally {
      this.status.pending = await this.store.countOutbox().catch(() => this.status.pending);
      this.setStatus({});
    }
  }

  async steps() {
    // The protocol's loop: flush the outbox first, then the programme, then the device's own state.
    // A first start fetches the programme before registering, so a refused registration (429) still
    // leaves a working app.
    let device = await this.store.meta('device');
    if (device) device = await this.asDevice(device, (d) => this.push(d));
    await this.pull();
    if (!device) {
      device = await this.register();
      await this.push(device);
    }
    await this.asDevice(device, (d) => this.me(d));
  }

  /** Run `work` as this device; when the server no longer knows it, register anew and resend. */
  async asDevice(device, work) {
    try {
      await work(device);
      return device;
    } catch (error) {
      if (!(error instanceof DeviceGone)) throw error;
      const fresh = await this.register(true);
      await this.push(fresh);
      await work(fresh);
      return fresh;
    }
  }

  async request(path, { method = 'GET', body, token, headers = {} } = {}) {
    const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store' };
    if (token) init.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await this.fetch(this.base + path, init); // a network failure rejects (TypeError)
    const serverNow = response.headers.get('x-lehoi-now');
    if (serverNow) await this.learnClock(serverNow);
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new Transient(`${method} ${path}: ${response.status}`, retryAfter(response));
    }
    return response;
  }

  async learnClock(iso) {
    const at = Date.parse(iso);
    if (!Number.isFinite(at)) return;
    const offset = at - Date.now();
    if (Math.abs(offset - (this.clockOffset || 0)) < 1000) return;
    this.clockOffset = offset;
    await this.store.setMeta('clock', { offset, seen_at: iso });
    this.emit('clock', { offset });
  }

  // --- programme down ---------------------------------------------------------------------------

  async pull() {
    const cursor = await this.store.meta('programme');
    if (cursor && Number.isInteger(cursor.version)) {
      const response = await this.request(`/api/sync/changes?since=${cursor.version}`);
      if (response.status === 200) {
        const changes = await response.json();
        if (changes.to !== cursor.version) {
          await this.store.applyChanges(changes);
          this.emit('programme');
        }
        return;
      }
      if (response.status !== 410) throw new Error(`GET /api/sync/changes: ${response.status}`);
    }
    await this.fetchBundle(cursor && cursor.version != null ? cursor.etag : null);
  }

  async fetchBundle(etag) {
    const headers = etag ? { 'If-None-Match': etag } : {};
    const response = await this.request('/api/sync/bundle', { headers });
    if (response.status === 304) return;
    if (response.status !== 200) throw new Error(`GET /api/sync/bundle: ${response.status}`);
    const buffer = await response.arrayBuffer();
    try {
      // show it first, then keep it
      await this.store.keepBundle(buffer, response.headers.get('etag'), (bundle) => this.emit('programme', { bundle }));
    } catch (error) {
      if (!(error instanceof NotStored)) throw error;
      // the phone would not keep it: the app works from memory, and the next sync offers it again
      this.emit('unsaved', { error });
      return;
    }
    this.emit('stored');
  }

  // --- device -----------------------------------------------------------------------------------

  async register(replacing = false) {
    const response = await this.request('/api/devices', { method: 'POST', body: {} });
    if (response.status !== 201 && response.status !== 200) {
      throw new Error(`POST /api/devices: ${response.status}`);
    }
    const { device_id, token } = await response.json();
    const device = { device_id, token, registered_at: new Date().toISOString() };
    const settings = this.initialSettings();
    await this.store.adoptDevice(device, (view) => {
      const at = new Date(this.now()).toISOString();
      const out = [];
      // A first install tells the server its language; a replaced device (replacing = true) also
      // re-sends every favourite it showed, since the server forgot the old device.
      const merged = { ...settings, ...view.settings };
      const clean = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null && v !== undefined));
      if (Object.keys(clean).length) out.push({ id: uuid7(), name: 'settings.set', args: clean, at });
      for (const event_id of view.favourites) out.push({ id: uuid7(), name: 'favourite.set', args: { event_id }, at });
      return out;
    });
    this.emit('device', { device_id, replacing });
    return device;
  }

  // --- mutations up -----------------------------------------------------------------------------

  async push(device) {
    let size = PUSH_BATCH;
    for (;;) {
      const batch = await this.store.outbox(size);
      if (!batch.length) return;
      const response = await this.request('/api/sync/push', {
        method: 'POST',
        token: device.token,
        body: { client_id: device.device_id, mutations: batch.map(({ id, name, args, at }) => ({ id, name, args, at })) },
      });
      if (response.status === 401 || response.status === 403) throw new DeviceGone('the server does not know this device');
      if (response.status === 413) {
        size = Math.max(1, Math.floor(size / 2));
        continue;
      }
      if (response.status === 400 || response.status === 422) {
        // The request as a whole was refused as malformed: find the one mutation that can never be
        // sent (sending one at a time), and drop it, so it does not block the others.
        if (batch.length > 1) size = 1;
        else await this.store.discard(batch[0].seq);
        continue;
      }
      if (response.status !== 200) throw new Error(`POST /api/sync/push: ${response.status}`); // keep the outbox
      const answer = await response.json();
      const done = await this.store.acknowledge(batch, answer.results, answer.last_mutation_id);
      this.status.pending = Math.max(0, this.status.pending - done);
      this.emit('state');
      if (!done) throw new Transient('the server answered for none of the mutations sent');
      size = PUSH_BATCH;
    }
  }

  async me(device) {
    const response = await this.request('/api/me', { token: device.token });
    if (response.status === 401) throw new DeviceGone('the server does not know this device');
    if (response.status !== 200) throw new Error(`GET /api/me: ${response.status}`);
    const me = await response.json();
    await this.store.setServerState(me);
    this.emit('state');
  }
}
