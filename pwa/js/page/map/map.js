// The festival map: venues by kind with a legend, clustered where they crowd, opening on the whole festival with
// one tap to its centre or its villages; the curated trails, a route (#/map?from=&to=&mode=) or the day plan last
// made (#/map?plan=YYYY-MM-DD), the venues nearest the device ("Near me"), and every venue (venue-list.js).
// The route is estimated on the phone at once (along the streets when the bundle has the walk between the two
// venues, js/lib/streets.js); online, GET /api/routes then draws the server's line.

// Leaflet, then the clusters that extend its global L, fetched with the rest of the screen rather than after it
import '../../../vendor/leaflet/leaflet.js';
import '../../../vendor/leaflet.markercluster/leaflet.markercluster.js';
import { byMode, formatDistance, formatDuration, modeName, modeShort } from '../../lib/i18n-wayfinding.js';
import { kindName, t, tr } from '../../lib/i18n.js';
import { offlineTrip, streetPathsFor } from '../../lib/streets.js';
import { timeOf } from '../../lib/time.js';
import { MODES, estimatorFor, place, venuePlace } from '../../lib/travel.js';
import { html, icon, setHTML } from '../core/dom.js';
import { KINDS, MapView } from './mapview.js';
import { attachOfflineMap, offlineMapSection } from './offline-map.js';
import { LocationError, locate, modeIcon, parsePlaceRef, storedPlan } from './travelui.js';
import { allVenuesSection, attachAllVenues } from './venue-list.js';

const NEAR_LIMIT = 8;

export function toPlace(origin, venues) {
  if (!origin) return null;
  if (origin.type === 'venue') {
    const venue = venues.get(origin.id);
    return venue ? venuePlace(venue) : null;
  }
  return place(origin.lat, origin.lon);
}

export function mapScreen(app, _params, query) {
  const { venues, trails } = app.programme;
  const from = parsePlaceRef(query.get('from'), venues);
  const to = parsePlaceRef(query.get('to'), venues);
  // the travel model is built on the first route or "Near me", not while the map opens
  const estimator = () => estimatorFor(app.programme);
  let mode = MODES.includes(query.get('mode')) ? query.get('mode') : 'walk';
  const focusVenue = venues.has(query.get('venue')) ? query.get('venue') : null;
  const planDay = query.get('plan');
  const plan = planDay ? storedPlan(planDay) : null;
  const highlightTrail = trails.some((tr_) => tr_.id === query.get('trail')) ? query.get('trail') : null;
  const routing = Boolean(from && to && estimator());
  let root;
  let view = null;
  let gone = false;
  let routeRequest = 0;
  let nearMode = 'walk';
  let fix = null;
  let detachVenues = null;

  const counts = new Map(KINDS.map((k) => [k, 0]));
  for (const v of venues.values()) counts.set(v.kind, (counts.get(v.kind) || 0) + 1);

  const placeName = (origin) => (origin.type === 'venue' ? tr(venues.get(origin.id)?.name) : t('your_location'));

  function routeCard() {
    return html`<section class="route-card" aria-labelledby="route-title">
      <h2 id="route-title" class="section-title">${t('route_title')}</h2>
      <p class="route-ends"><span class="route-end">${icon('my-location', 'icon icon-sm')}${t('route_from', { place: placeName(from) })}</span>
        <span class="route-end">${icon('pin', 'icon icon-sm')}${t('route_to', { place: placeName(to) })}</span></p>
      <fieldset class="mode-tabs">
        <legend class="sr-only">${t('travel_mode')}</legend>
        ${MODES.map((m) => html`<label class="mode-tab"><input type="radio" name="route-mode" value="${m}" ${m === mode ? 'checked' : ''}>
          <span title="${modeName(m)}">${modeIcon(m)}<span class="mode-tab-name">${modeShort(m)}</span></span></label>`)}
      </fieldset>
      <p class="route-time" id="route-time" role="status" aria-live="polite"></p>
      <p class="muted small" id="route-note"></p>
      ${to.type === 'venue' ? html`<p><a class="link-strong" href="#/venues/${encodeURIComponent(to.id)}">${t('back_to_venue')}</a></p>` : ''}
    </section>`;
  }

  function planCard() {
    return html`<section class="route-card" aria-labelledby="route-title">
      <h2 id="route-title" class="section-title">${t('plan_title')}</h2>
      <p class="route-time">${t('plan_summary', {
        placed: plan.stops.length, total: plan.stops.length + plan.unplaced.length, travel: formatDuration(plan.totals.travel_s),
        finish: timeOf(plan.totals.finish_at, app.zone),
      })}</p>
      <p><a class="link-strong" href="#/plan/${encodeURIComponent(planDay)}">${t('plan_list')}</a></p>
    </section>`;
  }

  function legend() {
    return html`<details class="legend" open>
      <summary>${t('legend')}</summary>
      <ul class="legend-list" role="list">
        ${KINDS.filter((k) => counts.get(k)).map((k) => html`<li><span class="legend-pin kind-${k}">${icon(`kind-${k}`, 'icon icon-sm')}</span>
          <span>${kindName(k)} <span class="muted">(${counts.get(k)})</span></span></li>`)}
        <li><span class="legend-line legend-trail" aria-hidden="true"></span><span>${t('legend_trail')}</span></li>
        <li><span class="legend-line legend-route" aria-hidden="true"></span><span>${t('legend_route')}</span></li>
        <li><span class="legend-me" aria-hidden="true"></span><span>${t('legend_you')}</span></li>
      </ul>
    </details>`;
  }

  function nearList(found) {
    return html`<p class="small muted">${t('near_found', { n: found.length })}</p>
      <ol class="near-list" role="list">${found.map(({ venue, distance_m: metres, duration_s: seconds }) => html`<li>
        <a class="near-item" href="#/venues/${encodeURIComponent(venue.id)}" data-near="${venue.id}">
          <span class="legend-pin kind-${venue.kind}">${icon(`kind-${venue.kind}`, 'icon icon-sm')}</span>
          <span class="near-text"><span class="near-name">${tr(venue.name)}</span>
            <span class="near-meta">${t('near_item', { distance: formatDistance(metres), time: formatDuration(seconds), by: byMode(nearMode) })}</span></span>
        </a></li>`)}</ol>`;
  }

  function mount(container) {
    root = container;
    setHTML(root, html`<section class="screen map-screen">
      <h1 id="screen-title" tabindex="-1">${t('map_title')}</h1>
      <div class="map-frame${routing || plan ? ' map-frame-route' : ''}">
        <div id="map" class="map" role="region" aria-label="${t('map_label')}"><p class="map-loading">${t('map_loading')}</p></div>
      </div>
      ${routing ? routeCard() : plan ? planCard() : ''}
      ${legend()}
      ${offlineMapSection(app)}
      <section class="block" aria-labelledby="near-title">
        <h2 id="near-title" class="section-title">${t('near_me')}</h2>
        <div class="near-controls">
          <button type="button" class="btn btn-primary" id="near-me">${icon('my-location')}<span>${t('near_me_button')}</span></button>
          <div class="field"><label for="near-mode">${t('travel_mode')}</label>
            <select id="near-mode">${MODES.map((m) => html`<option value="${m}" ${m === nearMode ? 'selected' : ''}>${modeName(m)}</option>`)}</select></div>
        </div>
        <p class="small muted" id="near-status" role="status">${t('near_me_hint')}</p>
        <div id="near-results"></div>
      </section>
      ${trails.length ? html`<section class="block" aria-labelledby="trails-title">
        <h2 id="trails-title" class="section-title">${t('trails_title')}</h2>
        <label class="check"><input type="checkbox" id="show-trails" checked><span>${t('show_trails')}</span></label>
        <ul class="trail-list" role="list">${trails.map((trail) => html`<li>
          <a class="trail-item${trail.id === highlightTrail ? ' is-on' : ''}" href="#/map?trail=${encodeURIComponent(trail.id)}"
            ${trail.id === highlightTrail ? html`aria-current="true"` : ''}>
            <span class="trail-swatch" aria-hidden="true"></span>
            <span class="near-text"><span class="near-name">${tr(trail.name)}</span>
            <span class="near-meta">${t('trail_meta', { n: trail.stops.length, time: formatDuration(trail.duration_min * 60), by: byMode(trail.mode) })}</span></span>
          </a></li>`)}</ul>
      </section>` : ''}
      ${allVenuesSection(app)}
    </section>`);

    root.querySelector('#near-me').addEventListener('click', findNearby);
    root.querySelector('#near-mode').addEventListener('change', (event) => {
      nearMode = event.target.value;
      if (fix) showNearby();
    });
    root.querySelector('#show-trails')?.addEventListener('change', (event) => view?.setTrailsVisible(event.target.checked));
    root.querySelector('.mode-tabs')?.addEventListener('change', (event) => {
      mode = event.target.value;
      const q = new URLSearchParams(query);
      q.set('mode', mode);
      history.replaceState(history.state, '', `#/map?${q}`);
      drawRoute();
    });
    attachOfflineMap(app, root);
    detachVenues = attachAllVenues(app, root);
    if (routing) drawRouteText(estimate());
    start();
  }

  async function start() {
    try {
      const element = root.querySelector('#map');
      view = await MapView.create(element, app, { venues: true });
      if (gone || !element.isConnected) {
        view.destroy();
        return;
      }
      view.showViews();
      // The venues first, then the lines over them in a task after the frame that draws the venues: a task queued
      // at once could run before that frame (on a city's map the trails took ~35 ms of a slow phone's time there).
      await view.showVenues(focusVenue);
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
      if (gone) return;
      const lines = view.showTrails(trails, { highlight: highlightTrail });
      if (routing) drawRoute();
      else if (plan) drawPlan();
      else if (focusVenue) view.openVenue(focusVenue);
      else if (highlightTrail && lines.has(highlightTrail)) lines.get(highlightTrail).openPopup();
      if (fix) showNearby();
    } catch (error) {
      console.error(error);
      const element = root.querySelector('#map');
      if (element) element.innerHTML = `<p class="map-loading">${t('map_failed')}</p>`;
    }
  }

  function estimate() {
    const a = toPlace(from, venues);
    const b = toPlace(to, venues);
    const departMs = app.now();
    const { leg, path, source, attribution } = offlineTrip(estimator(), streetPathsFor(app.programme), a, b, mode, departMs);
    return {
      computed: 'device', engine: 'estimate', attribution, departMs, a, b,
      features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: path.map((p) => [p.lon, p.lat]) },
        properties: { distance_m: leg.distance_m, duration_s: leg.duration_s, geometry_source: source } }],
    };
  }

  function drawRouteText(route) {
    const props = route.features[0]?.properties || {};
    const time = root.querySelector('#route-time');
    const note = root.querySelector('#route-note');
    if (!time) return;
    time.textContent = t('route_summary', { time: formatDuration(props.duration_s), by: byMode(mode), distance: formatDistance(props.distance_m) });
    const clock = timeOf(route.departMs ?? app.now(), app.zone);
    const source = props.geometry_source === 'trail' ? t('route_trail')
      : props.geometry_source === 'streets' ? t('route_streets', { attribution: route.attribution })
        : props.geometry_source === 'engine' ? t('route_engine', { engine: route.engine }) : t('route_straight');
    note.textContent = `${route.computed === 'device' ? t('route_device', { time: clock }) : t('route_server', { time: clock })} ${source}`;
  }

  function drawLines(route) {
    if (!view) return;
    view.showLines(route.features, { start: route.a.point, end: { ...route.b.point, label: placeName(to) } });
  }

  async function drawRoute() {
    const ticket = ++routeRequest;
    const offline = estimate();
    drawRouteText(offline);
    drawLines(offline);
    if (!navigator.onLine || app.sync.status.reachable === false) return;
    try {
      const ref = (o) => (o.type === 'venue' ? o.id : `${o.lat},${o.lon}`);
      const response = await fetch(`/api/routes?${new URLSearchParams({ from: ref(from), to: ref(to), mode })}`);
      if (!response.ok) return;
      const body = await response.json();
      if (ticket !== routeRequest || gone || !body.features?.length) return;
      const online = {
        ...offline, computed: 'server', engine: body.engine, attribution: body.attribution, features: body.features,
        departMs: Date.parse(body.features[0].properties.depart_at),
      };
      drawRouteText(online);
      drawLines(online);
    } catch {
      // no answer: the estimate stays
    }
  }

  function drawPlan() {
    const stops = plan.stops.map((s) => ({ lat: s.lat, lon: s.lon, label: tr(app.programme.eventsById.get(s.id)?.title) }));
    view.showLines(plan.geojson?.features || [], { stops, start: plan.start, className: 'plan-line' });
  }

  async function findNearby() {
    const status = root.querySelector('#near-status');
    const button = root.querySelector('#near-me');
    status.textContent = t('locating');
    button.disabled = true;
    try {
      fix = await locate();
      if (gone) return;
      showNearby();
    } catch (error) {
      if (!gone) status.textContent = error instanceof LocationError ? error.text : t('geo_failed');
    } finally {
      button.disabled = false;
    }
  }

  function showNearby() {
    const status = root.querySelector('#near-status');
    const found = estimator()?.nearby(fix, NEAR_LIMIT, nearMode, app.now()) ?? [];
    status.textContent = found.length && found[0].distance_m > 50_000 ? t('far_away', { distance: formatDistance(found[0].distance_m) }) : '';
    setHTML(root.querySelector('#near-results'), nearList(found));
    if (view) {
      view.showMe(fix);
      if (!routing && !plan) view.fit([[fix.lat, fix.lon], ...found.slice(0, 3).map(({ venue }) => [venue.lat, venue.lon])]);
    }
  }

  return {
    mount,
    title: t('map_title'),
    unmount() {
      gone = true;
      detachVenues?.();
      view?.destroy();
      view = null;
    },
  };
}
