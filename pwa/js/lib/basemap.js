// The offline basemap kept on the phone: the server's PMTiles archive (the bundle's `map.basemap`, see
// docs/contract.md "Map and basemap"), downloaded once with progress into Cache Storage, where
// navigator.storage.estimate() counts it and the service worker's clean-up of old shells (lehoi-static-*) does
// not reach. It is fetched again only when `basemap.version` changes. No DOM: the Map screen draws it.

const CACHE = 'lehoi-basemap';
const VERSION_HEADER = 'X-Lehoi-Basemap-Version';
const AUTO_KEY = 'lehoi.basemap.auto_wifi';
/**
 * The modules that draw the archive (pwa/vendor/, ~40 KB compressed): loaded by the Map screen when there is a
 * basemap to draw (js/page/map/basemap-layer.js), and fetched with the archive when it is saved, so that the service
 * worker keeps them beside it. They are not in its precache: offline, they are of use only with a saved archive.
 */
export const RENDERER = ['/vendor/pmtiles/pmtiles.mjs', '/vendor/protomaps-leaflet/protomaps-leaflet.mjs'];

/** The bundle's basemap entry, or null when the server has none (or sends something this app cannot draw). */
export function basemapOf(programme) {
  const basemap = programme?.extra?.map?.basemap;
  return basemap && basemap.format === 'pmtiles' && basemap.tile_type === 'mvt' && basemap.url ? basemap : null;
}

/** The cache key: the archive's path without `?v=`, so a new version replaces the old copy. */
const keyOf = (basemap) => new URL(basemap.url, location.origin).pathname;

async function open() {
  return 'caches' in globalThis ? caches.open(CACHE) : null;
}

/** The saved copy of this basemap (any version): {version, bytes, blob, current}, or null. */
export async function savedBasemap(basemap) {
  if (!basemap) return null;
  const cache = await open();
  const response = await cache?.match(keyOf(basemap));
  if (!response) return null;
  const blob = await response.blob();
  const version = response.headers.get(VERSION_HEADER);
  return { version, bytes: blob.size, blob, current: version === basemap.version };
}

let running = null;

/**
 * Download the archive (a plain GET of the whole file) and keep it; `onProgress(received, total)` on each chunk,
 * total from Content-Length or else the bundle's `bytes`. One download at a time: a second call joins the first.
 */
export function saveBasemap(basemap, onProgress = () => {}) {
  if (!running) {
    running = download(basemap, onProgress).finally(() => {
      running = null;
    });
  }
  return running;
}

async function download(basemap, onProgress) {
  const response = await fetch(basemap.url, { cache: 'no-store' });
  if (!response.ok || !response.body) throw new Error(`basemap download: HTTP ${response.status}`);
  const total = Number(response.headers.get('Content-Length')) || basemap.bytes || 0;
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  onProgress(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onProgress(received, Math.max(total, received));
  }
  const blob = new Blob(chunks, { type: 'application/vnd.pmtiles' });
  const cache = await open();
  if (!cache) throw new Error('basemap download: this browser has no Cache Storage');
  // through the service worker, which keeps them (sw.js, "lehoi-lazy"): the saved copy then draws offline
  await Promise.all(RENDERER.map((url) => fetch(url).then((answer) => answer.arrayBuffer())));
  await cache.put(keyOf(basemap), new Response(blob, {
    headers: { 'Content-Type': blob.type, 'Content-Length': String(blob.size), [VERSION_HEADER]: basemap.version },
  }));
  return { version: basemap.version, bytes: blob.size, blob, current: true };
}

/** "Save automatically on Wi-Fi": off unless the person turned it on. */
export function autoOnWifi() {
  try {
    return localStorage.getItem(AUTO_KEY) === '1';
  } catch {
    return false;
  }
}

export function setAutoOnWifi(on) {
  try {
    localStorage.setItem(AUTO_KEY, on ? '1' : '0');
  } catch {
    // private mode: the choice lasts this page only
  }
}

/** On Wi-Fi, as far as the browser says: only Chromium on Android tells (navigator.connection.type). */
export const onWifi = () => navigator.connection?.type === 'wifi';

/** Whether to download now without asking: the setting is on, on Wi-Fi, online, and no current copy. */
export async function shouldAutoSave(basemap) {
  if (!basemap || !autoOnWifi() || !onWifi() || !navigator.onLine) return false;
  return !(await savedBasemap(basemap))?.current;
}

/** "Save automatically on Wi-Fi" on any screen: the app calls it when a sync has brought the programme. */
export async function autoSave(programme) {
  const basemap = basemapOf(programme);
  if (await shouldAutoSave(basemap)) await saveBasemap(basemap);
}

/** Bytes the site uses and may use (Cache Storage and IndexedDB both count), or null where unknown. */
export async function storageEstimate() {
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return { usage, quota };
  } catch {
    return null;
  }
}
