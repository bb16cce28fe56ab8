// The programme by day: day tabs, search, category and venue-type filters, the list of events.
// Searching looks across the whole festival and ranks exactly as GET /api/search does. At city size (a
// thousand events) only what is near the screen is drawn: a day's list grows as its end comes near, search
// shows its results fifty at a time under the true total.

import { categoryName, dayLong, dayTab, kindName, t, tr } from '../../lib/i18n.js';
import { rank, SEARCH_LIMIT } from '../../lib/search.js';
import { eventOnDay, timeOf } from '../../lib/time.js';
import { html, icon, setHTML } from '../core/dom.js';
import { eventCard, venueCard } from './cards.js';

/** Cards drawn at a time in a day's list. */
const PAGE = 20;
/** Cards that fill the screen below the now line. */
const SCREENFUL = 8;
/** A day this short is drawn whole (a page a task), so that it reads, and finds in the page, at once. */
const WHOLE = 40;
/** While typing goes on, search answers at most once in this many milliseconds. */
const TYPING_MS = 150;

export function programmeScreen(app, params, query) {
  const { festival, days } = app.programme;
  const day = app.dayOr(params.day);
  const filters = { q: query.get('q') || '', category: query.get('category') || '', kind: query.get('kind') || '' };
  const today = app.today();
  let root;
  let observer = null;
  let renders = 0;
  let typing = null;
  let answeredAt = -Infinity;

  const { compare } = new Intl.Collator(document.documentElement.lang || 'vi'); // one per screen: making one is slow
  const categories = [...app.programme.categories].sort((a, b) => compare(categoryName(a), categoryName(b)));
  const kinds = [...app.programme.kinds].sort((a, b) => compare(kindName(a), kindName(b)));

  /** A day's address with the filters now set: another day keeps them. */
  function dayHash(d) {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(filters)) if (value) q.set(key, value);
    return `#/day/${d}${q.toString() ? `?${q}` : ''}`;
  }

  function keepInUrl() {
    const hash = dayHash(day);
    if (location.hash !== hash) history.replaceState(history.state, '', hash);
    for (const tab of root.querySelectorAll('a.day')) tab.setAttribute('href', dayHash(tab.dataset.day));
  }

  function kindOf(event) {
    return app.programme.venues.get(event.venue_id)?.kind;
  }

  function eventMatches(event) {
    return (!filters.category || event.category === filters.category) && (!filters.kind || kindOf(event) === filters.kind);
  }

  async function renderSearch(results, count, asked) {
    const q = filters.q.trim();
    const index = await app.programme.searchIndex();
    if (asked !== renders) return; // typed on, or the programme changed, meanwhile
    const hits = rank(index, q);
    const venues = hits.filter((h) => h.type === 'venue' && !filters.category && (!filters.kind || h.record.kind === filters.kind));
    const events = hits.filter((h) => h.type === 'event' && eventMatches(h.record));
    const n = venues.length + events.length;
    count.textContent = n ? t('results_count', { n, q }) : t('no_results', { q });
    let shown = 0;
    const draw = () => {
      const before = shown;
      shown = Math.min(n, shown + SEARCH_LIMIT);
      const moreEvents = Math.max(0, shown - venues.length);
      setHTML(results, html`
        ${venues.length ? html`<h2 class="section-title">${t('venues_heading')}</h2>
          <ul class="cards" role="list">${venues.slice(0, shown).map((h) => venueCard(app, h.record))}</ul>` : ''}
        ${moreEvents ? html`<h2 class="section-title">${t('events_heading')}</h2>
          <ul class="cards" role="list">${events.slice(0, moreEvents).map((h) => eventCard(app, h.record, { withDay: true }))}</ul>` : ''}
        ${shown < n ? html`<button type="button" class="btn more" id="more">${t('more_results', { n: Math.min(SEARCH_LIMIT, n - shown) })}</button>` : ''}`);
      results.querySelector('#more')?.addEventListener('click', () => {
        draw();
        // the keyboard goes on from the first result just added
        results.querySelectorAll('.card a')[before + SEARCH_LIMIT]?.focus();
      });
    };
    draw();
  }

  /**
   * The day's events: a screenful first, then `PAGE` cards at a time as the end of the list nears the screen.
   * Opening (`atNow`) today, the list scrolls to the now line once the cards up to it are drawn.
   */
  function renderDay(results, count, asked, atNow) {
    const onDay = app.programme.events.filter((e) => eventOnDay(e, day, app.zone));
    const events = onDay.filter(eventMatches);
    count.textContent = t('events_count', { n: events.length });
    // Today during the festival, a line marks now: before the first event still to start.
    const now = app.now();
    const next = day === app.today() ? events.findIndex((e) => Date.parse(e.starts_at) > now) : -1;
    const nowAt = day !== app.today() ? -1 : next < 0 ? events.length : next;
    const nowLine = html`<li class="now-line" id="now">${t('now_marker', { time: timeOf(now, app.zone) })}</li>`;
    setHTML(results, html`<h2 class="section-title">${dayLong(day)}</h2>
      ${events.length ? html`<ul class="cards" role="list"></ul><div class="sentinel"></div>`
        : html`<p class="empty">${t('no_events')}</p>`}`);
    const list = results.querySelector('ul');
    if (!list) return;
    let shown = 0;
    const more = (n = PAGE) => {
      const end = Math.min(events.length, shown + n);
      list.insertAdjacentHTML('beforeend', String(html`${events.slice(shown, end).map((e, i) => html`
        ${shown + i === nowAt ? nowLine : ''}${eventCard(app, e)}`)}${end === nowAt && end === events.length ? nowLine : ''}`));
      shown = end;
      if (shown === events.length) {
        observer?.disconnect();
        results.querySelector('.sentinel').remove();
      }
    };
    more(SCREENFUL);
    if (shown < events.length) {
      observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) more();
      }, { rootMargin: '0px 0px 800px 0px' });
      observer.observe(results.querySelector('.sentinel'));
    }
    // then, a page a task: a short day whole, and today the cards up to a screenful past now
    const fill = () => {
      if (asked !== renders) return;
      if (shown < events.length && (shown < WHOLE || shown <= nowAt + SCREENFUL)) {
        more();
        setTimeout(fill, 0);
        return;
      }
      const line = list.querySelector('.now-line');
      if (atNow && line?.previousElementSibling && window.scrollY === 0) line.scrollIntoView({ block: 'start' });
      app.keepFirstScreen(day, onDay); // for the next reload to draw this list at once
    };
    setTimeout(fill, 0);
  }

  function renderList({ atNow = false } = {}) {
    observer?.disconnect();
    observer = null;
    renders += 1;
    const results = root.querySelector('#results');
    const count = root.querySelector('#count');
    if (filters.q.trim()) renderSearch(results, count, renders);
    else renderDay(results, count, renders, atNow);
  }

  const now = app.now();
  const news = app.programme.announcements
    .filter((a) => Date.parse(a.published_at) <= now && (!a.expires_at || Date.parse(a.expires_at) > now))
    .sort((a, b) => Date.parse(b.published_at) - Date.parse(a.published_at))
    .slice(0, 3);

  function mount(container) {
    root = container;
    const theme = tr(festival.theme);
    setHTML(root, html`<section class="screen programme">
      <header class="hero">
        <h1 id="screen-title" tabindex="-1">${tr(festival.name)}</h1>
        ${theme ? html`<p class="hero-theme">“${theme}”</p>` : ''}
      </header>
      ${news.length ? html`<section class="news" aria-labelledby="news-title">
        <h2 id="news-title" class="sr-only">${t('news')}</h2>
        ${news.map((a) => html`<article class="banner banner-news">${icon('megaphone')}<div>
          <h3 class="news-title">${tr(a.title)}</h3>${tr(a.body) ? html`<p>${tr(a.body)}</p>` : ''}
          ${a.url ? html`<a class="link-strong" href="${a.url}">${t('read_more')}</a>` : ''}</div></article>`)}
      </section>` : ''}
      <nav class="days" aria-label="${t('days_label')}">
        <ul role="list">${days.map((d) => {
          const tab = dayTab(d);
          return html`<li><a href="${dayHash(d)}" data-day="${d}" class="day${d === today ? ' is-today' : ''}" title="${dayLong(d)}"
            ${d === day ? html`aria-current="page"` : ''}><span class="day-weekday">${tab.weekday}</span>
            <span class="day-date">${tab.date}</span>${d === today ? html`<span class="sr-only"> (${t('today')})</span>` : ''}</a></li>`;
        })}</ul>
      </nav>
      <form class="filters" role="search" action="#" novalidate>
        <div class="search-field">
          <label class="sr-only" for="q">${t('search_label')}</label>
          ${icon('search', 'icon search-icon')}
          <input id="q" name="q" type="search" value="${filters.q}" placeholder="${t('search_placeholder')}"
            autocomplete="off" autocapitalize="off" spellcheck="false" enterkeyhint="search">
        </div>
        <div class="selects">
          <div class="field">
            <label for="category">${t('category')}</label>
            <select id="category" name="category">
              <option value="">${t('all_categories')}</option>
              ${categories.map((c) => html`<option value="${c}" ${c === filters.category ? 'selected' : ''}>${categoryName(c)}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="kind">${t('venue_kind')}</label>
            <select id="kind" name="kind">
              <option value="">${t('all_kinds')}</option>
              ${kinds.map((k) => html`<option value="${k}" ${k === filters.kind ? 'selected' : ''}>${kindName(k)}</option>`)}
            </select>
          </div>
        </div>
      </form>
      <p class="count" id="count" role="status"></p>
      <div id="results" class="results"></div>
    </section>`);

    const form = root.querySelector('form');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      root.querySelector('#q').blur();
    });
    root.querySelector('#q').addEventListener('input', (event) => {
      filters.q = event.target.value;
      keepInUrl();
      // A keystroke is answered at once, unless one was in the last TYPING_MS: then once the typing pauses.
      clearTimeout(typing);
      const answer = () => {
        answeredAt = performance.now();
        renderList();
      };
      if (performance.now() - answeredAt > TYPING_MS) answer();
      else typing = setTimeout(answer, TYPING_MS);
    });
    for (const name of ['category', 'kind']) {
      root.querySelector(`#${name}`).addEventListener('change', (event) => {
        filters[name] = event.target.value;
        keepInUrl();
        renderList();
      });
    }
    // Keep the chosen day centred in the strip of tabs, in the frame that lays the screen out anyway: done here, it
    // forced a layout of its own before the list was even in (24 ms at 4× slowdown on a reload). The strip alone
    // scrolls: by then the page may have scrolled to the now line, which scrollIntoView would undo.
    requestAnimationFrame(() => {
      const tab = root.querySelector('.day[aria-current]');
      const strip = tab?.closest('ul');
      if (!strip) return;
      const [at, of] = [tab.getBoundingClientRect(), strip.getBoundingClientRect()];
      strip.scrollLeft += at.left - of.left - (of.width - at.width) / 2;
    });
    // Opened today during the festival, the list starts at now (the marker at the top, earlier events above it).
    renderList({ atNow: true });
    // the search index is made in the background meanwhile, so that the first keystroke finds it ready
    setTimeout(() => app.programme.searchIndex(), 0);
  }

  function unmount() {
    observer?.disconnect();
    clearTimeout(typing);
  }

  return { mount, unmount, refresh: renderList, title: tr(festival.name) };
}
