// The frame around every screen: texts of the header and tab bar, the online/offline indicator with the
// last sync time on the festival clock, the height of the sticky bars (what a heading scrolled to must clear),
// and the "update available" prompt of the service worker.

import { t } from '../../lib/i18n.js';
import { dayOf, timeOf } from '../../lib/time.js';

export class Shell {
  constructor(app) {
    this.app = app;
    this.status = document.getElementById('status');
    this.statusText = document.getElementById('status-text');
    this.statusDetail = document.getElementById('status-detail');
    this.banner = document.getElementById('offline-banner');
    this.toast = document.getElementById('toast');
    const topbar = document.querySelector('.topbar');
    // scroll-padding-top itself, not a custom property on the root: every element inherits those, so setting one
    // recomputed the whole page's style (17 ms at 4× slowdown, in the frame that first paints the programme)
    const sticky = () => {
      const padding = `${topbar.offsetHeight + (this.banner.hidden ? 0 : this.banner.offsetHeight) + 8}px`;
      if (document.documentElement.style.scrollPaddingTop !== padding) document.documentElement.style.scrollPaddingTop = padding;
    };
    const bars = new ResizeObserver(sticky);
    bars.observe(topbar);
    bars.observe(this.banner);
  }

  /** A sync's real instant as the festival clock read it then. */
  formatSynced(iso) {
    const zone = this.app.zone;
    const at = Date.parse(iso) + (this.app.sync.clockOffset || 0);
    const time = timeOf(at, zone);
    const day = dayOf(at, zone);
    if (day === dayOf(this.app.now(), zone)) return time;
    const [, m, d] = day.split('-');
    return `${Number(d)}/${Number(m)} ${time}`;
  }

  /** The words of the static frame, in the current language. */
  translate() {
    document.documentElement.lang = this.app.lang();
    for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
    for (const node of document.querySelectorAll('[data-t-label]')) node.setAttribute('aria-label', t(node.dataset.tLabel));
    this.showStatus();
  }

  online() {
    return navigator.onLine && this.app.sync.status.reachable !== false;
  }

  showStatus() {
    const s = this.app.sync.status;
    const online = this.online();
    this.status.classList.toggle('is-offline', !online);
    this.status.classList.toggle('is-syncing', Boolean(s.syncing && online));
    this.statusText.textContent = online ? (s.syncing ? t('syncing') : t('online')) : t('offline');
    this.statusDetail.textContent = !online && s.pending ? t('pending_short', { n: s.pending })
      : s.lastSyncedAt ? t('synced_at', { time: this.formatSynced(s.lastSyncedAt) }) : t('never_synced');
    this.banner.hidden = online;
    document.body.classList.toggle('is-offline', !online);
  }

  markTab(name) {
    for (const link of document.querySelectorAll('.tabbar a')) {
      if (link.dataset.tab === name) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  /** A new service worker is waiting: offer to reload into it. */
  offerUpdate(worker) {
    this.toast.hidden = false;
    const button = this.toast.querySelector('button');
    button.onclick = () => {
      button.disabled = true;
      this.reloading = true;
      worker.postMessage({ type: 'SKIP_WAITING' });
    };
  }
}
