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
      // what the programme screen's filters offer
      categories: [...new Set(events.map((e) => e.category))],
      kinds: [...new Set(byKind.venue?.map((v) => v.kind))],
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

  /**
   * A programme of one day's list, kept when it was last drawn (keepFirstScreen), to draw before `read` (what
   * loadProgramme takes) brings the whole programme, which then takes its place. Until then only that day's list,
   * without a search, can be drawn from it (main.js drawable); its search index waits for the whole. Returns the
   * promise of the whole programme in use, also kept as the stand-in's `whole`.
   */
  useFirstScreen(kept, read) {
    const { version, day, festival, announcements, categories, kinds, events, venues } = kept;
    this.useProgramme({ version }, { festival: [festival], announcement: announcements, event: events, venue: venues });
    const partial = this.programme;
    const whole = read.then(({ cursor, byKind, extra }) => {
      if (this.programme === partial) this.useProgramme(cursor, byKind, extra); // unless newer data came first
    });
    Object.assign(partial, { firstDay: day, whole, categories, kinds, searchIndex: () => whole.then(() => this.programme.searchIndex()) });
    this.keptScreen = `${version} ${day}`;
    return whole;
  }

  /**
   * Keep `events`, the whole of `day`'s list, with what the programme screen draws around it, for a reload to
   * draw at once (useFirstScreen): after the list is drawn, once per version and day.
   */
  keepFirstScreen(day, events) {
    const { version, festival, announcements, categories, kinds, venues, whole } = this.programme;
    if (whole || this.keptScreen === `${version} ${day}`) return;
    this.keptScreen = `${version} ${day}`;
    const ids = new Set(events.map((e) => e.venue_id));
    setTimeout(() => this.store.keepFirstScreen({
      version, day, festival, announcements, categories, kinds, events, venues: [...ids].map((id) => venues.get(id)).filter(Boolean),
    }).catch((error) => console.warn('first screen not kept:', error)), 0);
  }

  /** Read the attendee's state again (a sync or another tab changed it). */
  async loadState() {
    const before = this.writes;
    const local = await this.store.localState();
    // a write made meanwhile is newer than what was read (the view in memory has it; its sync reloads again)
    if (this.writes === before && !this.writing) this.useState(local);
  }

  /** Hold the attendee's state as Store.localState (or Store.start) read it. */
  useState({ view, pending }) {
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

  /** The day the programme screen lists for its address's `day`: that one when the festival has it, else the default. */
  dayOr(day) {
    return this.programme.days.includes(day) ? day : this.defaultDay();
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
