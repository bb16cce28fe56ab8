// The alerts of scans the server overruled: a person this phone let in judging offline, whom the server refused
// once the scan went up (another entrance had let the pass in, the pass had been revoked: lib/checkin.js
// `overruled`). A line in the recent scans is easy to miss at a busy door, so each is a banner at the top of the
// scanner, read out (role="alert") with a sound and a vibration, that stays until the volunteer dismisses it.

import { overruled } from '../../lib/checkin.js';
import { t } from '../../lib/i18n.js';
import { timeOf } from '../../lib/time.js';
import { html, icon, setHTML } from '../core/dom.js';
import { feedback, reasonWords } from './ui.js';

function message(scan, why, zone) {
  const params = { id: scan.server.pass_id || scan.pass_id || '—', time: timeOf(scan.scanned_at, zone) };
  if (why === 'double_scan') return t('alert_double', params);
  if (why === 'already_checked_in') return t('alert_already', params);
  if (why === 'revoked') return t('alert_revoked', params);
  return t('alert_refused', { ...params, reason: reasonWords(why) });
}

export class OverruledAlerts {
  /**
   * @param {HTMLElement} box where the alerts go
   * @param {object} options
   * @param {string} options.zone the festival's time zone, for the scan's time
   * @param {(id: string) => Promise} options.dismiss keep that the volunteer dismissed the alert of scan `id`
   */
  constructor(box, { zone, dismiss }) {
    this.box = box;
    this.zone = zone;
    this.box.addEventListener('click', async (event) => {
      const button = event.target.closest('[data-dismiss]');
      if (!button) return;
      button.disabled = true;
      const alert = button.closest('[data-scan]');
      await dismiss(alert.dataset.scan); // gone once kept, so a reload right after does not bring it back
      const next = alert.nextElementSibling || alert.previousElementSibling;
      alert.remove();
      // the keyboard stays near: on the next alert, else on the screen's title
      (next?.querySelector('[data-dismiss]') || document.getElementById('screen-title'))?.focus();
    });
  }

  /** An alert for each overruled scan not dismissed. Only new ones are added: an alert drawn again would be read
   *  out again. */
  show(scans) {
    if (!this.box.isConnected) return; // the scanner gave way to the enrolment form
    const due = new Map();
    for (const scan of scans) {
      const why = !scan.dismissed_at && overruled(scan);
      if (why) due.set(scan.id, [scan, why]);
    }
    for (const shown of [...this.box.children]) if (!due.has(shown.dataset.scan)) shown.remove();
    let added = false;
    for (const [id, [scan, why]] of due) {
      if ([...this.box.children].some((shown) => shown.dataset.scan === id)) continue;
      const alert = document.createElement('div');
      alert.className = 'scan-alert';
      alert.setAttribute('role', 'alert');
      alert.dataset.scan = id;
      alert.dataset.why = why;
      const passId = scan.server.pass_id || scan.pass_id || '';
      setHTML(alert, html`${icon('warning')}
        <div class="scan-alert-text"><strong>${t('alert_title')}</strong><p>${message(scan, why, this.zone)}</p></div>
        <button type="button" class="btn btn-small btn-dark" data-dismiss aria-label="${t('alert_dismiss_label', { id: passId })}">${t('alert_dismiss')}</button>`);
      this.box.prepend(alert); // the newest first
      added = true;
    }
    if (added) feedback('rejected');
  }
}
