// The app's entry point: open the store, show what is stored at once, then sync in the background, and route
// by the hash through ROUTES.

import { autoSave } from '../../lib/basemap.js';
import { preferredLang, t } from '../../lib/i18n.js';
import { Sync } from '../../lib/sync.js';
import { dayOf } from '../../lib/time.js';
import { refreshFavButtons } from '../programme/cards.js';
import { eventScreen } from '../programme/event.js';
import { programmeScreen } from '../programme/programme.js';
import { venueScreen } from '../programme/venue.js';
import { scheduleScreen } from '../schedule/schedule.js';
import { settingsScreen } from '../settings/settings.js';
import { App } from './app.js';
import { html, setHTML } from './dom.js';
import { lazyScreen } from './lazy.js';
import { notFound } from './notfound.js';
import { Shell } from './shell.js';
import { started } from './start.js';
import { registerServiceWorker } from './sw-client.js';

// Every route, once: its hash path, the tab it marks and its screen (those loaded on first use name their module,
// export and title key: lazy.js); the staff screens are reached from Settings, and mark it. A path is a first segment, then `:name` for a second one the route needs, or
// `:name?` for one it may have; without either it takes none. The query (`#/map?from=…`) goes to the screen as it
// is. The tab bar itself is index.html's, so that it shows before any module runs.
const loadMap = () => import('../map/map.js');
const volunteer = lazyScreen(() => import('../checkin/volunteer.js'), 'volunteerScreen', 'volunteer_title');
const ROUTES = [
  { path: 'day/:day?', tab: 'programme', screen: programmeScreen },
  { path: 'events/:id', tab: 'programme', screen: eventScreen },
  { path: 'venues/:id', tab: 'programme', screen: venueScreen },
  { path: 'schedule', tab: 'schedule', screen: scheduleScreen },
  { path: 'settings', tab: 'settings', screen: settingsScreen },
  { path: 'map', tab: 'map', screen: lazyScreen(loadMap, 'mapScreen', 'map_title') },
  { path: 'plan/:day', tab: 'schedule', screen: lazyScreen(() => import('../schedule/plan.js'), 'planScreen', 'plan_title') },
  { path: 'pass', tab: 'pass', screen: lazyScreen(() => import('../pass/pass.js'), 'passScreen', 'pass_title') },
  { path: 'passport', tab: 'pass', screen: lazyScreen(() => import('../pass/passport.js'), 'passportScreen', 'passport_title') },
  { path: 'volunteer', tab: 'settings', screen: volunteer },
  { path: 'enrol/:code', tab: 'settings', screen: volunteer },
  { path: 'organiser', tab: 'settings', screen: lazyScreen(() => import('../organiser/organiser.js'), 'organiserScreen', 'org_title') },
].map((route) => {
  const [name, param = ''] = route.path.split('/');
  return { ...route, name, param: param.replace(/^:|\?$/g, ''), optional: param.endsWith('?') };
});
const HOME = ROUTES[0];

/** The route a hash opens ({route: null} when none does), with its path parameter and its query. */
function parseHash(hash) {
  const [path, qs = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const query = new URLSearchParams(qs);
  if (!parts.length) return { route: HOME, params: {}, query };
  const [name, id] = parts;
  const route = ROUTES.find((r) => r.name === name);
  if (!route || (route.param ? !id && !route.optional : id)) return { route: null, params: {}, query };
  return { route, params: route.param ? { [route.param]: id } : {}, query };
}

/** Whether the programme in memory can draw the screen at this address: any once it is whole; before (while
 * App.useFirstScreen's programme stands in for it), only the programme screen listing the kept day, not searching. */
function drawable(app, { route, params, query }) {
  const { programme } = app;
  if (!programme?.whole) return Boolean(programme);
  return route === HOME && !query.get('q') && app.dayOr(params.day) === programme.firstDay;
}

async function main() {
  const root = document.getElementById('main');
  const { store, first } = await started;
  const sync = new Sync({ store, initialSettings: () => ({ lang: app.lang() }) });
  const app = new App(store, sync);
  const shell = new Shell(app);
  window.lehoi = { app, sync, store }; // for the curious and for the browser tests

  // A reload draws the day's list it last drew at once, from a screenful kept apart and read with the state
  // (start.js, begun before this module ran), when this address shows that day; the whole programme, read and
  // parsed by the bundle worker, comes after and takes its place. The worker starts once the page's small reads
  // are in: alongside, its large read slows them.
  app.useState(first);
  const kept = first.firstScreen;
  app.deviceId = first.device?.device_id || null;
  await sync.init(first);
  const stored = store.readProgramme();
  const whole = kept ? app.useFirstScreen(kept, stored) : app.loadProgramme(stored);
  if (!drawable(app, parseHash(location.hash))) await whole;
  shell.translate();

  let screen = null;
  let current = null;
  let navigations = 0;
  const scrolls = new Map();

  // Re-rendering a screen (a new language, new data) keeps the keyboard focus where it was.
  function focusKey() {
    const el = document.activeElement;
    if (!el || !root.contains(el)) return null;
    if (el.id) return `#${CSS.escape(el.id)}`;
    if (el.name && el.value) return `[name="${CSS.escape(el.name)}"][value="${CSS.escape(el.value)}"]`;
    if (el.dataset.fav) return `[data-fav="${CSS.escape(el.dataset.fav)}"]`;
    return null;
  }

  function show({ focus = false } = {}) {
    const keep = focus ? null : focusKey();
    const address = parseHash(location.hash);
    const { route, params, query } = address;
    shell.markTab(route ? route.tab : null);
    if (!drawable(app, address)) {
      const failed = app.sync.status.error && !app.sync.status.syncing;
      setHTML(root, html`<section class="screen waiting">
        <h1 id="screen-title" tabindex="-1">${failed ? t('need_network') : t('loading')}</h1>
        ${failed ? html`<button type="button" class="btn btn-primary" id="retry">${t('retry')}</button>`
          : html`<div class="spinner" aria-hidden="true"></div>`}
      </section>`);
      root.querySelector('#retry')?.addEventListener('click', () => sync.run());
      screen = null;
      return;
    }
    screen?.unmount?.(); // a screen holding more than DOM (a map) lets it go
    screen = route ? route.screen(app, params, query, shell) : notFound();
    current = location.hash;
    screen.mount(root);
    document.title = `${screen.title} · ${t('app_name')}`;
    if (focus) root.querySelector('#screen-title')?.focus({ preventScroll: true });
    else if (keep) root.querySelector(keep)?.focus({ preventScroll: true });
  }

  window.addEventListener('hashchange', (event) => {
    scrolls.set(new URL(event.oldURL).hash, window.scrollY);
    navigations += 1;
    show({ focus: true });
    window.scrollTo(0, scrolls.get(location.hash) || 0);
  });

  root.addEventListener('click', (event) => {
    const fav = event.target.closest('[data-fav]');
    if (fav) {
      event.preventDefault();
      app.toggleFavourite(fav.dataset.fav).then((on) => {
        // a meaningful moment to offer reminders (never on first load): notify.js asks only if it may
        if (on) import('../settings/notify.js').then((notify) => notify.afterFavourite(app)).catch(() => {});
      });
      return;
    }
    if (event.target.closest('[data-back]')) {
      if (navigations > 0) history.back();
      else location.hash = '#/';
    }
  });

  document.getElementById('skip').addEventListener('click', (event) => {
    event.preventDefault();
    (root.querySelector('#screen-title') || root).focus();
  });

  const refreshState = () => {
    if (screen?.refreshOnState) screen.refresh();
    else refreshFavButtons(app, root);
  };
  app.addEventListener('state', (event) => {
    if (event.detail?.settings) {
      shell.translate();
      show();
    } else refreshState();
  });

  // Other tabs of the app hear about new data through a BroadcastChannel and reload it from IndexedDB.
  const channel = 'BroadcastChannel' in window ? new BroadcastChannel('lehoi') : null;
  const tell = (what) => channel?.postMessage(what);
  channel?.addEventListener('message', ({ data }) => {
    if (data === 'programme' || data === 'state') sync.dispatchEvent(new CustomEvent(data, { detail: { remote: true } }));
  });
  sync.addEventListener('local', () => tell('state'));
  sync.addEventListener('stored', () => {
    tell('programme');
    document.getElementById('unsaved')?.remove();
  });
  // The phone would not keep the programme (storage full, private browsing): say so; it works from memory.
  sync.addEventListener('unsaved', () => {
    if (document.getElementById('unsaved')) return;
    document.getElementById('offline-banner').insertAdjacentHTML('afterend',
      String(html`<p class="offline-banner" id="unsaved" role="status">${t('not_stored')}</p>`));
  });

  sync.addEventListener('programme', async (event) => {
    if (!event.detail?.remote && !event.detail?.bundle) tell('programme'); // a bundle: once stored
    const first = !app.programme;
    const bundle = event.detail?.bundle;
    if (bundle) app.useProgramme(bundle.cursor, bundle.byKind, bundle.extra);
    else await app.loadProgramme();
    // a new basemap version comes with the programme: saved at once when the person asked for it on Wi-Fi
    autoSave(app.programme).catch((error) => console.warn('offline map:', error));
    const typing = root.contains(document.activeElement) && document.activeElement.matches('input, select');
    if (!first && typing && screen?.refresh && location.hash === current) screen.refresh();
    else show();
  });
  sync.addEventListener('state', async (event) => {
    if (!event.detail?.remote) tell('state');
    const before = app.lang();
    await app.loadState();
    if (app.lang() !== before) {
      shell.translate();
      show();
    } else refreshState();
  });
  sync.addEventListener('status', () => {
    shell.showStatus();
    screen?.refreshStatus?.();
    if (!app.programme && !sync.status.syncing) show();
  });
  sync.addEventListener('device', (event) => {
    app.deviceId = event.detail.device_id;
  });
  sync.addEventListener('clock', () => {
    // the programme's default day and its "now" line follow the festival clock
    if (!location.hash || location.hash === '#/' || location.hash.startsWith('#/day/')) show();
  });

  window.addEventListener('online', () => {
    shell.showStatus();
    sync.failures = 0;
    sync.run();
  });
  window.addEventListener('offline', () => shell.showStatus());
  document.addEventListener('visibilitychange', () => {
    const last = Date.parse(sync.status.lastSyncedAt || 0);
    if (document.visibilityState === 'visible' && navigator.onLine && Date.now() - last > 60_000) sync.run();
  });
  setInterval(() => {
    if (document.visibilityState === 'visible' && navigator.onLine) sync.run();
  }, 5 * 60_000);

  show();
  await whole;
  // the kept day's list is the whole programme's own, kept as drawn: only a screen still waiting for it is drawn
  if (!screen && app.programme) show();
  if (app.programme) {
    // The map's modules (Leaflet among them) are fetched and run once the first screen is drawn and the phone is
    // idle, so that opening the map waits for neither. Not on a first visit: its network and main thread are the
    // bundle's and the precache's then, and the map is loaded when opened.
    (window.requestIdleCallback || setTimeout)(() => loadMap().catch(() => {}));
  } else {
    // A first visit waits on the network: the clock's formatter is made meanwhile (its time zone's data loaded, a
    // long task of its own on a slow phone) rather than inside the programme's first drawing.
    setTimeout(() => dayOf(app.now(), app.zone), 0);
  }
  sync.run();
  registerServiceWorker(shell);
  // a volunteer's scans still waiting (the app was closed offline) go up in the background
  setTimeout(() => import('../../lib/staff.js').then((staff) => staff.resumeUploads(() => app.now())).catch(() => {}), 3000);
}

main().catch((error) => {
  console.error(error);
  const root = document.getElementById('main');
  root.textContent = `${preferredLang() === 'vi' ? 'Không mở được ứng dụng' : 'The app could not start'}: ${error.message}`;
});
