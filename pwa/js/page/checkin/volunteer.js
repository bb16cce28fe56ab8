// Volunteer mode: the enrolment form (enrol.js) until an organiser's code makes this phone a volunteer device,
// then the scanner (scanview.js). The verdict shows in colour, with a sound and a vibration; an offline verdict the
// server overrules at upload raises an alert until dismissed (overruled.js). This module holds what outlives
// either view: the volunteer kept, the scans, and the listeners to the upload loop and the connection.

import { t, tr } from '../../lib/i18n.js';
import { html } from '../core/dom.js';
import { Enrolment } from './enrol.js';
import { ScannerView } from './scanview.js';
import { draw, staff } from './ui.js';

export function volunteerScreen(app, params) {
  let root;
  let store;
  let sync;
  let volunteer = null;
  let scans = [];
  let enrolment = null;
  let scanner = null; // while the scanner shows; else the enrolment form does
  let gone = false;
  const listeners = [];

  const venueName = (id) => tr(app.programme.venues.get(id)?.name) || id;
  const isEnrolled = () => volunteer && !volunteer.gone && !params.code;

  function listen(target, type, fn) {
    target.addEventListener(type, fn);
    listeners.push(() => target.removeEventListener(type, fn));
  }

  function showEnrolment() {
    scanner?.close();
    scanner = null;
    enrolment.render(volunteer, params.code);
  }

  function showScanner() {
    enrolment.camera?.stop();
    scanner = new ScannerView(root, { app, store, sync, volunteer, scans, venueName, onLeave: leave });
  }

  function enrolled(kept) {
    volunteer = kept;
    if (params.code) {
      params = {};
      history.replaceState(null, '', '#/volunteer');
    }
    showScanner();
    root.querySelector('#screen-title')?.focus();
  }

  async function leave() {
    const pending = sync.status.pending;
    if (pending && !confirm(t('volunteer_leave_pending', { n: pending }))) return;
    if (!pending && !confirm(t('volunteer_leave_confirm'))) return;
    await store.setMeta('volunteer', null);
    volunteer = null;
    showEnrolment();
    root.querySelector('#screen-title')?.focus();
  }

  return {
    title: t('volunteer_title'),
    async mount(container) {
      root = container;
      draw(root, html`<section class="screen waiting"><h1 id="screen-title" tabindex="-1">${t('volunteer_title')}</h1>
        <div class="spinner" aria-hidden="true"></div></section>`);
      ({ store, sync } = await staff(app));
      volunteer = await store.meta('volunteer');
      scans = await store.scans();
      store.prune(app.now()).catch(() => {});
      if (gone) return;
      enrolment = new Enrolment(root, { app, store, sync, venueName, onEnrolled: enrolled });
      listen(sync, 'status', () => scanner?.showBadge());
      listen(sync, 'state', async () => {
        scans = await store.scans();
        if (!gone) scanner?.useScans(scans);
      });
      const connection = () => scanner?.occupancy.load();
      listen(window, 'online', connection);
      // a phone put away stops filming; the volunteer starts the camera again on coming back
      listen(document, 'visibilitychange', () => {
        if (document.visibilityState === 'hidden') (scanner || enrolment).camera?.stop();
      });
      listen(window, 'offline', connection);
      listen(sync, 'gone', async () => {
        volunteer = await store.meta('volunteer');
        if (!gone) showEnrolment();
      });
      if (isEnrolled()) showScanner();
      else showEnrolment();
      if (volunteer && !volunteer.gone) sync.run();
    },
    unmount() {
      gone = true;
      enrolment?.close();
      scanner?.close();
      for (const off of listeners) off();
    },
  };
}
