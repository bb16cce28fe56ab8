// My schedule's travel times: between consecutive favourites of a day (the earlier one's end to the later
// one's start), by the chosen mode or "auto" (walk when the venues are close, taxi when not), leaving when the
// earlier event ends (rush hours count), with a warning when the trip does not fit in the gap.

import { byMode, formatDuration } from '../../lib/i18n-wayfinding.js';
import { t, tr } from '../../lib/i18n.js';
import { overlaps } from '../../lib/time.js';
import { estimatorFor, venuePlace } from '../../lib/travel.js';
import { html, icon } from '../core/dom.js';
import { modeIcon, modeOptions } from '../map/travelui.js';

export { setTravelMode, travelMode } from '../map/travelui.js';

/** For each favourite that follows another on its day: the trip from the one before. */
export function travelLegs(app, byDay, mode) {
  const legs = new Map();
  const estimator = estimatorFor(app.programme);
  if (!estimator) return legs;
  const { venues } = app.programme;
  for (const list of byDay.values()) {
    let previous = null;
    for (const event of list) {
      if (event.status === 'cancelled' || !venues.has(event.venue_id)) continue;
      if (previous && !overlaps(previous, event)) {
        const a = venuePlace(venues.get(previous.venue_id));
        const b = venuePlace(venues.get(event.venue_id));
        const gap = (Date.parse(event.starts_at) - Date.parse(previous.ends_at)) / 1000;
        const same = a.venueId === b.venueId;
        const chosen = mode === 'auto' ? estimator.autoMode(a, b) : mode;
        const leg = estimator.leg(a, b, chosen, Date.parse(previous.ends_at));
        legs.set(event.id, { from: previous, to: event, mode: chosen, ...leg, gap, same, tight: !same && leg.duration_s > gap });
      }
      previous = event;
    }
  }
  return legs;
}

export function travelLegItem(leg) {
  const label = t('leg_label', { from: tr(leg.from.title), to: tr(leg.to.title) });
  const text = leg.same ? t('leg_same')
    : leg.tight ? t('leg_tight', { time: formatDuration(leg.duration_s), by: byMode(leg.mode), gap: formatDuration(Math.max(0, leg.gap)) })
      : t('leg_ok', { time: formatDuration(leg.duration_s), by: byMode(leg.mode), spare: formatDuration(leg.gap - leg.duration_s) });
  return html`<li class="travel-leg${leg.tight ? ' is-tight' : ''}" data-leg="${leg.to.id}" data-mode="${leg.mode}">
    ${leg.tight ? icon('warning', 'icon icon-sm') : modeIcon(leg.mode, 'icon icon-sm')}
    <span><span class="sr-only">${label}: </span>${text}</span></li>`;
}

export function travelModeField(mode) {
  return html`<div class="field travel-field"><label for="travel-mode">${t('travel_between')}</label>
    <select id="travel-mode">${modeOptions(mode, { auto: true })}</select></div>`;
}
