// The scanner, once the phone is enrolled: the camera (or a typed code) reads a pass and the verdict shows
// (judge.js, verdict.js); the alerts of offline verdicts the server overruled (overruled.js); the venue and its
// occupancy (occupancy.js); the recent scans and the outbox badge (scanlog.js); uploading now, and leaving.

import { t } from '../../lib/i18n.js';
import { html, icon } from '../core/dom.js';
import { CameraBox } from './camera.js';
import { scanJudge } from './judge.js';
import { OccupancyPanel } from './occupancy.js';
import { OverruledAlerts } from './overruled.js';
import { showBadge, showLog } from './scanlog.js';
import { draw, unlockAudio } from './ui.js';
import { showChecking, showVerdict } from './verdict.js';

function venueField(volunteer, venueName) {
  if (volunteer.venues.length === 1) {
    return html`<p class="scan-venue-one">${icon('pin')}<span><span class="sr-only">${t('scan_venue')}: </span>${venueName(volunteer.venues[0])}</span></p>`;
  }
  return html`<div class="field scan-venue"><label for="scan-venue">${t('scan_venue')}</label>
    <select id="scan-venue">${volunteer.venues.map((id) => html`<option value="${id}" ${id === volunteer.venue ? 'selected' : ''}>${venueName(id)}</option>`)}</select></div>`;
}

export class ScannerView {
  /**
   * Draws the scanner into `root`.
   * @param {HTMLElement} root the screen
   * @param {object} options
   * @param {object} options.app the app
   * @param {object} options.store the staff database (ui.js `staff`)
   * @param {object} options.sync the volunteer's upload loop
   * @param {object} options.volunteer the enrolment (its venue, kept again when the volunteer picks another)
   * @param {object[]} options.scans the scans kept
   * @param {(id: string) => string} options.venueName
   * @param {() => void} options.onLeave the volunteer asked to leave volunteer mode
   */
  constructor(root, { app, store, sync, volunteer, scans, venueName, onLeave }) {
    Object.assign(this, { app, store, sync, volunteer, scans, venueName });
    this.closed = false;
    if (!volunteer.venues.includes(volunteer.venue)) volunteer.venue = volunteer.venues[0];
    draw(root, html`<section class="screen scan-screen">
      <div class="scan-head">
        <h1 id="screen-title" tabindex="-1">${t('scanner_title')}</h1>
        <span id="outbox-badge"></span>
      </div>
      <div class="scan-alerts" id="scan-alerts"></div>
      ${venueField(volunteer, venueName)}
      <div class="occupancy" id="occupancy" aria-live="polite"></div>
      <div id="scan-camera"></div>
      <div id="verdict" class="verdict" role="status" aria-live="assertive" aria-atomic="true"></div>
      <details class="disclosure">
        <summary>${t('scan_manual')}</summary>
        <form class="manual-form" id="manual-form" action="#">
          <label for="manual-code">${t('scan_manual_label')}</label>
          <textarea id="manual-code" rows="3" autocomplete="off" autocapitalize="off" spellcheck="false" required
            aria-describedby="manual-help"></textarea>
          <p class="small muted" id="manual-help">${t('scan_manual_help')}</p>
          <button type="submit" class="btn btn-secondary">${t('scan_check')}</button>
        </form>
      </details>
      <section class="block" aria-labelledby="log-title">
        <h2 id="log-title" class="section-title">${t('scan_log')}</h2>
        <ol class="scan-log" id="scan-log" role="list"></ol>
      </section>
      <section class="block" aria-labelledby="device-title">
        <h2 id="device-title" class="section-title">${t('volunteer_device')}</h2>
        <p class="small muted">${t('volunteer_for', { venues: volunteer.venues.map(venueName).join(', ') })}</p>
        <p class="small muted" translate="no">${t('device', { id: volunteer.device_id })}</p>
        <div class="button-row">
          <button type="button" class="btn btn-secondary" id="upload-now">${icon('upload')}<span>${t('upload_now')}</span></button>
          <button type="button" class="btn btn-secondary" id="leave">${t('volunteer_leave')}</button>
        </div>
      </section>
    </section>`);
    this.badge = root.querySelector('#outbox-badge');
    this.verdictBox = root.querySelector('#verdict');
    this.log = root.querySelector('#scan-log');
    const judge = scanJudge({
      app, store, sync, volunteer: () => this.volunteer, scans: () => this.scans,
      show: {
        // a verdict reached after the scanner gave way shows nowhere (the scan is kept all the same)
        checking: () => {
          if (!this.closed) showChecking(this.camera, this.verdictBox);
        },
        verdict: (result, detectedAt, scan) => {
          if (!this.closed) showVerdict(this.camera, this.verdictBox, result, detectedAt, scan);
        },
        kept: (occupancy) => {
          if (occupancy) this.occupancy.use(occupancy);
          this.showLog();
        },
        queued: () => {
          this.showBadge();
          this.showLog();
        },
      },
    });
    this.camera = new CameraBox(root.querySelector('#scan-camera'), {
      startLabel: t('scan_start'), hint: t('scan_start_hint'), onCode: judge,
    });
    this.alerts = new OverruledAlerts(root.querySelector('#scan-alerts'), { zone: app.zone, dismiss: (id) => this.dismiss(id) });
    root.querySelector('#scan-venue')?.addEventListener('change', async (event) => {
      this.volunteer = { ...this.volunteer, venue: event.target.value };
      await store.setMeta('volunteer', this.volunteer);
      this.camera.forget();
      this.occupancy.setVenue(this.volunteer.venue);
    });
    root.querySelector('#manual-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      unlockAudio();
      const field = root.querySelector('#manual-code');
      const text = field.value.trim();
      if (!text) return;
      const judged = await judge(text, performance.now());
      if (judged) field.value = '';
    });
    root.querySelector('#upload-now').addEventListener('click', () => {
      sync.failures = 0;
      sync.run();
    });
    root.querySelector('#leave').addEventListener('click', onLeave);
    this.showBadge();
    this.occupancy = new OccupancyPanel(root.querySelector('#occupancy'), volunteer.venue);
    this.showLog();
    this.alerts.show(scans);
  }

  showBadge() {
    showBadge(this.badge, this.sync.status.pending);
  }

  showLog() {
    showLog(this.log, this.scans, { zone: this.app.zone, venueName: this.venueName });
  }

  /** The scans as the store now has them (the server's word on those uploaded). */
  useScans(scans) {
    this.scans = scans;
    this.showLog();
    this.alerts.show(scans);
    this.occupancy.load();
  }

  async dismiss(id) {
    const at = new Date(this.app.now()).toISOString();
    const scan = this.scans.find((s) => s.id === id);
    if (scan) scan.dismissed_at = at;
    await this.store.dismissOverruled(id, at);
  }

  /** The scanner gives way (to the enrolment form, to another screen). */
  close() {
    this.closed = true;
    this.camera.stop();
    this.occupancy.close();
  }
}
