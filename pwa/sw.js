/* The service worker: keeps the attendee's app shell in a versioned cache so the app opens offline, and keeps
 * any other file of the app (the volunteer and organiser screens and their libraries) once it has been fetched.
 * The programme and the attendee's data live in IndexedDB (js/lib/store.js); /api is never cached here.
 * A new version installs beside the old one and waits until the page asks it to take over (the page
 * shows "update available — reload"). Nothing here is written by hand at release: the server (server/pwa.py)
 * answers /sw.js with VERSION a digest of every file SHELL lists, and ASSETS the map of each file's name to its
 * content-hashed name, the URL the pages use; a changed file is a new name and a new version.
 * tests/browser/test_shell.py checks that SHELL lists every file the attendee's screens need, and nothing more. */

const VERSION = '__SHELL_DIGEST__';
const ASSETS = {/*ASSETS*/};
const PREFIX = 'lehoi-static-';
const CACHE = `${PREFIX}v${VERSION}`;
// Files fetched since (screens opened once): kept across versions, each new version bringing its own copies.
const LAZY = 'lehoi-lazy';

// The attendee's shell, by logical name: what a festival-goer may open offline after one visit.
const SHELL = [
  '/',
  '/manifest.webmanifest',
  '/css/app.css',
  '/css/wayfinding.css',
  '/icons/favicon.svg',
  '/js/lib/dayplan.js',
  '/js/lib/basemap.js',
  '/js/lib/geodesic.js',
  '/js/lib/i18n-basemap.js',
  '/js/lib/i18n-map.js',
  '/js/lib/i18n-wayfinding.js',
  '/js/lib/i18n.js',
  '/js/lib/ics.js',
  '/js/lib/idb.js',
  '/js/lib/planner.js',
  '/js/lib/search.js',
  '/js/lib/state.js',
  '/js/lib/store.js',
  '/js/lib/streets.js',
  '/js/lib/sync.js',
  '/js/lib/time.js',
  '/js/lib/travel.js',
  '/js/lib/uuid7.js',
  '/js/page/core/app.js',
  '/js/page/core/dom.js',
  '/js/page/core/lazy.js',
  '/js/page/core/main.js',
  '/js/page/core/notfound.js',
  '/js/page/core/shell.js',
  '/js/page/core/start.js',
  '/js/page/core/sw-client.js',
  '/js/page/map/background.js',
  '/js/page/map/basemap-layer.js',
  '/js/page/map/basemap-style.js',
  '/js/page/map/gothere.js',
  '/js/page/map/map.js',
  '/js/page/map/mapview.js',
  '/js/page/map/offline-map.js',
  '/js/page/map/travelui.js',
  '/js/page/map/venue-list.js',
  '/js/page/programme/cards.js',
  '/js/page/programme/event.js',
  '/js/page/programme/programme.js',
  '/js/page/programme/venue.js',
  '/js/page/schedule/plan.js',
  '/js/page/schedule/schedule.js',
  '/js/page/schedule/travel.js',
  '/js/page/settings/settings.js',
  // My pass and the stamp passport (the passport's camera and the volunteer screens load when first opened)
  '/css/checkin.css',
  '/js/lib/attendee.js',
  '/js/lib/checkin.js',
  '/js/lib/i18n-checkin.js',
  '/js/lib/qr.js',
  '/js/lib/msgpack-lite.js',
  '/js/lib/staff.js',
  '/js/lib/tokens.js',
  '/js/page/checkin/ui.js',
  '/js/page/pass/pass.js',
  '/js/worker/bundle.js',
  '/vendor/qrcode-generator/qrcode.min.mjs',
  // Leaflet, loaded by the map screens only (pwa/vendor/refresh*.mjs). The offline basemap's reader and renderer
  // are not here: they are of use offline only with a saved archive, and come with it (js/lib/basemap.js RENDERER).
  '/vendor/leaflet/leaflet.js',
  '/vendor/leaflet/leaflet.css',
  '/vendor/leaflet.markercluster/leaflet.markercluster.js',
];

const hashed = (url) => ASSETS[url] || url;
const HASHED = new Set(Object.values(ASSETS));
// A hashed name back to its logical one: `/js/lib/i18n.3f2a1b4c5d.js` → `/js/lib/i18n.js`.
const logical = (path) => path.replace(/\.[0-9a-f]{10}(\.[a-z]+)$/, '$1');

// Where the browser has static routes (Chromium), the shell's hashed files and the page itself are answered from
// this version's cache without running this worker at all: a reload's two dozen modules then no longer wait, one
// after another, for a fetch event each. Each file is named exactly (no patterns: routes take none with a regexp);
// a miss, which the install below leaves none of, goes to the network. The lazy files still come through `fetch`.
// Made only where routes exist: URLPattern is as recent, and an error here would stop the whole worker elsewhere.
const staticRoutes = () => [
  { condition: { urlPattern: new URLPattern({ pathname: '/', search: '' }), requestMode: 'navigate' }, source: { cacheName: CACHE } },
  {
    condition: { or: SHELL.filter((url) => ASSETS[url]).map((url) => ({ urlPattern: new URLPattern({ pathname: ASSETS[url] }) })) },
    source: { cacheName: CACHE },
  },
];

self.addEventListener('install', (event) => {
  // a browser that refuses the routes still has the fetch handler below, as every other browser does
  if (event.addRoutes) {
    const refused = (error) => console.warn('static routes:', error);
    try {
      event.waitUntil(event.addRoutes(staticRoutes()).catch(refused));
    } catch (error) {
      refused(error);
    }
  }
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // A hashed name never changes its bytes, so the HTTP cache may answer (the page has just loaded most of them,
    // and nothing is downloaded twice); the page and the manifest are asked again ('no-cache': a 304 if unchanged).
    await cache.addAll(SHELL.map((url) => new Request(hashed(url), { cache: ASSETS[url] ? 'default' : 'no-cache' })));
    // The screens opened under the old version come along in their new version, so they still open offline.
    if (!(await caches.has(LAZY))) return;
    const lazy = await caches.open(LAZY);
    const kept = (await lazy.keys()).map((request) => hashed(logical(new URL(request.url).pathname)));
    await Promise.all(kept.filter((url) => HASHED.has(url)).map(async (url) => {
      if (await lazy.match(url)) return;
      const answer = await fetch(url).catch(() => null);
      if (answer && answer.ok) await lazy.put(url, answer);
    }));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
    if (await caches.has(LAZY)) {
      const lazy = await caches.open(LAZY);
      const stale = (await lazy.keys()).filter((request) => !HASHED.has(new URL(request.url).pathname));
      await Promise.all(stale.map((request) => lazy.delete(request)));
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

const APP_PAGES = new Set(['/', '/index.html']);

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  // The app is one page with hash routes: any visit to it opens the cached shell.
  if (request.mode === 'navigate' && APP_PAGES.has(url.pathname)) {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      return (await cache.match('/')) || fetch(request);
    })());
    return;
  }

  if (HASHED.has(url.pathname) || url.pathname === '/manifest.webmanifest') {
    event.respondWith((async () => {
      // caches.match, not caches.open: opening would make the lazy cache on a phone that never needed it
      const cached = (await caches.match(url.pathname, { cacheName: CACHE }))
        || (await caches.match(url.pathname, { cacheName: LAZY }));
      if (cached) return cached;
      const answer = await fetch(request);
      // A file outside the shell (a volunteer's or an organiser's screen): kept, so it opens offline from now on.
      if (answer.ok && HASHED.has(url.pathname)) {
        const copy = answer.clone();
        event.waitUntil(caches.open(LAZY).then((lazy) => lazy.put(url.pathname, copy)));
      }
      return answer;
    })());
  }
  // Everything else (/api, /admin, /schema) goes to the network as usual.
});

// --- push: organisers' alerts and reminders (server/push/README.md, "The message") -------------------------------
// Both languages travel in each message; it is shown in the device's (`lang`, the app's setting the server holds).
// A message can arrive twice: an id already shown is not shown again (ids remembered in a cache of their own,
// which survives new versions of the shell, and by the notification's tag).

const SEEN_CACHE = 'lehoi-push-seen';
const SEEN_KEEP = 200;
const seenNow = new Set();

async function firstSight(id) {
  if (seenNow.has(id)) return false;
  seenNow.add(id);
  const cache = await caches.open(SEEN_CACHE);
  const key = new Request(`/__push-seen/${encodeURIComponent(id)}`);
  if (await cache.match(key)) return false;
  await cache.put(key, new Response(String(Date.now())));
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - SEEN_KEEP)).map((old) => cache.delete(old)));
  return true;
}

function pick(text, lang) {
  if (!text || typeof text === 'string') return text || '';
  return text[lang] || text.vi || text.en || '';
}

self.addEventListener('push', (event) => {
  event.waitUntil((async () => {
    let message;
    try {
      message = event.data ? event.data.json() : null;
    } catch {
      message = null;
    }
    if (!message || !message.id || !message.title) return;
    if (!(await firstSight(String(message.id)))) return;
    const lang = message.lang === 'en' || message.lang === 'vi' ? message.lang
      : (self.navigator.language || 'vi').slice(0, 2) === 'en' ? 'en' : 'vi';
    await self.registration.showNotification(pick(message.title, lang), {
      body: pick(message.body, lang),
      tag: String(message.id),
      lang,
      icon: hashed('/icons/icon-192.png'),
      badge: hashed('/icons/icon-192.png'),
      data: { id: message.id, url: message.url || '/', kind: message.kind || 'alert' },
    });
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    let target;
    try {
      target = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin);
    } catch {
      target = new URL('/', self.location.origin);
    }
    if (target.origin !== self.location.origin && target.protocol !== 'https:') target = new URL('/', self.location.origin);
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const ours = windows.find((client) => new URL(client.url).origin === self.location.origin);
    if (ours && target.origin === self.location.origin) {
      // The app is one page: a new hash on the open window shows the alert's screen without reloading it.
      const opened = await ours.navigate(target.href).catch(() => null);
      if (opened) return opened.focus();
    }
    return self.clients.openWindow(target.href);
  })());
});
