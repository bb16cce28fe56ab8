// My schedule: the favourites in time order, by day, with a warning on every pair that overlaps.

import { dayLong, t, tr } from '../lib/i18n.js';
import { dayOf, overlaps } from '../lib/time.js';
import { eventCard } from './cards.js';
import { html, icon, setHTML } from './dom.js';

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

export function scheduleScreen(app) {
  let root;

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
    setHTML(root, html`<section class="screen schedule">
      <h1 id="screen-title" tabindex="-1">${t('schedule_title')}</h1>
      <p class="count" role="status">${events.length ? t('schedule_count', { n: events.length }) : ''}</p>
      ${overlapping.size ? html`<p class="banner banner-warn" role="note">${icon('warning')}<span>${t('overlap_summary', { n: overlapping.size })}</span></p>` : ''}
      ${events.length ? [...byDay.entries()].map(([d, list]) => html`<h2 class="section-title">${dayLong(d)}</h2>
        <ul class="cards" role="list">${list.map((e) => eventCard(app, e, {
          note: overlapping.has(e.id) ? t('overlap_with', { titles: overlapping.get(e.id).map((o) => tr(o.title)).join(' · ') }) : null,
        }))}</ul>`)
        : html`<div class="empty-state">${icon('star', 'icon icon-xl')}<p>${t('schedule_empty')}</p>
          <p><a class="btn btn-secondary" href="#/">${t('to_programme')}</a></p></div>`}
    </section>`);
    if (hadFocus && !root.contains(document.activeElement)) root.querySelector('#screen-title')?.focus();
  }

  return {
    title: t('schedule_title'),
    mount(container) {
      root = container;
      render();
    },
    refresh: () => render(),
    refreshOnState: true,
  };
}
