// "Plan my day" (#/plan/YYYY-MM-DD): the favourites of a day in the best order the planner finds, with the
// arrive and leave times, each leg's mode and minutes, long waits turned into free time with what is open
// nearby, what could not fit and why, drawn on a map. Today it starts where the phone is (when the person
// allows it), else at the venue they pick, by default that of the favourite under way: that one is attended.
// Online, POST /api/itineraries plans, and the phone keeps the answer (its legs drawn along the streets among
// it); without an answer, that kept plan when it answered the same request on the same programme version,
// else the same planner runs on the phone over the stored travel model (js/lib/dayplan.js), and the plan says
// it is the phone's estimate.

import { eventUnderWay, planDayOffline, startOfDay, timeline } from '../../lib/dayplan.js';
import { byMode, formatDistance, formatDuration, modeName } from '../../lib/i18n-wayfinding.js';
import { dayLong, t, tr } from '../../lib/i18n.js';
import { dayOf, timeOf } from '../../lib/time.js';
import { estimatorFor, venuePlace, zoneOffsetS } from '../../lib/travel.js';
import { html, icon, setHTML } from '../core/dom.js';
import { notFound } from '../core/notfound.js';
import { MapView } from '../map/mapview.js';
import { LocationError, locate, modeIcon, modeOptions, setTravelMode, storePlan, travelMode } from '../map/travelui.js';

const ONLINE_TIMEOUT_MS = 8000;
const LOCATE_TIMEOUT_MS = 8000;
const ME = '@me';
const seconds = (iso) => Math.floor(Date.parse(iso) / 1000);

/** 'YYYY-MM-DDTHH:MM:00+07:00' for a wall-clock time of a day in `zone`. */
export function zonedIso(day, clock, zone) {
  const [y, m, d] = day.split('-').map(Number);
  const [hh, mm] = clock.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm) / 1000;
  const offsetS = zoneOffsetS(wall - zoneOffsetS(wall, zone), zone);
  const abs = Math.abs(offsetS);
  const two = (n) => String(n).padStart(2, '0');
  const offset = `${offsetS < 0 ? '-' : '+'}${two(Math.floor(abs / 3600))}:${two(Math.floor((abs % 3600) / 60))}`;
  return `${day}T${two(hh)}:${two(mm)}:00${offset}`;
}

/** 'auto' made concrete for a set of places: walk when every two are close, else a taxi. */
function resolveMode(mode, estimator, places) {
  if (mode !== 'auto') return mode;
  for (let i = 0; i < places.length; i += 1) {
    for (let j = i + 1; j < places.length; j += 1) {
      if (estimator.autoMode(places[i], places[j]) !== 'walk') return 'car';
    }
  }
  return 'walk';
}

const reasonText = (reason) => t(`reason_${reason}`);

export function planScreen(app, params) {
  const { days, venues, eventsById } = app.programme;
  const day = params.day;
  if (!days.includes(day)) return notFound();
  const estimator = estimatorFor(app.programme);
  const favourites = app.favouriteEvents().filter((e) => dayOf(e.starts_at, app.zone) === day);
  const first = favourites.find((e) => e.status !== 'cancelled' && venues.has(e.venue_id)) || favourites[0];
  const today = dayOf(app.now(), app.zone) === day;
  let root;
  let view = null;
  let gone = false;
  let ticket = 0;

  const choice = {
    at: defaultStart(),
    mode: travelMode(),
  };
  // Today the phone's position comes first; without it, the venue of the favourite under way, else the first's.
  const current = today ? eventUnderWay(favourites, venues, seconds(zonedIso(day, choice.at, app.zone))) : null;
  const fallback = current?.venue_id || (first ? first.venue_id : [...venues.keys()][0]);
  choice.start = today && 'geolocation' in navigator ? ME : fallback;

  function defaultStart() {
    const now = app.now();
    if (dayOf(now, app.zone) === day) {
      const [h, m] = timeOf(now, app.zone).split(':').map(Number);
      const next = Math.min(23 * 60 + 55, Math.ceil((h * 60 + m) / 5) * 5);
      return `${String(Math.floor(next / 60)).padStart(2, '0')}:${String(next % 60).padStart(2, '0')}`;
    }
    const earliest = favourites.map((e) => timeOf(e.starts_at, app.zone)).sort()[0];
    if (earliest && earliest < '08:00') {
      const [h, m] = earliest.split(':').map(Number);
      const start = Math.max(0, h * 60 + m - 60);
      return `${String(Math.floor(start / 60)).padStart(2, '0')}:${String(start % 60).padStart(2, '0')}`;
    }
    return '08:00';
  }

  const venueOptions = () => [...venues.values()].sort((a, b) => tr(a.name).localeCompare(tr(b.name), app.lang()));

  function mount(container) {
    root = container;
    setHTML(root, html`<section class="screen plan-screen">
      <button type="button" class="back" data-back>${icon('back')}<span>${t('back')}</span></button>
      <h1 id="screen-title" tabindex="-1">${t('plan_title')}</h1>
      <p class="plan-day">${dayLong(day)}</p>
      ${favourites.length ? html`<form class="plan-form" id="plan-form" action="#" novalidate>
        <div class="field"><label for="plan-start">${t('plan_start')}</label>
          <select id="plan-start" name="start">
            <option value="${ME}" ${choice.start === ME ? 'selected' : ''}>${t('plan_start_me')}</option>
            ${current ? html`<option value="${current.venue_id}" ${choice.start === current.venue_id ? 'selected' : ''}>${t('plan_start_now', { venue: tr(venues.get(current.venue_id)?.name), event: tr(current.title) })}</option>`
              : first ? html`<option value="${first.venue_id}" ${choice.start === first.venue_id ? 'selected' : ''}>${t('plan_start_first', { venue: tr(venues.get(first.venue_id)?.name) })}</option>` : ''}
            ${venueOptions().filter((v) => v.id !== fallback).map((v) => html`<option value="${v.id}">${tr(v.name)}</option>`)}
          </select></div>
        <div class="plan-row">
          <div class="field"><label for="plan-at">${t('plan_start_at')}</label>
            <input id="plan-at" name="at" type="time" value="${choice.at}" required></div>
          <div class="field"><label for="plan-mode">${t('travel_mode')}</label>
            <select id="plan-mode" name="mode">${modeOptions(choice.mode, { auto: true, short: true })}</select></div>
        </div>
        <button type="submit" class="btn btn-primary" id="plan-go">${icon('route')}<span>${t('plan_go')}</span></button>
      </form>
      <p class="plan-status" id="plan-status" role="status" aria-live="polite"></p>
      <div id="plan-result" class="plan-result"></div>`
        : html`<div class="empty-state">${icon('star', 'icon icon-xl')}<p>${t('plan_empty')}</p>
          <p><a class="btn btn-secondary" href="#/day/${day}">${t('to_programme')}</a></p></div>`}
    </section>`);
    if (!favourites.length) return;
    const form = root.querySelector('#plan-form');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      choice.start = form.start.value;
      choice.at = form.at.value || defaultStart();
      choice.mode = form.mode.value;
      setTravelMode(choice.mode);
      run();
    });
    run();
  }

  /** A venue picked, or the phone's position; refused or too slow, the venue picker is asked instead. */
  async function whereFrom(status) {
    if (choice.start !== ME) return { venueId: choice.start };
    status.textContent = t('locating');
    try {
      const fix = await locate({ timeoutMs: LOCATE_TIMEOUT_MS });
      return { point: { lat: fix.lat, lon: fix.lon } };
    } catch (error) {
      if (!(error instanceof LocationError)) throw error;
      choice.start = fallback;
      const select = root.querySelector('#plan-start');
      if (select) select.value = fallback;
      return { venueId: fallback, why: error.text };
    }
  }

  async function run() {
    const mine = ++ticket;
    const status = root.querySelector('#plan-status');
    const button = root.querySelector('#plan-go');
    button.disabled = true;
    try {
      const here = await whereFrom(status);
      if (mine !== ticket || gone) return;
      status.textContent = t('planning');
      const atS = seconds(zonedIso(day, choice.at, app.zone));
      const day0 = startOfDay(favourites, venues, atS, here);
      const startPlace = typeof day0.start === 'string' ? venuePlace(venues.get(day0.start)) : { point: day0.start, venueId: null };
      const places = [startPlace, ...favourites.filter((e) => venues.has(e.venue_id)).map((e) => venuePlace(venues.get(e.venue_id)))];
      const mode = estimator ? resolveMode(choice.mode, estimator, places) : (choice.mode === 'auto' ? 'walk' : choice.mode);
      const request = { start: day0.start, start_at: new Date(day0.startAtS * 1000).toISOString().replace('.000Z', 'Z'), mode, events: day0.events };
      const made = await makePlan(request);
      if (mine !== ticket || gone) return;
      const plan = { ...made, unplaced: [...made.unplaced, ...day0.started.map((e) => ({ id: e.id, kind: 'event', reason: 'started' }))] };
      storePlan(day, plan);
      status.textContent = here.why || '';
      show(plan, day0.attended);
    } catch (error) {
      if (mine !== ticket || gone) return;
      status.textContent = error instanceof LocationError ? error.text : t('plan_failed', { why: error.message });
    } finally {
      if (mine === ticket && button) button.disabled = false;
    }
  }

  async function makePlan(request) {
    if (navigator.onLine && app.sync.status.reachable !== false) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), ONLINE_TIMEOUT_MS);
      try {
        const response = await fetch('/api/itineraries', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request), signal: controller.signal,
        });
        if (response.ok) {
          const plan = { ...(await response.json()), computed: 'server' };
          // best effort: a phone whose storage is full plans on its own offline, as it did before
          app.store.savePlan(day, { version: app.programme.version, request, plan }).catch(() => {});
          return plan;
        }
      } catch {
        // no signal after all, or too slow: the phone plans
      } finally {
        clearTimeout(timer);
      }
    }
    const saved = await app.store.savedPlan(day).catch(() => null);
    if (saved?.version === app.programme.version && JSON.stringify(saved.request) === JSON.stringify(request)) {
      return { ...saved.plan, saved: true };
    }
    if (!estimator) throw new Error(t('need_network'));
    return planDayOffline(app.programme, estimator, request);
  }

  function placeLabel(plan) {
    if (plan.start.venue_id) return tr(venues.get(plan.start.venue_id)?.name);
    return t('your_location');
  }

  function legItem(leg, mode) {
    if (!leg.duration_s) return html`<li class="plan-leg is-none">${modeIcon(mode, 'icon icon-sm')}<span>${t('plan_no_travel')}</span></li>`;
    return html`<li class="plan-leg">${modeIcon(mode, 'icon icon-sm')}<span><strong>${t('plan_leg', {
      time: formatDuration(leg.duration_s), by: byMode(mode), distance: formatDistance(leg.distance_m),
    })}</strong> <span class="muted">${t('plan_leg_times', { depart: timeOf(leg.depart_at, app.zone), arrive: timeOf(leg.arrive_at, app.zone) })}</span></span></li>`;
  }

  function stopItem(stop, n) {
    const event = eventsById.get(stop.id);
    const venue = venues.get(stop.venue_id);
    const arrive = timeOf(stop.arrive_at, app.zone);
    return html`<li class="plan-stop" data-stop="${stop.id}">
      <span class="plan-num" aria-hidden="true">${n}</span>
      <div class="plan-stop-body">
        <p class="plan-time"><span class="sr-only">${t('plan_stop', { n })}: </span>${timeOf(stop.starts_at, app.zone)}–${timeOf(stop.leave_at, app.zone)}</p>
        <p class="plan-stop-title"><a href="#/events/${encodeURIComponent(stop.id)}">${tr(event?.title) || stop.id}</a></p>
        <p class="plan-stop-meta">${tr(venue?.name)} · ${stop.wait_s > 0 ? t('plan_arrive_wait', { time: arrive, wait: formatDuration(stop.wait_s) }) : t('plan_arrive', { time: arrive })}</p>
      </div>
    </li>`;
  }

  function attendedItem({ event, leave_at: leave }) {
    return html`<li class="plan-attended" data-attended="${event.id}">${icon('check', 'icon icon-sm')}<span>
      <strong>${t('plan_attended', { time: timeOf(leave, app.zone) })}</strong>
      <a href="#/events/${encodeURIComponent(event.id)}">${tr(event.title)}</a> · ${tr(venues.get(event.venue_id)?.name)}</span></li>`;
  }

  function freeItem(free) {
    const span = t('plan_free', { from: timeOf(free.from, app.zone), to: timeOf(free.to, app.zone), time: formatDuration(seconds(free.to) - seconds(free.from)) });
    const place = free.venue_id ? tr(venues.get(free.venue_id)?.name) : t('your_location');
    return html`<li class="plan-free">${icon('clock', 'icon icon-sm')}<div>
      <p class="plan-free-title"><strong>${span}</strong></p>
      ${free.nearby.length ? html`<p class="small">${t('plan_free_nearby', { place })}</p>
        <ul class="plan-nearby" role="list">${free.nearby.map((n) => html`<li data-nearby="${n.venue.id}">
          <a href="#/events/${encodeURIComponent(n.event.id)}">${tr(n.event.title)}</a>
          <span class="muted">· ${tr(n.venue.name)} · ${formatDistance(n.distance_m)} · ${timeOf(n.event.starts_at, app.zone)}–${timeOf(n.event.ends_at, app.zone)}</span></li>`)}</ul>`
        : html`<p class="small">${t('plan_free_idea', { place })} <a href="#/day/${day}">${t('to_programme')}</a></p>`}
    </div></li>`;
  }

  function show(plan, attended) {
    const result = root.querySelector('#plan-result');
    const placed = plan.stops.length + (attended ? 1 : 0);
    const total = placed + plan.unplaced.length;
    let n = 0;
    const items = timeline(plan, app.programme, attended).map((item) => {
      if (item.kind === 'attended') return attendedItem(item);
      if (item.kind === 'free') return freeItem(item);
      if (item.kind === 'leg') return legItem(item.leg, plan.mode);
      n += 1;
      return stopItem(item.stop, n);
    });
    const source = plan.computed === 'server'
      ? [t('plan_by_server'), plan.saved ? t('plan_saved') : '', plan.engine !== 'estimate' ? t('plan_engine', { engine: plan.engine }) : '',
        plan.geojson?.attribution ? t('route_streets', { attribution: plan.geojson.attribution }) : '']
      : [t('plan_by_device')];
    if (plan.method === 'heuristic') source.push(t('plan_heuristic'));
    setHTML(result, html`
      <p class="plan-source${plan.computed === 'server' ? '' : ' is-device'}" id="plan-source">${icon(plan.computed === 'server' ? 'route' : 'warning', 'icon icon-sm')}<span>${source.filter(Boolean).join(' ')}</span></p>
      <p class="plan-summary"><strong>${placed ? t('plan_summary', {
        placed, total, travel: formatDuration(plan.totals.travel_s), finish: timeOf(plan.stops.length ? plan.totals.finish_at : attended.ends_at, app.zone),
      }) : t('plan_nothing')}</strong> <span class="muted">· ${modeName(plan.mode)}</span></p>
      <div class="map-frame map-frame-small">
        <div id="plan-map" class="map map-small" role="region" aria-label="${t('map_label')}"><p class="map-loading">${t('map_loading')}</p></div>
      </div>
      <h2 class="section-title">${t('plan_list')}</h2>
      <ol class="plan-list" role="list">
        ${attended ? '' : html`<li class="plan-start">${icon('pin', 'icon icon-sm')}<span>${t('plan_start_point', { place: placeLabel(plan), time: timeOf(plan.start_at, app.zone) })}</span></li>`}
        ${items}
      </ol>
      ${plan.unplaced.length ? html`<section class="block unplaced" aria-labelledby="unplaced-title">
        <h2 id="unplaced-title" class="section-title">${t('unplaced_title')}</h2>
        <ul class="unplaced-list" role="list">${plan.unplaced.map((u) => html`<li data-unplaced="${u.id}">${icon('warning', 'icon icon-sm')}<span>
          <a href="#/events/${encodeURIComponent(u.id)}">${tr(eventsById.get(u.id)?.title) || u.id}</a>: ${reasonText(u.reason)}</span></li>`)}</ul>
      </section>` : ''}
      <p><a class="btn btn-secondary" href="#/map?plan=${encodeURIComponent(day)}">${icon('map')}<span>${t('show_full_map')}</span></a></p>`);
    drawMap(plan);
  }

  async function drawMap(plan) {
    const element = root.querySelector('#plan-map');
    try {
      view?.destroy();
      view = await MapView.create(element, app);
      if (gone || !element.isConnected) {
        view.destroy();
        view = null;
        return;
      }
      const stops = plan.stops.map((s) => ({ lat: s.lat, lon: s.lon, label: tr(eventsById.get(s.id)?.title) }));
      view.showLines(plan.geojson?.features || [], { stops, start: plan.start, className: 'plan-line' });
    } catch (error) {
      console.error(error);
      if (element.isConnected) element.innerHTML = `<p class="map-loading">${t('map_failed')}</p>`;
    }
  }

  return {
    mount,
    title: t('plan_title'),
    unmount() {
      gone = true;
      view?.destroy();
      view = null;
    },
  };
}
