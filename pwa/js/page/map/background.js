// What is drawn under the venues: the offline vector basemap (basemap-layer.js) when the server has one and it
// can be read (saved on the phone, or online), with the server's raster tiles (LEHOI_TILE_URL) offered beside it
// by a layer switch; the raster tiles alone otherwise. With neither, a plain background and a note saying why
// (the element's `tiles` event, which map.js shows).

import '../../lib/i18n-basemap.js'; // the layer switch's words
import { t } from '../../lib/i18n.js';
import { escape } from '../core/dom.js';
import { OSM_ATTRIBUTION, basemapLayer } from './basemap-layer.js';

export const DEFAULT_TILES = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';

/**
 * The online raster tiles. The server's LEHOI_TILE_URL and attribution are read from the bundle
 * (`map: {tile_url, tile_attribution}`, or the festival's `tile_url`) when the server sends them; otherwise
 * OpenStreetMap's tiles.
 */
export function tileSettings(programme) {
  const map = programme?.extra?.map || programme?.extra?.tiles || {};
  const festival = programme?.festival || {};
  const url = map.tile_url || map.url || festival.tile_url || DEFAULT_TILES;
  const text = map.tile_attribution || map.attribution || festival.tile_attribution || '';
  const attribution = url === DEFAULT_TILES && (!text || /openstreetmap/i.test(text)) ? OSM_ATTRIBUTION : escape(text);
  return { url, attribution };
}

export class Background {
  constructor(L, map, app, element) {
    Object.assign(this, { L, map, app, element });
    this.tiles = tileSettings(app.programme);
    this.raster = null;
    this.basemap = null;
    this.switch = null;
    this.tileErrors = 0;
    this.tileLoads = 0;
    this.gone = false;
    this.onlineListener = () => this.retry();
    window.addEventListener('online', this.onlineListener);
    this.started = false;
    this.note();
  }

  /** Read and draw the background, once (MapView: on a map of venues, after them). */
  async start() {
    if (this.started) return;
    this.started = true;
    const made = await basemapLayer(this.app).catch((error) => {
      console.warn('basemap:', error);
      return null;
    });
    if (this.gone) return;
    if (made) this.useBasemap(made);
    else this.addRaster();
    this.note();
  }

  useBasemap({ layer, source }) {
    this.basemap = layer;
    this.element.dataset.basemap = source; // 'saved' or 'online', for the curious and the tests
    this.raster?.remove();
    layer.addTo(this.map);
    layer.bringToBack();
    this.map.on('baselayerchange', () => this.note());
    this.switch = this.L.control.layers({
      [t('map_layer_basemap')]: layer,
      [t('map_layer_online')]: this.rasterLayer(),
    }, null, { position: 'topright' }).addTo(this.map); // under the zoom buttons: the top left holds the views and the note
  }

  /** The online raster layer, made once; its failed tiles are hidden, never broken images. */
  rasterLayer() {
    if (!this.raster) {
      const layer = this.L.tileLayer(this.tiles.url, { attribution: this.tiles.attribution, maxZoom: 19, minZoom: 9 });
      layer.on('tileerror', (event) => {
        event.tile.style.visibility = 'hidden';
        this.tileErrors += 1;
        this.note();
      });
      layer.on('tileload', () => {
        this.tileLoads += 1;
        this.note();
      });
      this.raster = layer;
    }
    return this.raster;
  }

  addRaster() {
    this.rasterLayer().addTo(this.map);
  }

  /** Back online: read the basemap from the server if it was not drawn, else ask again for failed raster tiles. */
  async retry() {
    if (this.basemap) {
      if (this.map.hasLayer(this.raster)) this.raster.redraw();
      return;
    }
    const made = await basemapLayer(this.app).catch(() => null);
    if (this.gone) return;
    if (made) this.useBasemap(made);
    else this.raster?.redraw();
    this.note();
  }

  /** Tell the screen whether anything is drawn under the venues. */
  note() {
    const drawn = (this.basemap && this.map.hasLayer(this.basemap)) || (this.raster && this.map.hasLayer(this.raster) && this.tileLoads > 0);
    const offline = !navigator.onLine && !drawn;
    const failing = !offline && !drawn && this.tileErrors > 0;
    this.element.classList.toggle('no-tiles', offline || failing);
    this.element.dispatchEvent(new CustomEvent('tiles', { detail: { offline, failing }, bubbles: true }));
  }

  destroy() {
    this.gone = true;
    window.removeEventListener('online', this.onlineListener);
  }
}
