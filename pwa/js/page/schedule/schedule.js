// My schedule: the favourites in time order, by day, with a warning on every pair that overlaps, the travel
// time between consecutive favourites (a warning when it does not fit between them), and "Plan my day".

import { dayLong, t, tr } from '../../lib/i18n.js';
import { dayOf, overlaps } from '../../lib/time.js';
import { html, icon, setHTML } from '../core/dom.js';
import { eventCard } from '../programme/cards.js';

/** For each event id, the titles of the other saved events it overlaps (cancelled ones do not count). */
export function clashes(events) {
  const found = new Map();
  const live = events.filter((e) => e.status !== 'cancelled');
  for (let i = 0; i < live.length; i += 1) {
    for (let j = i + 1; j < live.length; j += 1) {
      const a = live[i];
      const b = live[j];
      if (!overlaps(a, b)) continue;
      if (!found.has(a.id)) found.set(a.id, []);
      if (!found.has(b.id)) found.set(b.id, []);
      found.get(a.id).push(b);
      found.get(b.id).push(a);
    }
  }
  return found;
}

/** The travel times between favourites (travel.js), loaded on the first visit to My schedule. */
let travel = null;

export function scheduleScreen(app) {
  let root;
  let gone = false;

  function render() {
    const events = app.favouriteEvents();
    const overlapping = clashes(events);
    const byDay = new Map();
    for (const e of events) {
      const d = dayOf(e.starts_at, app.zone);
      if (!byDay.has(d)) byDay.set(d, []);
      byDay.get(d).push(e);
    }
    const hadFocus = root.contains(document.activeElement) && document.activeElement !== document.body;
    const focusedId = hadFocus ? document.activeElement.id : '';
    const mode = travel?.travelMode();
    const legs = travel ? travel.travelLegs(app, byDay, mode) : new Map();
    const tight = [...legs.values()].filter((leg) => leg.tight).length;
    setHTML(root, html`<section class="screen schedule">
      <h1 id="screen-title" tabindex="-1">${t('schedule_title')}</h1>
      <p class="count" role="status">${events.length ? t('schedule_count', { n: events.length }) : ''}</p>
      ${overlapping.size ? html`<p class="banner banner-warn" role="note">${icon('warning')}<span>${t('overlap_summary', { n: overlapping.size })}</span></p>` : ''}
      ${tight ? html`<p class="banner banner-warn" role="note">${icon('warning')}<span>${t('tight_summary', { n: tight })}</span></p>` : ''}
      ${travel && events.length > 1 ? travel.travelModeField(mode) : ''}
      ${events.length ? [...byDay.entries()].map(([d, list]) => html`<div class="day-head"><h2 class="section-title">${dayLong(d)}</h2>
        <a class="btn btn-small btn-secondary btn-plan" href="#/plan/${d}" aria-label="${t('plan_button')}: ${dayLong(d)}">${icon('route', 'icon icon-sm')}<span>${t('plan_button')}</span></a></div>
        <ul class="cards" role="list">${list.map((e) => [legs.has(e.id) ? travel.travelLegItem(legs.get(e.id)) : '', eventCard(app, e, {
          note: overlapping.has(e.id) ? t('overlap_with', { titles: overlapping.get(e.id).map((o) => tr(o.title)).join(' · ') }) : null,
        })])}</ul>`)
        : html`<div class="empty-state">${icon('star', 'icon icon-xl')}<p>${t('schedule_empty')}</p>
          <p><a class="btn btn-secondary" href="#/">${t('to_programme')}</a></p></div>`}
    </section>`);
    root.querySelector('#travel-mode')?.addEventListener('change', (event) => {
      travel.setTravelMode(event.target.value);
      render();
    });
    if (focusedId) root.querySelector(`#${CSS.escape(focusedId)}`)?.focus();
    if (hadFocus && !root.contains(document.activeElement)) root.querySelector('#screen-title')?.focus();
  }

  return {
    title: t('schedule_title'),
    mount(container) {
      root = container;
      render();
      if (!travel) {
        import('./travel.js').then((module) => {
          travel = module;
          if (!gone) render();
        });
      }
    },
    unmount() {
      gone = true;
    },
    refresh: () => render(),
    refreshOnState: true,
  };
}
