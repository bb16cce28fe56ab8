/* The service worker: keeps the app shell in a versioned cache so the app opens offline.
 * The programme and the attendee's data live in IndexedDB (js/lib/store.js); /api is never cached here.
 * A new version installs beside the old one and waits until the page asks it to take over (the page
 * shows "update available — reload"). The version is not written by hand: the server (server/pwa.py) answers
 * /sw.js with the placeholder below filled by a digest of every file SHELL lists, so a changed file is a new
 * version. tests/browser/test_shell.py checks that SHELL lists every file the app needs. */

const VERSION = '__SHELL_DIGEST__';
const PREFIX = 'lehoi-static-';
const CACHE = `${PREFIX}v${VERSION}`;

const SHELL = [
  '/',
  '/index.html',
  '/manifest.webmanifest',
  '/css/app.css',
  '/css/checkin.css',
  '/css/wayfinding.css',
  '/icons/favicon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-512.png',
  '/icons/apple-touch-icon.png',
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
  // Pass, passport, scanner, organisers and notifications (and their vendored packages: pwa/vendor/refresh-checkin.mjs)
  '/js/lib/attendee.js',
  '/js/lib/checkin.js',
  '/js/lib/i18n-checkin.js',
  '/js/lib/live-scan.js',
  '/js/lib/msgpack-lite.js',
  '/js/lib/push.js',
  '/js/lib/qr.js',
  '/js/lib/staff.js',
  '/js/lib/tokens.js',
  '/js/page/checkin/camera.js',
  '/js/page/checkin/crowd.js',
  '/js/page/checkin/enrol.js',
  '/js/page/checkin/judge.js',
  '/js/page/checkin/occupancy.js',
  '/js/page/checkin/overruled.js',
  '/js/page/checkin/scanlog.js',
  '/js/page/checkin/scanner.js',
  '/js/page/checkin/scanview.js',
  '/js/page/checkin/ui.js',
  '/js/page/checkin/verdict.js',
  '/js/page/checkin/volunteer.js',
  '/js/page/organiser/alerts.js',
  '/js/page/organiser/codes.js',
  '/js/page/organiser/dashboard.js',
  '/js/page/organiser/organiser.js',
  '/js/page/pass/pass.js',
  '/js/page/pass/passport.js',
  '/js/page/settings/notify.js',
  '/js/worker/qr-decode.js',
  '/vendor/qrcode-generator/qrcode.min.mjs',
  '/vendor/jsqr/jsQR.min.js',
  '/vendor/uplot/uPlot.min.mjs',
  '/vendor/uplot/uPlot.min.css',
  // Leaflet, loaded by the map screens only (pwa/vendor/refresh.mjs copies it from npm)
  '/vendor/leaflet/leaflet.js',
  '/vendor/leaflet/leaflet.css',
  '/vendor/leaflet/images/layers.png',
  '/vendor/leaflet/images/layers-2x.png',
  '/vendor/leaflet/images/marker-icon.png',
  '/vendor/leaflet/images/marker-icon-2x.png',
  '/vendor/leaflet/images/marker-shadow.png',
  '/vendor/leaflet.markercluster/leaflet.markercluster.js',
  '/vendor/leaflet.markercluster/MarkerCluster.css',
  // The offline basemap: PMTiles reader and vector renderer, loaded by the map screens only (vendor/refresh-basemap.mjs)
  '/vendor/pmtiles/pmtiles.mjs',
  '/vendor/protomaps-leaflet/protomaps-leaflet.mjs',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'reload' skips the HTTP cache, so the new version never stores an old file.
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

const SHELL_PATHS = new Set(SHELL);
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
      return (await cache.match('/index.html')) || fetch(request);
    })());
    return;
  }

  if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      return (await cache.match(url.pathname)) || fetch(request);
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
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
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
