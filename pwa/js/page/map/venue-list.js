// "All venues" below the map: closed at first, and opened it shows its cards a page at a time (a city festival has
// a thousand venues; the phone draws the ones scrolled to, not a thousand hidden cards). The next page comes when
// its button scrolls into view, or is pressed.

import '../../lib/i18n-map.js'; // the "more" button's words
import '../../lib/i18n-wayfinding.js'; // the section's title
import { t, tr } from '../../lib/i18n.js';
import { html } from '../core/dom.js';
import { venueCard } from '../programme/cards.js';

const PAGE = 30;

/** The section, its cards not drawn yet. */
export function allVenuesSection(app) {
  return html`<details class="block all-venues">
    <summary>${t('all_venues', { n: app.programme.venues.size })}</summary>
    <ul class="cards" role="list"></ul>
    <p><button type="button" class="btn btn-secondary all-venues-more" hidden></button></p>
  </details>`;
}

/** Wire the section once it is in the page: the first page when it opens, the next ones as they are reached. */
export function attachAllVenues(app, root) {
  const section = root.querySelector('.all-venues');
  const list = section.querySelector('.cards');
  const more = section.querySelector('.all-venues-more');
  let sorted = null;
  let shown = 0;

  function showMore() {
    if (!sorted) {
      const collator = new Intl.Collator(app.lang());
      sorted = [...app.programme.venues.values()].sort((a, b) => collator.compare(tr(a.name), tr(b.name)));
    }
    const next = sorted.slice(shown, shown + PAGE);
    list.insertAdjacentHTML('beforeend', html`${next.map((v) => venueCard(app, v))}`.toString());
    shown += next.length;
    more.hidden = shown >= sorted.length;
    more.textContent = t('all_venues_more', { shown, n: sorted.length });
  }

  const reached = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting) && section.open && !more.hidden) showMore();
  }, { rootMargin: '200px' });
  section.addEventListener('toggle', () => {
    if (section.open && !shown) showMore();
  });
  more.addEventListener('click', showMore);
  reached.observe(more);
  return () => reached.disconnect();
}
