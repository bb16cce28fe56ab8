// How crowded a venue is now, on its page: a small badge from GET /api/venues/{id}/occupancy, shown only online
// (an old figure would mislead, so nothing shows offline).

import { t } from '../../lib/i18n.js';
import { html, setHTML } from '../core/dom.js';
import { levelBadge, online } from './ui.js';

export async function mountCrowd(venue, root) {
  const slot = root.querySelector('#crowd-slot');
  if (!slot || !online()) return;
  let occupancy;
  try {
    const response = await fetch(`/api/venues/${encodeURIComponent(venue.id)}/occupancy`, { cache: 'no-store' });
    if (!response.ok) return;
    occupancy = await response.json();
  } catch {
    return;
  }
  if (!slot.isConnected) return;
  setHTML(slot, html`<p class="crowd-line"><span class="sr-only">${t('crowd_label')}: </span>${levelBadge(occupancy)}
    <span class="small muted">${occupancy.count ? t('crowd_now', { n: occupancy.count }) : t('crowd_none')}</span></p>`);
}
