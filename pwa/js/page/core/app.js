// The page's view of the data: the programme in memory (from IndexedDB), the attendee's state
// (favourites, settings), the festival clock. Screens read from here; writes go through the sync engine.

import { getLang, preferredLang, setLang } from '../../lib/i18n.js';
import { buildIndexInSlices } from '../../lib/search.js';
import { DEFAULT_ZONE, dayOf, daysBetween } from '../../lib/time.js';

export class App extends EventTarget {
  constructor(store, sync) {
    super();
    this.store = store;
    this.sync = sync;
    this.programme = null;
    this.view = { favourites: new Set(), settings: {} };
    this.fallbackLang = preferredLang();
    /** Writes made but not yet in the outbox (a moment each). */
    this.writing = 0;
    /** Writes made so far: a reload of the stored state that a write overtook is dropped. */
    this.writes = 0;
  }

  get zone() {
    return this.programme?.festival?.timezone || DEFAULT_ZONE;
  }

  async loadProgramme(read = this.store.readProgramme()) {
    const { cursor, byKind, extra } = await read;
    return this.useProgramme(cursor, byKind, extra);
  }

  /** The programme as the bundle worker hands it over (Store.readProgramme, Store.keepBundle): events by
   * start and venues by id already (store.inOrder), so nothing is sorted here. */
  useProgramme(cursor, byKind, extra = {}) {
    if (!cursor || !byKind.festival?.length) {
      this.programme = null;
      return false;
    }
    const venues = new Map((byKind.venue || []).map((v) => [v.id, v]));
    const events = byKind.event || [];
    this.programme = {
      version: cursor.version,
      extra,
      festival: byKind.festival[0],
      venues,
      events,
      eventsById: new Map(events.map((e) => [e.id, e])),
      trails: byKind.trail || [],
      announcements: byKind.announcement || [],
      // every kind as stored, the change feed's pass_key and revoked_pass records among them (lib/checkin.js)
      byKind,
      // The search index (every description folded) is made once per version, when first asked for, in slices.
      searchIndex() {
        this.indexed ??= buildIndexInSlices([...venues.values()], events);
        return this.indexed;
      },
    };
    this.programme.days = daysBetween(this.programme.festival.starts_on, this.programme.festival.ends_on);
    return true;
  }

  async loadState() {
    const before = this.writes;
    const { view, pending } = await this.store.localState();
    // a write made meanwhile is newer than what was read (the view in memory has it; its sync reloads again)
    if (this.writes !== before || this.writing) return;
    this.view = { favourites: new Set(view.favourites), settings: view.settings || {} };
    this.pending = pending.length;
    setLang(this.view.settings.lang || this.fallbackLang);
  }

  lang() {
    return getLang();
  }

  /** The festival clock (the server's notion of now, so a demo of 2024 looks live). */
  now() {
    return this.sync.now();
  }

  today() {
    return dayOf(this.now(), this.zone);
  }

  /** Today when the festival is on, else its first day. */
  defaultDay() {
    const days = this.programme?.days || [];
    const today = this.today();
    return days.includes(today) ? today : days[0];
  }

  isFavourite(id) {
    return this.view.favourites.has(id);
  }

  favouriteEvents() {
    return this.programme.events.filter((e) => this.view.favourites.has(e.id));
  }

  async write(name, args) {
    this.writes += 1;
    this.writing += 1;
    try {
      return await this.sync.write(name, args);
    } finally {
      this.writing -= 1;
    }
  }

  async toggleFavourite(id) {
    const on = !this.isFavourite(id);
    if (on) this.view.favourites.add(id);
    else this.view.favourites.delete(id);
    this.dispatchEvent(new CustomEvent('state'));
    await this.write(on ? 'favourite.set' : 'favourite.unset', { event_id: id });
    return on;
  }

  async setSettings(patch) {
    this.view.settings = { ...this.view.settings, ...patch };
    if (patch.lang) setLang(patch.lang);
    this.dispatchEvent(new CustomEvent('state', { detail: { settings: true } }));
    await this.write('settings.set', patch);
  }
}
