// The offline basemap as a Leaflet layer: protomaps-leaflet draws the PMTiles archive's vector tiles on canvas
// (pwa/vendor/, copied from npm by vendor/refresh-basemap.mjs; loaded only with a map). The archive is read
// from the copy saved on the phone when there is one (online too: no network needed), else from the server by
// HTTP Range requests while online; offline without a saved copy there is no basemap.

import { RENDERER, basemapOf, savedBasemap } from '../../lib/basemap.js';
import { BACKGROUND, labelRules, paintRules } from './basemap-style.js';

export const OSM_ATTRIBUTION = '<a href="https://www.openstreetmap.org/copyright" rel="noopener" target="_blank">© OpenStreetMap contributors</a>';

/** pmtiles' Source over a Blob (the saved archive): its FileSource wants a File with a name for its cache key. */
class BlobSource {
  constructor(blob, key) {
    this.blob = blob;
    this.key = key;
  }

  getKey() {
    return this.key;
  }

  async getBytes(offset, length) {
    return { data: await this.blob.slice(offset, offset + length).arrayBuffer() };
  }
}

let vendored = null;

function loadVendored() {
  if (!vendored) {
    // protomaps-leaflet extends L.GridLayer: the caller has loaded Leaflet (mapview.js loadLeaflet) before
    vendored = Promise.all(RENDERER.map((url) => import(url)))
      .then(([pmtiles, protomaps]) => ({ PMTiles: pmtiles.PMTiles, P: protomaps.default }));
    vendored.catch(() => {
      vendored = null;
    });
  }
  return vendored;
}

/**
 * The basemap layer for the app's programme, with `source` 'saved' or 'online'; null when the server has no
 * basemap, or when offline with no saved copy.
 */
export async function basemapLayer(app) {
  const basemap = basemapOf(app.programme);
  if (!basemap) return null;
  const saved = await savedBasemap(basemap).catch(() => null);
  if (!saved && !navigator.onLine) return null;
  const { PMTiles, P } = await loadVendored();
  const archive = saved
    ? new PMTiles(new BlobSource(saved.blob, `saved:${basemap.name}:${saved.version}`))
    : new PMTiles(new URL(basemap.url, location.origin).href);
  // online, a server that does not answer is found out here, so the screen can fall back to the raster tiles
  if (!saved) await archive.getHeader();
  const [west, south, east, north] = basemap.bounds || [-180, -85, 180, 85];
  const layer = P.leafletLayer({
    url: archive,
    paintRules: paintRules(P),
    labelRules: labelRules(P, app.lang()),
    backgroundColor: BACKGROUND,
    maxDataZoom: basemap.max_zoom ?? 14, // beyond it the z14 tiles are drawn larger (overzoom)
    maxZoom: 19,
    bounds: [[south, west], [north, east]],
    attribution: OSM_ATTRIBUTION,
  });
  return { layer, source: saved ? 'saved' : 'online' };
}
