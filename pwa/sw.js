/* The service worker: keeps the app shell in a versioned cache so the app opens offline.
 * The programme and the attendee's data live in IndexedDB (js/lib/store.js); /api is never cached here.
 * A new version installs beside the old one and waits until the page asks it to take over (the page
 * shows "update available — reload"). Bump VERSION whenever a file of the shell changes;
 * tests/browser/test_shell.py checks that SHELL lists every file the app needs. */

const VERSION = 'v1';
const PREFIX = 'lehoi-static-';
const CACHE = `${PREFIX}${VERSION}`;

const SHELL = [
  '/',
  '/index.html',
  '/manifest.webmanifest',
  '/css/app.css',
  '/icons/favicon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-512.png',
  '/icons/apple-touch-icon.png',
  '/js/lib/i18n.js',
  '/js/lib/ics.js',
  '/js/lib/idb.js',
  '/js/lib/search.js',
  '/js/lib/state.js',
  '/js/lib/store.js',
  '/js/lib/sync.js',
  '/js/lib/time.js',
  '/js/lib/uuid7.js',
  '/js/page/app.js',
  '/js/page/cards.js',
  '/js/page/dom.js',
  '/js/page/event.js',
  '/js/page/main.js',
  '/js/page/notfound.js',
  '/js/page/programme.js',
  '/js/page/schedule.js',
  '/js/page/settings.js',
  '/js/page/shell.js',
  '/js/page/sw-client.js',
  '/js/page/venue.js',
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
