// "Go there" on a venue page: the time by each way of travel from the device's location (asked only on tap)
// or from a chosen venue, estimated on the phone from the bundle's travel model, leaving now, or the bundle's
// walk along the streets between the two venues when it has one. Each mode links to the map with that route
// (where, online, the server's line is drawn).

import { distanceM } from '../../lib/geodesic.js';
import { formatDistance, formatDuration, modeName } from '../../lib/i18n-wayfinding.js';
import { t, tr } from '../../lib/i18n.js';
import { offlineTrip, streetPathsFor } from '../../lib/streets.js';
import { MODES, estimatorFor, place, venuePlace } from '../../lib/travel.js';
import { html, icon, setHTML } from '../core/dom.js';
import { LocationError, lastOrigin, locate, modeIcon, placeRef, rememberOrigin } from './travelui.js';

export function goThereSection(app, venue) {
  if (!estimatorFor(app.programme)) return '';
  const others = [...app.programme.venues.values()].filter((v) => v.id !== venue.id)
    .sort((a, b) => tr(a.name).localeCompare(tr(b.name), app.lang()));
  const remembered = lastOrigin();
  const chosen = remembered?.type === 'venue' && remembered.id !== venue.id && app.programme.venues.has(remembered.id) ? remembered.id : '';
  return html`<section class="block go-there" id="go-there" aria-labelledby="go-title">
    <h2 id="go-title" class="section-title" tabindex="-1">${t('go_there_title')}</h2>
    <div class="go-from">
      <button type="button" class="btn btn-secondary" id="go-locate">${icon('my-location')}<span>${t('go_from_me')}</span></button>
      <div class="field">
        <label for="go-from">${t('go_from_venue')}</label>
        <select id="go-from"><option value="">${t('choose_venue')}</option>
          ${others.map((v) => html`<option value="${v.id}" ${v.id === chosen ? 'selected' : ''}>${tr(v.name)}</option>`)}</select>
      </div>
    </div>
    <p class="go-status small" id="go-status" role="status" aria-live="polite">${t('go_hint')}</p>
    <ul class="modes" id="go-modes" role="list"></ul>
    <p class="muted small go-note" id="go-note" hidden>${t('estimate_note')}</p>
    <p class="muted small go-note" id="go-streets" hidden></p>
  </section>`;
}

/** Wire the section once it is in the page. */
export function attachGoThere(app, venue, root, { focus = false } = {}) {
  const section = root.querySelector('#go-there');
  if (!section) return;
  const estimator = estimatorFor(app.programme);
  const status = section.querySelector('#go-status');
  const list = section.querySelector('#go-modes');
  const note = section.querySelector('#go-note');
  const credit = section.querySelector('#go-streets');
  const streets = streetPathsFor(app.programme);
  const select = section.querySelector('#go-from');
  const button = section.querySelector('#go-locate');
  const target = venuePlace(venue);

  function show(origin) {
    const from = origin.type === 'venue' ? venuePlace(app.programme.venues.get(origin.id)) : place(origin.lat, origin.lon);
    const name = origin.type === 'venue' ? tr(app.programme.venues.get(origin.id).name) : t('your_location');
    const now = app.now();
    const legs = MODES.map((mode) => ({ mode, ...offlineTrip(estimator, streets, from, target, mode, now) }));
    const straight = distanceM(from.point, target.point);
    if (origin.type === 'point' && straight < 30) {
      status.textContent = t('same_place');
    } else {
      status.textContent = straight > 60_000 ? `${t('go_from', { place: name })} ${t('far_away', { distance: formatDistance(straight) })}`
        : t('go_from', { place: name });
    }
    const ref = encodeURIComponent(placeRef(origin));
    setHTML(list, legs.map(({ mode, leg, attribution }) => html`<li><a class="mode-row" data-mode="${mode}"
      href="#/map?from=${ref}&amp;to=${encodeURIComponent(venue.id)}&amp;mode=${mode}">
      <span class="mode-icon">${modeIcon(mode)}</span>
      <span class="mode-name">${modeName(mode)}${attribution ? html`<span class="mode-via">${t('along_streets')}</span>` : ''}</span>
      <span class="mode-time">${formatDuration(leg.duration_s)}</span>
      <span class="mode-dist">${formatDistance(leg.distance_m)}</span>
    </a></li>`));
    note.hidden = false;
    const street = legs.find((l) => l.attribution);
    credit.hidden = !street;
    credit.textContent = street ? t('go_streets', { attribution: street.attribution }) : '';
  }

  select.addEventListener('change', () => {
    if (!select.value) return;
    const origin = { type: 'venue', id: select.value };
    rememberOrigin(origin);
    show(origin);
  });

  button.addEventListener('click', async () => {
    status.textContent = t('locating');
    button.disabled = true;
    try {
      const fix = await locate();
      if (!section.isConnected) return;
      select.value = '';
      show({ type: 'point', lat: fix.lat, lon: fix.lon });
    } catch (error) {
      if (section.isConnected) status.textContent = error instanceof LocationError ? error.text : t('geo_failed');
    } finally {
      button.disabled = false;
    }
  });

  const remembered = lastOrigin();
  if (remembered?.type === 'venue' && select.value) show(remembered);
  else if (remembered?.type === 'point') show(remembered);
  if (focus) {
    // after the router has put the focus on the page title and the scroll at the top
    requestAnimationFrame(() => {
      if (!section.isConnected) return;
      section.querySelector('#go-title').focus({ preventScroll: true });
      section.scrollIntoView({ block: 'start' });
    });
  }
}

/** Fill the page's `#go-there-slot` with the section, once its code has loaded. */
export function mountGoThere(app, venue, root, options = {}) {
  const slot = root.querySelector('#go-there-slot');
  if (!slot || !slot.isConnected) return;
  setHTML(slot, goThereSection(app, venue));
  slot.classList.remove('is-loading');
  attachGoThere(app, venue, slot, options);
}
