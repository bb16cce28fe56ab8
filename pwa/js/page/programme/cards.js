// Pieces shared by several screens: event and venue cards, the favourite button, time ranges.

import { categoryName, dayLong, dayTab, kindName, t, tr } from '../../lib/i18n.js';
import { dayOf, timeOf } from '../../lib/time.js';
import { html, icon } from '../core/dom.js';

/** '10:00–12:00', or with the end day when the event runs past midnight. */
export function timeRange(app, event, { withDay = false } = {}) {
  const zone = app.zone;
  const startDay = dayOf(event.starts_at, zone);
  const endDay = dayOf(event.ends_at, zone);
  const start = timeOf(event.starts_at, zone);
  const end = timeOf(event.ends_at, zone);
  const prefix = withDay ? `${dayLong(startDay)}, ` : '';
  if (startDay === endDay) return `${prefix}${start}–${end}`;
  const endTab = dayTab(endDay);
  return `${prefix}${start} – ${endTab.weekday} ${endTab.date}, ${end}`;
}

export function favButton(app, event, { big = false } = {}) {
  const on = app.isFavourite(event.id);
  const title = tr(event.title);
  if (big) {
    return html`<button type="button" class="btn btn-fav${on ? ' is-on' : ''}" data-fav="${event.id}" data-big="1"
      aria-pressed="${String(on)}">${icon(on ? 'star-filled' : 'star')}<span>${t(on ? 'fav_remove_short' : 'fav_add_short')}</span></button>`;
  }
  return html`<button type="button" class="fav${on ? ' is-on' : ''}" data-fav="${event.id}" aria-pressed="${String(on)}"
    aria-label="${t(on ? 'fav_remove' : 'fav_add', { title })}">${icon(on ? 'star-filled' : 'star')}</button>`;
}

/** Bring every favourite button under `root` up to date without re-rendering (keeps focus). */
export function refreshFavButtons(app, root) {
  for (const button of root.querySelectorAll('[data-fav]')) {
    const id = button.dataset.fav;
    const event = app.programme.eventsById.get(id);
    if (!event) continue;
    const on = app.isFavourite(id);
    if (button.getAttribute('aria-pressed') === String(on)) continue;
    button.setAttribute('aria-pressed', String(on));
    button.classList.toggle('is-on', on);
    button.querySelector('use')?.setAttribute('href', `#i-${on ? 'star-filled' : 'star'}`);
    if (button.dataset.big) button.querySelector('span').textContent = t(on ? 'fav_remove_short' : 'fav_add_short');
    else button.setAttribute('aria-label', t(on ? 'fav_remove' : 'fav_add', { title: tr(event.title) }));
  }
}

export function eventCard(app, event, { withDay = false, note = null, showVenue = true } = {}) {
  const venue = app.programme.venues.get(event.venue_id);
  const cancelled = event.status === 'cancelled';
  const startDay = dayOf(event.starts_at, app.zone);
  const tab = dayTab(startDay);
  return html`<li class="card event-card${cancelled ? ' is-cancelled' : ''}${withDay ? ' with-day' : ''}" data-event="${event.id}">
    <div class="card-time">
      ${withDay ? html`<span class="card-day">${tab.weekday} ${tab.date}</span>` : ''}
      <span class="card-start">${timeOf(event.starts_at, app.zone)}</span>
      <span class="card-end">${timeOf(event.ends_at, app.zone)}</span>
    </div>
    <div class="card-body">
      <h3 class="card-title"><a href="#/events/${encodeURIComponent(event.id)}" class="stretched">${tr(event.title)}</a></h3>
      <p class="card-meta">
        <span class="chip chip-${event.category}">${categoryName(event.category)}</span>
        ${cancelled ? html`<span class="chip chip-cancelled">${t('cancelled')}</span>` : ''}
        ${showVenue && venue ? html`<span class="card-venue">${tr(venue.name)}</span>` : ''}
      </p>
    </div>
    ${favButton(app, event)}
    ${note ? html`<p class="card-note">${icon('warning', 'icon icon-sm')}<span>${note}</span></p>` : ''}
  </li>`;
}

export function venueCard(app, venue) {
  return html`<li class="card venue-card" data-venue="${venue.id}">
    <div class="card-icon">${icon(`kind-${venue.kind}`)}</div>
    <div class="card-body">
      <h3 class="card-title"><a href="#/venues/${encodeURIComponent(venue.id)}" class="stretched">${tr(venue.name)}</a></h3>
      <p class="card-meta"><span class="chip">${kindName(venue.kind)}</span> <span class="card-venue">${venue.district}</span></p>
    </div>
  </li>`;
}
