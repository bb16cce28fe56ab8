// What the volunteer sees of the scans kept: the recent ones, each with where it stands with the server, and the
// badge counting those still waiting in the outbox to go up.

import { t } from '../../lib/i18n.js';
import { timeOf } from '../../lib/time.js';
import { html, icon, setHTML } from '../core/dom.js';
import { reasonWords, verdictWords } from './ui.js';

const LOG_SIZE = 8;

function logState(scan) {
  const s = scan.server;
  if (scan.checked === 'server') return html`<span class="log-state is-ok">${icon('check', 'icon icon-sm')}<span>${t('log_checked')}</span></span>`;
  if (!s) return html`<span class="log-state">${icon('upload', 'icon icon-sm')}<span>${t('log_waiting')}</span></span>`;
  if (s.status === 'rejected') return html`<span class="log-state is-bad">${t('log_refused', { reason: reasonWords(s.reason || '') })}</span>`;
  const conflicts = s.conflicts || [];
  if (conflicts.includes('double_scan')) return html`<span class="log-state is-bad">${t('log_double')}</span>`;
  if (conflicts.includes('revoked')) return html`<span class="log-state is-bad">${t('log_revoked')}</span>`;
  if (s.verdict && scan.verdict !== 'unverified' && s.verdict !== scan.verdict) {
    return html`<span class="log-state is-bad">${t('log_server_says', { verdict: verdictWords(s.verdict, s.reason).title })}</span>`;
  }
  if (scan.verdict === 'unverified' && s.verdict) {
    return html`<span class="log-state">${t('log_server_says', { verdict: verdictWords(s.verdict, s.reason).title })}</span>`;
  }
  return html`<span class="log-state is-ok">${icon('check', 'icon icon-sm')}<span>${t('log_uploaded')}</span></span>`;
}

/** The last LOG_SIZE `scans` in `list`, the newest first; times in `zone`, venues named by `venueName(id)`. */
export function showLog(list, scans, { zone, venueName }) {
  const recent = scans.slice(-LOG_SIZE).reverse();
  setHTML(list, recent.length ? recent.map((scan) => {
    const words = verdictWords(scan.verdict, scan.reason);
    return html`<li class="log-item log-${words.kind}" data-scan="${scan.id}">
      <span class="log-time">${timeOf(scan.scanned_at, zone)}</span>
      <span class="log-main"><strong>${words.title}</strong>${scan.pass_id ? html` · <span translate="no">${scan.pass_id}</span>` : ''}
        <span class="small muted"> · ${venueName(scan.venue_id)}</span></span>
      ${logState(scan)}</li>`;
  }) : html`<li class="muted small">${t('log_empty')}</li>`);
}

/** `pending` scans waiting in the outbox, or that none is. */
export function showBadge(badge, pending) {
  badge.className = `outbox-badge${pending ? ' has-pending' : ''}`;
  badge.dataset.count = String(pending);
  setHTML(badge, html`${icon(pending ? 'upload' : 'check', 'icon icon-sm')}<span>${pending ? t('outbox_pending', { n: pending }) : t('outbox_empty')}</span>`);
}
