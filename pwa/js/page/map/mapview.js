// A Leaflet map of the festival: venues by kind, trails, a route, a day plan, the device's position.
// Leaflet (pwa/vendor/leaflet/, copied from npm by pwa/vendor/refresh.mjs) loads only when a map is shown,
// so the programme stays light. Everything is drawn from the stored programme: without signal, or when no
// background can be drawn (background.js), the venues and lines still show on a plain background.

import { byMode, formatDuration } from '../../lib/i18n-wayfinding.js';
import { kindName, t, tr } from '../../lib/i18n.js';
import { escape } from '../core/dom.js';
import { Background } from './background.js';
import { OSM_ATTRIBUTION } from './basemap-layer.js';

export const KINDS = ['heritage', 'craft_village', 'creative_space', 'garden'];

let loading = null;

/** Leaflet's stylesheet and script, once. */
export function loadLeaflet() {
  if (!loading) {
    loading = (async () => {
      if (!document.querySelector('link[data-leaflet]')) {
        const link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = '/vendor/leaflet/leaflet.css';
        link.dataset.leaflet = '';
        const loaded = new Promise((resolve) => {
          link.onload = resolve;
          link.onerror = resolve;
        });
        document.head.prepend(link); // before app.css, so the app's rules win
        await loaded;
      }
      await import('../../../vendor/leaflet/leaflet.js');
      return globalThis.L;
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** Views the app sets jump there: an animation still running when the screen goes away breaks Leaflet. */
const STILL = { animate: false };
/** Popups keep clear of the zoom buttons (top right). */
const POPUP = { maxWidth: 280, minWidth: 200, autoPanPaddingTopLeft: [12, 12], autoPanPaddingBottomRight: [64, 12] };
const latLng = (p) => [p.lat, p.lon];
const fromPosition = ([lon, lat]) => [lat, lon];

export class MapView {
  /**
   * @param {HTMLElement} element an empty element with a height
   * @param {object} app
   */
  static async create(element, app, options = {}) {
    const L = await loadLeaflet();
    return new MapView(L, element, app, options);
  }

  constructor(L, element, app, { onVenue = null } = {}) {
    this.L = L;
    this.app = app;
    this.element = element;
    this.onVenue = onVenue;
    element.replaceChildren();
    const map = L.map(element, { zoomControl: false, zoomSnap: 0.5 });
    this.map = map;
    L.control.zoom({ position: 'topright', zoomInTitle: t('zoom_in'), zoomOutTitle: t('zoom_out') }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" rel="noopener" target="_blank">Leaflet</a>');
    this.venueLayer = L.layerGroup().addTo(map);
    this.trailLayer = L.layerGroup().addTo(map);
    this.routeLayer = L.featureGroup().addTo(map);
    this.meLayer = L.layerGroup().addTo(map);
    this.background = new Background(L, map, app, element);
    this.routeCredit = false;
    map.on('popupopen', (event) => {
      event.popup.getElement()?.querySelector('.leaflet-popup-close-button')?.setAttribute('aria-label', t('close'));
    });
    this.fitCore();
  }

  destroy() {
    this.background.destroy();
    this.map.stop();
    this.map.remove();
  }

  /** The dense centre of the festival: every venue within 3 km of the median one. */
  fitCore() {
    const venues = [...this.app.programme.venues.values()];
    if (!venues.length) {
      this.map.setView([21.0285, 105.8542], 14, STILL);
      return;
    }
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const centre = this.L.latLng(median(venues.map((v) => v.lat)), median(venues.map((v) => v.lon)));
    const near = venues.filter((v) => centre.distanceTo([v.lat, v.lon]) <= 3000);
    this.fit((near.length ? near : venues).map(latLng));
  }

  fit(points, maxZoom = 17) {
    if (!points.length) return;
    const bounds = this.L.latLngBounds(points);
    if (points.length === 1) this.map.setView(bounds.getCenter(), Math.min(maxZoom, 16), STILL);
    else this.map.fitBounds(bounds, { padding: [28, 28], maxZoom, ...STILL });
  }

  venueIcon(venue, { selected = false } = {}) {
    return this.L.divIcon({
      className: `venue-marker kind-${venue.kind}${selected ? ' is-selected' : ''}`,
      html: `<span class="pin"><svg class="icon" aria-hidden="true" focusable="false"><use href="#i-kind-${escape(venue.kind)}"></use></svg></span>`,
      iconSize: [44, 44],
      iconAnchor: [22, 41],
      popupAnchor: [0, -38],
    });
  }

  /** Every venue, as a pin of its kind; tapping one opens its name and links. */
  showVenues(selectedId = null) {
    this.venueLayer.clearLayers();
    this.markers = new Map();
    for (const venue of this.app.programme.venues.values()) {
      const selected = venue.id === selectedId;
      const marker = this.L.marker([venue.lat, venue.lon], {
        icon: this.venueIcon(venue, { selected }), title: tr(venue.name), keyboard: true, riseOnHover: true,
        zIndexOffset: selected ? 1000 : 0,
      });
      marker.on('add', () => {
        const el = marker.getElement();
        el?.setAttribute('aria-label', `${tr(venue.name)}, ${kindName(venue.kind)}`);
        el?.setAttribute('data-venue', venue.id);
      });
      marker.bindPopup(() => this.venuePopup(venue), POPUP);
      marker.addTo(this.venueLayer);
      this.markers.set(venue.id, marker);
    }
  }

  venuePopup(venue) {
    const id = encodeURIComponent(venue.id);
    return `<div class="map-popup"><p class="map-popup-title">${escape(tr(venue.name))}</p>
      <p class="map-popup-meta">${escape(kindName(venue.kind))} · ${escape(venue.district || '')}</p>
      <p class="map-popup-links"><a class="btn btn-small" href="#/venues/${id}">${escape(t('open_venue'))}</a>
      <a class="btn btn-small btn-primary" href="#/venues/${id}?go=1">${escape(t('go_there'))}</a></p></div>`;
  }

  openVenue(id) {
    const marker = this.markers?.get(id);
    if (!marker) return;
    this.map.setView(marker.getLatLng(), Math.max(this.map.getZoom(), 16), STILL);
    marker.openPopup();
  }

  /** The curated trails: their drawn path, else straight lines between their stops. */
  showTrails(trails, { highlight = null } = {}) {
    this.trailLayer.clearLayers();
    const venues = this.app.programme.venues;
    const lines = new Map();
    for (const trail of trails) {
      const points = trail.path?.length >= 2 ? trail.path.map(fromPosition)
        : trail.stops.map((s) => venues.get(s)).filter(Boolean).map(latLng);
      if (points.length < 2) continue;
      const on = trail.id === highlight;
      const line = this.L.polyline(points, {
        className: `trail-line${on ? ' is-highlighted' : ''}`, weight: on ? 6 : 4, dashArray: '8 8', interactive: true,
      });
      line.bindPopup(`<div class="map-popup"><p class="map-popup-title">${escape(tr(trail.name))}</p>
        <p class="map-popup-meta">${escape(formatDuration(trail.duration_min * 60))} · ${escape(byMode(trail.mode))}</p></div>`, POPUP);
      line.addTo(this.trailLayer);
      lines.set(trail.id, line);
    }
    if (highlight && lines.has(highlight)) this.map.fitBounds(lines.get(highlight).getBounds(), { padding: [28, 28], ...STILL });
    return lines;
  }

  setTrailsVisible(on) {
    if (on) this.trailLayer.addTo(this.map);
    else this.trailLayer.remove();
  }

  clearRoute() {
    this.routeLayer.clearLayers();
    this.creditStreets(false);
  }

  /** A line that follows OpenStreetMap's streets credits them, whatever background is shown (ODbL). */
  creditStreets(on) {
    if (on === this.routeCredit) return;
    if (on) this.map.attributionControl.addAttribution(OSM_ATTRIBUTION);
    else this.map.attributionControl.removeAttribution(OSM_ATTRIBUTION);
    this.routeCredit = on;
  }

  /** A route or plan as GeoJSON LineStrings ([lon, lat]), with numbered stops; the map fits it. */
  showLines(features, { stops = [], start = null, end = null, fit = true, className = 'route-line' } = {}) {
    this.routeLayer.clearLayers();
    this.creditStreets(features.some((feature) => feature.properties?.geometry_source === 'streets'));
    for (const feature of features) {
      const coordinates = feature.geometry?.coordinates || [];
      if (coordinates.length < 2) continue;
      const straight = feature.properties?.geometry_source === 'straight';
      this.L.polyline(coordinates.map(fromPosition), {
        className: `${className}${straight ? ' is-straight' : ''}`, weight: 5, opacity: 0.95, interactive: false,
      }).addTo(this.routeLayer);
    }
    // Markers that only show where things are: pictures with a name for screen readers, not buttons.
    const label = (marker, text) => marker.on('add', () => {
      marker.getElement()?.setAttribute('role', 'img');
      marker.getElement()?.setAttribute('aria-label', text);
    });
    if (start) {
      const marker = this.L.marker(latLng(start), {
        icon: this.L.divIcon({ className: 'start-marker', html: '<span class="dot"></span>', iconSize: [24, 24], iconAnchor: [12, 12] }),
        title: t('start_marker'), keyboard: false, zIndexOffset: 1500,
      });
      label(marker, t('start_marker'));
      marker.addTo(this.routeLayer);
    }
    if (end) {
      const marker = this.L.marker(latLng(end), {
        icon: this.L.divIcon({ className: 'end-marker', html: '<span class="flag"></span>', iconSize: [44, 44], iconAnchor: [22, 41] }),
        title: end.label || '', keyboard: false, zIndexOffset: 2000,
      });
      label(marker, end.label || '');
      marker.addTo(this.routeLayer);
    }
    stops.forEach((stop, i) => {
      const marker = this.L.marker(latLng(stop), {
        icon: this.L.divIcon({ className: 'stop-marker', html: `<span class="num">${i + 1}</span>`, iconSize: [30, 30], iconAnchor: [15, 15] }),
        title: stop.label || t('plan_stop', { n: i + 1 }), keyboard: false, zIndexOffset: 2000,
      });
      label(marker, `${t('plan_stop', { n: i + 1 })}: ${stop.label || ''}`);
      marker.addTo(this.routeLayer);
    });
    if (fit && this.routeLayer.getLayers().length) this.map.fitBounds(this.routeLayer.getBounds(), { padding: [32, 32], maxZoom: 17, ...STILL });
  }

  /** The device's position with its accuracy. */
  showMe(fix) {
    this.meLayer.clearLayers();
    if (fix.accuracy && fix.accuracy < 2000) {
      this.L.circle(latLng(fix), { radius: fix.accuracy, className: 'me-accuracy', weight: 1, interactive: false }).addTo(this.meLayer);
    }
    this.L.circleMarker(latLng(fix), { radius: 8, className: 'me-marker', weight: 3, fillOpacity: 1, interactive: false }).addTo(this.meLayer);
  }

  invalidate() {
    this.map.invalidateSize();
  }
}
