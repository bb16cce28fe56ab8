// One venue: kind, address, opening hours (festival days or the usual week), access, events there.

import { dayLong, dayTab, kindName, t, tr, weekdayName } from '../../lib/i18n.js';
import { dayOf, weekdayOf } from '../../lib/time.js';
import { html, icon, setHTML } from '../core/dom.js';
import { notFound } from '../core/notfound.js';
import { eventCard } from './cards.js';

const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const windows = (list) => (list && list.length ? list.map(([a, b]) => `${a}–${b}`).join(', ') : t('closed'));

/** The hours that apply on a day: the festival's own hours for it if given, else the usual weekday hours. */
export function hoursOn(venue, day) {
  const special = venue.festival_hours?.[day];
  if (special) return special;
  const usual = venue.opening_hours || {};
  return Object.keys(usual).length ? usual[weekdayOf(day)] || [] : null;
}

export function venueScreen(app, params, query) {
  const venue = app.programme.venues.get(params.id);
  if (!venue) return notFound();
  const today = app.today();
  const events = app.programme.events.filter((e) => e.venue_id === venue.id);
  const festivalDays = Object.keys(venue.festival_hours || {}).sort();
  const usual = venue.opening_hours || {};
  const todayHours = app.programme.days.includes(today) ? hoursOn(venue, today) : null;
  const address = tr(venue.address);
  const access = tr(venue.accessibility);
  const description = tr(venue.description);
  const byDay = new Map();
  for (const e of events) {
    const d = dayOf(e.starts_at, app.zone);
    if (!byDay.has(d)) byDay.set(d, []);
    byDay.get(d).push(e);
  }

  function mount(root) {
    setHTML(root, html`<article class="screen detail venue-detail">
      <button type="button" class="back" data-back>${icon('back')}<span>${t('back')}</span></button>
      <p class="eyebrow"><span class="chip">${icon(`kind-${venue.kind}`, 'icon icon-sm')} ${kindName(venue.kind)}</span>
        ${venue.sample ? html`<span class="chip chip-muted">${t('sample_note')}</span>` : ''}</p>
      <h1 id="screen-title" tabindex="-1">${tr(venue.name)}</h1>
      <dl class="facts">
        ${address ? html`<div class="fact"><dt>${icon('pin')}<span class="sr-only">${t('address')}</span></dt>
          <dd>${address}<br><a class="link-strong" href="https://www.openstreetmap.org/?mlat=${venue.lat}&amp;mlon=${venue.lon}#map=17/${venue.lat}/${venue.lon}"
            rel="noopener" target="_blank">${t('open_map')}</a>
          · <a class="link-strong" href="#/map?venue=${encodeURIComponent(venue.id)}">${t('on_festival_map')}</a></dd></div>` : ''}
        ${todayHours ? html`<div class="fact"><dt>${icon('clock')}<span class="sr-only">${t('hours')}</span></dt>
          <dd>${t('today_hours', { hours: windows(todayHours) })}</dd></div>` : ''}
        ${venue.capacity ? html`<div class="fact"><dt>${icon('people')}<span class="sr-only">${t('capacity_label')}</span></dt>
          <dd>${t('capacity', { n: venue.capacity })}</dd></div>` : ''}
      </dl>
      <div id="crowd-slot" class="crowd-slot"></div>
      ${description ? html`<div class="prose"><p>${description}</p></div>` : ''}
      <div id="go-there-slot" class="is-loading"></div>
      <section class="block" aria-labelledby="hours-title">
        <h2 id="hours-title" class="section-title">${t('hours')}</h2>
        ${festivalDays.length ? html`<h3 class="sub-title">${t('festival_hours')}</h3>
          <table class="hours"><tbody>${festivalDays.map((d) => {
            const tab = dayTab(d);
            return html`<tr${d === today ? html` class="is-today"` : ''}><th scope="row"><abbr title="${dayLong(d)}">${tab.weekday} ${tab.date}</abbr></th>
              <td>${windows(venue.festival_hours[d])}</td></tr>`;
          })}</tbody></table>` : ''}
        ${Object.keys(usual).length ? html`<h3 class="sub-title">${t('weekly_hours')}</h3>
          <table class="hours"><tbody>${WEEK.map((w) => html`<tr><th scope="row">${weekdayName(w)}</th><td>${windows(usual[w])}</td></tr>`)}</tbody></table>` : ''}
        ${!festivalDays.length && !Object.keys(usual).length ? html`<p class="muted">${t('no_hours')}</p>` : ''}
      </section>
      ${access ? html`<section class="block" aria-labelledby="access-title">
        <h2 id="access-title" class="section-title">${t('accessibility')}</h2><p>${access}</p></section>` : ''}
      <section class="block" aria-labelledby="here-title">
        <h2 id="here-title" class="section-title">${t('events_here')}</h2>
        ${events.length ? [...byDay.entries()].map(([d, list]) => html`<h3 class="sub-title">${dayLong(d)}</h3>
          <ul class="cards" role="list">${list.map((e) => eventCard(app, e, { showVenue: false }))}</ul>`)
          : html`<p class="muted">${t('no_events_here')}</p>`}
      </section>
    </article>`);
    // "Go there" (travel times from the stored travel model) loads with its code, so the programme stays light
    import('../map/gothere.js').then(({ mountGoThere }) => mountGoThere(app, venue, root, { focus: query?.get('go') === '1' }));
    // how crowded it is now (online only), with the check-in code
    import('../checkin/crowd.js').then(({ mountCrowd }) => mountCrowd(venue, root)).catch(() => {});
  }

  return { mount, title: tr(venue.name) };
}
