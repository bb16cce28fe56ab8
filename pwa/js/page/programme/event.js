// One event: when and where, the favourite toggle, add to the phone's calendar, go there (the venue's travel times).

import { categoryName, kindName, t, tr } from '../../lib/i18n.js';
import { eventCalendar } from '../../lib/ics.js';
import { html, icon, setHTML } from '../core/dom.js';
import { notFound } from '../core/notfound.js';
import { favButton, timeRange } from './cards.js';

export function eventScreen(app, params) {
  const event = app.programme.eventsById.get(params.id);
  if (!event) return notFound();
  const venue = app.programme.venues.get(event.venue_id);
  const cancelled = event.status === 'cancelled';
  const description = tr(event.description);

  function mount(root) {
    setHTML(root, html`<article class="screen detail event-detail${cancelled ? ' is-cancelled' : ''}">
      <button type="button" class="back" data-back>${icon('back')}<span>${t('back')}</span></button>
      <p class="eyebrow"><span class="chip chip-${event.category}">${categoryName(event.category)}</span>
        ${event.sample ? html`<span class="chip chip-muted">${t('sample_note')}</span>` : ''}</p>
      <h1 id="screen-title" tabindex="-1">${tr(event.title)}</h1>
      ${cancelled ? html`<p class="banner banner-warn" role="note">${icon('warning')}<span>${t('cancelled_long')}</span></p>` : ''}
      <dl class="facts">
        <div class="fact">
          <dt>${icon('clock')}<span class="sr-only">${t('when')}</span></dt>
          <dd>${timeRange(app, event, { withDay: true })}</dd>
        </div>
        ${venue ? html`<div class="fact">
          <dt>${icon('pin')}<span class="sr-only">${t('where')}</span></dt>
          <dd><a href="#/venues/${encodeURIComponent(venue.id)}" class="link-strong">${tr(venue.name)}</a>
            <span class="muted">${kindName(venue.kind)} · ${venue.district}</span></dd>
        </div>` : ''}
        ${event.capacity ? html`<div class="fact">
          <dt>${icon('people')}<span class="sr-only">${t('capacity_label')}</span></dt>
          <dd>${t('capacity', { n: event.capacity })}</dd>
        </div>` : ''}
      </dl>
      <div class="actions">
        ${favButton(app, event, { big: true })}
        <a class="btn btn-secondary" id="ics" href="/api/events/${encodeURIComponent(event.id)}.ics" download="${event.id}.ics">
          ${icon('calendar')}<span>${t('add_calendar')}</span></a>
        ${venue ? html`<a class="btn btn-secondary" href="#/venues/${encodeURIComponent(venue.id)}?go=1">
          ${icon('route')}<span>${t('go_there')}</span></a>` : ''}
      </div>
      ${description ? html`<div class="prose"><p>${description}</p></div>` : ''}
      ${event.tags?.length ? html`<p class="tags"><span class="sr-only">${t('tags')}: </span>${event.tags.map((tag) => html`<span class="tag">#${tag}</span> `)}</p>` : ''}
    </article>`);
    // Offline, the calendar file is made here from the stored programme.
    root.querySelector('#ics').addEventListener('click', (click) => {
      if (navigator.onLine) return;
      click.preventDefault();
      const where = venue ? [tr(venue.name), tr(venue.address)].filter(Boolean).join(', ') : '';
      const text = eventCalendar({ event, venue, title: tr(event.title), description: description, where });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([text], { type: 'text/calendar;charset=utf-8' }));
      link.download = `${event.id}.ics`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    });
  }

  return { mount, title: tr(event.title) };
}
