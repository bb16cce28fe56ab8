// A Leaflet map of the festival: venues by kind, gathered into numbered clusters where they crowd
// (leaflet.markercluster), trails, a route, a day plan, the device's position. Leaflet and the clusters
// (pwa/vendor/, copied from npm by pwa/vendor/refresh.mjs) load only when a map is shown, so the programme stays
// light. Everything is drawn from the stored programme: without signal, or when no background can be drawn
// (background.js), the venues and lines still show on a plain background, with a note on the map saying why.

import { byMode, formatDuration } from '../../lib/i18n-wayfinding.js';
import '../../lib/i18n-map.js'; // the words of the map's controls
import { kindName, t, tr } from '../../lib/i18n.js';
import { escape, icon } from '../core/dom.js';
import { Background } from './background.js';
import { OSM_ATTRIBUTION } from './basemap-layer.js';

export const KINDS = ['heritage', 'craft_village', 'creative_space', 'garden'];

let loading = null;

/** A vendored stylesheet, once, before app.css so that the app's rules win. */
function stylesheet(href) {
  if (document.querySelector(`link[href="${href}"]`)) return Promise.resolve();
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  const loaded = new Promise((resolve) => {
    link.onload = resolve;
    link.onerror = resolve;
  });
  document.head.prepend(link);
  return loaded;
}

/**
 * Leaflet with its clusters and its stylesheet, once. The clusters' own stylesheet only animates them, and they
 * are not animated (MapView).
 */
export function loadLeaflet() {
  if (!loading) {
    loading = (async () => {
      const styles = stylesheet('/vendor/leaflet/leaflet.css');
      await import('../../../vendor/leaflet/leaflet.js');
      // extends the global L, so after Leaflet
      await import('../../../vendor/leaflet.markercluster/leaflet.markercluster.js');
      await styles;
      return globalThis.L;
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

// Every screen that imports this one draws a map: the stylesheet and scripts are fetched from now on.
loadLeaflet();

/** Views the app sets jump there: an animation still running when the screen goes away breaks Leaflet. */
const STILL = { animate: false };
/** Popups keep clear of the views (top left) and the zoom buttons (top right). */
const POPUP = { maxWidth: 280, minWidth: 200, autoPanPaddingTopLeft: [12, 64], autoPanPaddingBottomRight: [64, 12] };
/** From this zoom on every venue is its own pin (streets apart at 17), so a venue can always be shown alone. */
const UNCLUSTERED = 17;
const latLng = (p) => [p.lat, p.lon];
const fromPosition = ([lon, lat]) => [lat, lon];

export class MapView {
  /**
   * @param {HTMLElement} element an empty element with a height
   * @param {object} app
   * @param {{venues?: boolean}} options venues: the festival's venues will be shown (showVenues), and the
   *   background waits for them, its tiles being drawn on the same thread
   */
  static async create(element, app, options = {}) {
    const L = await loadLeaflet();
    return new MapView(L, element, app, options);
  }

  constructor(L, element, app, { venues = false } = {}) {
    this.L = L;
    this.app = app;
    this.element = element;
    element.replaceChildren();
    // The clusters need the zooms before any background layer could say them, and build a level for each: from a
    // region (8: 150 km across a phone) to the streets, not from the whole world.
    // No fading of tiles: it redraws the tile layers every frame while they load.
    const map = L.map(element, { zoomControl: false, zoomSnap: 0.5, minZoom: 8, maxZoom: 19, fadeAnimation: false });
    this.map = map;
    L.control.zoom({ position: 'topright', zoomInTitle: t('zoom_in'), zoomOutTitle: t('zoom_out') }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" rel="noopener" target="_blank">Leaflet</a>');
    // A div icon whose element carries attributes (a name for screen readers, the venue's id).
    this.Icon = L.DivIcon.extend({
      createIcon(old) {
        const element = L.DivIcon.prototype.createIcon.call(this, old);
        for (const [name, value] of Object.entries(this.options.attributes || {})) element.setAttribute(name, value);
        return element;
      },
    });
    // Chunks of 40 ms keep a city of venues from freezing the phone while they are added. Wide clusters over the
    // region keep their counts apart; narrower ones in town show the venues a street apart. No cluster animation:
    // on a zoom it adds every child at its parent's place and forces a layout of the whole page to move them out.
    this.venueLayer = L.markerClusterGroup({
      chunkedLoading: true, chunkInterval: 40, chunkDelay: 1, animate: false, maxClusterRadius: (zoom) => (zoom < 13 ? 72 : 40), disableClusteringAtZoom: UNCLUSTERED,
      showCoverageOnHover: false, spiderfyOnMaxZoom: false, iconCreateFunction: (cluster) => this.clusterIcon(cluster),
      chunkProgress: (done, total) => {
        if (done === total) this.venuesAdded?.();
      },
    }).addTo(map);
    // a venue's popup is made when its pin is first tapped (or Enter pressed on it), not a thousand at once
    this.venueLayer.on('click keypress', (event) => {
      if (event.type === 'keypress' && event.originalEvent.key !== 'Enter') return;
      const marker = this.popupOf(event.layer);
      if (!marker) return;
      L.DomEvent.stop(event); // as a bound popup's own tap does: the map does not take it
      marker.openPopup();
    });
    this.trailLayer = L.layerGroup().addTo(map);
    this.routeLayer = L.featureGroup().addTo(map);
    this.meLayer = L.layerGroup().addTo(map);
    this.noteControl = this.addNote();
    this.background = new Background(L, map, app, element);
    if (!venues) this.background.start();
    this.routeCredit = false;
    map.on('popupopen', (event) => {
      event.popup.getElement()?.querySelector('.leaflet-popup-close-button')?.setAttribute('aria-label', t('close'));
    });
    this.fit(this.venueExtent().points);
  }

  destroy() {
    this.background.destroy();
    this.map.stop();
    this.map.remove();
  }

  /**
   * How many venues pass `keep` (the whole festival by default) and the points to fit them: the corners of their
   * extent, the one venue, or none. Corners, not a thousand points for Leaflet to convert.
   */
  venueExtent(keep = () => true) {
    let n = 0;
    let [south, west, north, east] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const v of this.app.programme.venues.values()) {
      if (!keep(v)) continue;
      n += 1;
      [south, west, north, east] = [Math.min(south, v.lat), Math.min(west, v.lon), Math.max(north, v.lat), Math.max(east, v.lon)];
    }
    const points = n === 0 ? [] : n === 1 ? [[south, west]] : [[south, west], [north, east]];
    return { n, points };
  }

  /**
   * The note on the map itself (a control over it) when nothing is drawn under the venues: offline with no
   * saved basemap, or tiles that fail (background.js says which by the element's `tiles` event).
   */
  addNote() {
    const control = this.L.control({ position: 'topleft' });
    control.onAdd = () => {
      const note = this.L.DomUtil.create('p', 'map-note');
      note.id = 'map-note';
      note.hidden = true;
      note.setAttribute('role', 'status');
      note.innerHTML = `${icon('warning', 'icon icon-sm')}<span></span>`;
      return note;
    };
    control.addTo(this.map);
    this.element.addEventListener('tiles', (event) => {
      const { offline, failing } = event.detail;
      const note = control.getContainer();
      note.hidden = !offline && !failing;
      note.querySelector('span').textContent = offline ? t('map_offline') : failing ? t('map_no_tiles') : '';
    });
    return control;
  }

  /**
   * Buttons on the map that jump to the whole festival, to its centre (the district with the most venues, Hoàn
   * Kiếm for Hanoi) and to its craft villages; a view with no venue, or with all of them, is not offered.
   */
  showViews() {
    const venues = [...this.app.programme.venues.values()];
    const byDistrict = new Map();
    for (const v of venues) if (v.district) byDistrict.set(v.district, (byDistrict.get(v.district) || 0) + 1);
    const [centre] = [...byDistrict].sort((a, b) => b[1] - a[1])[0] || [];
    const views = [
      { id: 'all', label: t('map_view_all'), title: t('map_view_all_title'), ...this.venueExtent() },
      { id: 'centre', label: t('map_view_centre'), title: t('map_view_centre_title', { district: centre }), ...this.venueExtent((v) => v.district === centre) },
      { id: 'villages', label: t('map_view_villages'), ...this.venueExtent((v) => v.kind === 'craft_village') },
    ].filter((view) => view.id === 'all' || (view.n && view.n < venues.length));
    const { DomEvent, DomUtil } = this.L;
    const control = this.L.control({ position: 'topleft' });
    control.onAdd = () => {
      const bar = DomUtil.create('div', 'map-views');
      bar.setAttribute('role', 'group');
      bar.setAttribute('aria-label', t('map_views'));
      for (const view of views) {
        const button = DomUtil.create('button', 'map-view', bar);
        button.type = 'button';
        button.textContent = view.label;
        button.dataset.view = view.id;
        if (view.title) button.title = view.title;
        DomEvent.on(button, 'click', () => {
          this.map.closePopup();
          this.fit(view.points);
        });
      }
      DomEvent.disableClickPropagation(bar);
      return bar;
    };
    // first in its corner: above the note and the layer switch
    control.addTo(this.map);
    const corner = control.getContainer().parentNode;
    corner.prepend(control.getContainer());
  }

  fit(points, maxZoom = 17) {
    if (!points.length) {
      this.map.setView([21.0285, 105.8542], 14, STILL);
      return;
    }
    const bounds = this.L.latLngBounds(points);
    if (points.length === 1) this.map.setView(bounds.getCenter(), Math.min(maxZoom, 16), STILL);
    // clear of the views' buttons along the top
    else this.map.fitBounds(bounds, { paddingTopLeft: [28, 72], paddingBottomRight: [28, 28], maxZoom, ...STILL });
  }

  venueIcon(venue, { selected = false } = {}) {
    return new this.Icon({
      className: `venue-marker kind-${venue.kind}${selected ? ' is-selected' : ''}`,
      html: `<span class="pin"><svg class="icon" aria-hidden="true" focusable="false"><use href="#i-kind-${escape(venue.kind)}"></use></svg></span>`,
      iconSize: [44, 44],
      iconAnchor: [22, 41],
      popupAnchor: [0, -38],
      attributes: { 'aria-label': `${tr(venue.name)}, ${kindName(venue.kind)}`, 'data-venue': venue.id },
    });
  }

  /** A cluster: how many venues it holds; a tap (or Enter) zooms to them. */
  clusterIcon(cluster) {
    const n = cluster.getChildCount();
    const size = n < 10 ? 44 : n < 100 ? 50 : 58;
    return new this.Icon({
      className: 'venue-cluster', html: `<span>${n}</span>`, iconSize: [size, size],
      attributes: { 'aria-label': t('map_cluster', { n }), 'data-count': n },
    });
  }

  /**
   * Every venue, as a pin of its kind, clustered where they crowd; tapping one opens its name and links.
   * Resolves once every venue is on the map (a city's are added in chunks).
   */
  showVenues(selectedId = null) {
    this.venueLayer.clearLayers();
    this.markers = new Map();
    for (const venue of this.app.programme.venues.values()) {
      const selected = venue.id === selectedId;
      const marker = this.L.marker([venue.lat, venue.lon], {
        icon: this.venueIcon(venue, { selected }), title: tr(venue.name), keyboard: true, riseOnHover: true,
        zIndexOffset: selected ? 1000 : 0, venueId: venue.id,
      });
      this.markers.set(venue.id, marker);
    }
    const added = new Promise((resolve) => {
      this.venuesAdded = resolve;
    });
    this.venueLayer.addLayers([...this.markers.values()], true); // no layeradd event per venue: nothing listens
    added.then(() => this.background.start());
    return added;
  }

  /** The marker of a venue with its popup bound (after, its own taps open it); null for anything else. */
  popupOf(marker) {
    const venue = this.app.programme.venues.get(marker?.options.venueId);
    if (!venue || marker.getPopup()) return null;
    return marker.bindPopup(() => this.venuePopup(venue), POPUP);
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
    this.map.setView(marker.getLatLng(), Math.max(this.map.getZoom(), UNCLUSTERED), STILL);
    this.venueLayer.zoomToShowLayer(marker, () => (this.popupOf(marker) || marker).openPopup());
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
