// Enrolment: an organiser's code, typed or scanned (its QR opens #/enrol/CODE), makes this phone a volunteer
// device for some venues, with a token of its own (lib/staff.js), separate from the attendee's.

import { classify, enrolmentCode } from '../../lib/checkin.js';
import { t } from '../../lib/i18n.js';
import { html, icon, setHTML } from '../core/dom.js';
import { CameraBox } from './camera.js';
import { draw, groups, problem } from './ui.js';

export class Enrolment {
  /**
   * The enrolment form; one for the screen's life, so that a request under way outlives the form drawn again.
   * @param {HTMLElement} root the screen
   * @param {object} options
   * @param {object} options.app the app (its clock)
   * @param {object} options.store the staff database (ui.js `staff`), where the volunteer is kept
   * @param {object} options.sync the volunteer's upload loop, started again under the new device
   * @param {(id: string) => string} options.venueName
   * @param {(volunteer: object) => void} options.onEnrolled the phone is enrolled and the volunteer kept
   */
  constructor(root, { app, store, sync, venueName, onEnrolled }) {
    Object.assign(this, { root, app, store, sync, venueName, onEnrolled });
    this.camera = null;
    this.error = '';
    this.busy = false;
    this.closed = false;
  }

  /** The form, for `volunteer` (the one enrolled, gone, or null) and the `code` of an #/enrol/CODE link. */
  render(volunteer, code) {
    this.volunteer = volunteer;
    this.code = code;
    const { root } = this;
    const other = volunteer && !volunteer.gone && code; // enrolled already, and opening another code
    this.camera?.stop();
    draw(root, html`<section class="screen volunteer-screen">
      <h1 id="screen-title" tabindex="-1">${t('volunteer_title')}</h1>
      ${volunteer?.gone ? html`<p class="banner banner-warn" role="alert">${icon('warning')}<span>${t('volunteer_gone')}</span></p>` : ''}
      ${other ? html`<p class="banner banner-info">${icon('badge')}<span>${t('volunteer_already', { venues: volunteer.venues.map(this.venueName).join(', ') })}</span></p>` : ''}
      <p>${t('volunteer_intro')}</p>
      <form class="enrol-form" id="enrol-form" action="#" novalidate>
        <label for="enrol-code">${t('enrol_code')}</label>
        <input id="enrol-code" name="code" value="${code ? groups(enrolmentCode(code) || code) : ''}" autocomplete="off" autocapitalize="characters" spellcheck="false"
          placeholder="ABCD-EFGH-JKMN-PQRS" aria-describedby="enrol-error" required>
        <button type="submit" class="btn btn-primary btn-wide" ${this.busy ? 'disabled' : ''}>${this.busy ? t('enrolling') : t('enrol_button')}</button>
        <p class="form-error" id="enrol-error" role="alert">${this.error}</p>
      </form>
      <p class="divider"><span>${t('or')}</span></p>
      <div id="enrol-camera"></div>
      ${other ? html`<p><a class="btn btn-secondary btn-wide" href="#/volunteer">${t('volunteer_keep')}</a></p>` : ''}
    </section>`);
    const camera = new CameraBox(root.querySelector('#enrol-camera'), {
      startLabel: t('enrol_scan'), hint: t('enrol_scan_hint'),
      onCode: (text) => {
        const found = classify(text);
        if (found.kind !== 'enrol') {
          camera.overlay(html`${icon('block', 'icon icon-xl')}<p class="overlay-title">${t('enrol_not_code')}</p>`, 'rejected', 1800);
          return;
        }
        camera.stop();
        root.querySelector('#enrol-code').value = groups(found.value);
        this.enrol(found.value);
      },
    });
    this.camera = camera;
    root.querySelector('#enrol-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = root.querySelector('#enrol-code').value;
      const typed = enrolmentCode(value) || value.replace(/[\s-]+/g, '').toUpperCase();
      if (!/^[A-Z0-9]{4,64}$/.test(typed)) {
        this.error = t('enrol_code_invalid');
        setHTML(root.querySelector('#enrol-error'), this.error);
        root.querySelector('#enrol-code').focus();
        return;
      }
      this.enrol(typed);
    });
  }

  async enrol(code) {
    if (this.busy) return;
    this.busy = true;
    this.error = '';
    const button = this.root.querySelector('#enrol-form button');
    button.disabled = true;
    button.textContent = t('enrolling');
    let response = null;
    try {
      response = await fetch('/api/volunteers/enrol', {
        method: 'POST', cache: 'no-store', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ code }),
      });
    } catch { /* offline */ }
    this.busy = false;
    if (this.closed) return;
    if (response && response.status === 201) {
      const body = await response.json();
      const volunteer = { device_id: body.device_id, token: body.token, venues: body.venues, venue: body.venues[0],
        enrolled_at: new Date(this.app.now()).toISOString() };
      await this.store.setMeta('volunteer', volunteer);
      this.sync.gone = false;
      this.sync.failures = 0;
      this.sync.run(); // scans kept from an earlier enrolment go up under the new device
      this.onEnrolled(volunteer);
      return;
    }
    this.error = response?.status === 404 ? t('enrol_unknown') : await problem(response);
    this.render(this.volunteer, this.code);
    this.root.querySelector('#enrol-code').focus();
  }

  /** The screen is gone: the camera stops, and an answer still to come changes nothing. */
  close() {
    this.closed = true;
    this.camera?.stop();
  }
}
