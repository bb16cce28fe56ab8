// The venue's occupancy on the scanner, while online: asked of the server every OCCUPANCY_EVERY_MS while the
// screen is visible, and taken from each online verdict's answer in between.

import { t } from '../../lib/i18n.js';
import { html, setHTML } from '../core/dom.js';
import { levelBadge, online } from './ui.js';

const OCCUPANCY_EVERY_MS = 20_000;

export class OccupancyPanel {
  /** @param {HTMLElement} box where it shows @param {string} venueId the venue it shows */
  constructor(box, venueId) {
    this.box = box;
    this.venueId = venueId;
    this.latest = null;
    this.closed = false;
    this.show();
    this.load();
    this.timer = setInterval(() => {
      if (document.visibilityState === 'visible') this.load();
    }, OCCUPANCY_EVERY_MS);
  }

  /** The volunteer chose another venue: its figures are asked for. */
  setVenue(venueId) {
    this.venueId = venueId;
    this.latest = null;
    this.show();
    this.load();
  }

  /** The server's figures ({venue_id, count, capacity, level}), as an online verdict brought them. */
  use(occupancy) {
    this.latest = occupancy;
    this.show();
  }

  show() {
    if (!online()) {
      setHTML(this.box, html`<p class="small muted">${t('occupancy_offline')}</p>`);
      return;
    }
    if (!this.latest || this.latest.venue_id !== this.venueId) {
      setHTML(this.box, html`<p class="small muted">${t('occupancy_loading')}</p>`);
      return;
    }
    const o = this.latest;
    const share = o.capacity ? Math.min(100, Math.round((100 * o.count) / o.capacity)) : null;
    setHTML(this.box, html`<div class="occupancy-line"><span>${o.capacity ? t('occupancy_of', { n: o.count, capacity: o.capacity }) : t('occupancy_n', { n: o.count })}</span>
      ${levelBadge(o)}</div>
      ${share !== null ? html`<div class="meter meter-${o.level}" aria-hidden="true"><span data-share="${share}"></span></div>` : ''}`);
  }

  /** Ask the server (when online; offline, say so). */
  async load() {
    if (this.closed) return;
    if (!online()) {
      this.show();
      return;
    }
    const venueId = this.venueId;
    try {
      const response = await fetch(`/api/venues/${encodeURIComponent(venueId)}/occupancy`, { cache: 'no-store' });
      if (response.ok && venueId === this.venueId) this.latest = await response.json();
    } catch { /* offline */ }
    if (!this.closed) this.show();
  }

  close() {
    this.closed = true;
    clearInterval(this.timer);
  }
}
