// Volunteer mode. Enrolment: an organiser's code, typed or scanned (its QR opens #/enrol/CODE), makes this phone a
// volunteer device for some venues, with a token of its own (lib/staff.js), separate from the attendee's.
// The scanner: the camera (or a typed code) reads a pass. Online, the server judges it (lib/live-scan.js), since
// only the server knows what the other entrances let in; when it cannot answer within a moment, the phone judges
// it offline (lib/checkin.js), says so on the verdict, and queues the scan in the volunteer's outbox as a
// `checkin.scan` mutation with the same scan id, uploaded when the server is back. The verdict shows in colour,
// with a sound and a vibration. An offline verdict the server overrules at upload (another entrance had let the
// pass in) raises an alert until dismissed (overruled.js). A badge counts the scans waiting; the venue's occupancy
// shows when online.

import { classify, enrolmentCode, judgeScan, passKeys, revokedPasses } from '../../lib/checkin.js';
import { t, tr } from '../../lib/i18n.js';
import { checkOnline } from '../../lib/live-scan.js';
import { dayOf, timeOf } from '../../lib/time.js';
import { uuid7 } from '../../lib/uuid7.js';
import { html, icon, setHTML } from '../core/dom.js';
import { CameraBox } from './camera.js';
import { OverruledAlerts } from './overruled.js';
import {
  draw, feedback, groups, levelBadge, online, problem, reasonWords, staff, unlockAudio, VERDICT_ICONS, verdictWords,
} from './ui.js';

const OCCUPANCY_EVERY_MS = 20_000;
const LOG_SIZE = 8;

export function volunteerScreen(app, params) {
  let root;
  let store;
  let sync;
  let volunteer = null;
  let scans = [];
  let camera = null;
  let alerts = null;
  let judging = Promise.resolve(); // scans are judged one after another, in the order they were read
  let gone = false;
  let occupancy = null;
  let occupancyTimer = null;
  let enrolError = '';
  let enrolling = false;
  const listeners = [];

  const venueName = (id) => tr(app.programme.venues.get(id)?.name) || id;
  const isEnrolled = () => volunteer && !volunteer.gone && !params.code;

  function listen(target, type, fn) {
    target.addEventListener(type, fn);
    listeners.push(() => target.removeEventListener(type, fn));
  }

  // --- enrolment --------------------------------------------------------------------------------------------------

  function renderEnrol() {
    camera?.stop();
    const code = params.code ? groups(enrolmentCode(params.code) || params.code) : '';
    draw(root, html`<section class="screen volunteer-screen">
      <h1 id="screen-title" tabindex="-1">${t('volunteer_title')}</h1>
      ${volunteer?.gone ? html`<p class="banner banner-warn" role="alert">${icon('warning')}<span>${t('volunteer_gone')}</span></p>` : ''}
      ${volunteer && !volunteer.gone && params.code ? html`<p class="banner banner-info">${icon('badge')}<span>${t('volunteer_already', { venues: volunteer.venues.map(venueName).join(', ') })}</span></p>` : ''}
      <p>${t('volunteer_intro')}</p>
      <form class="enrol-form" id="enrol-form" action="#" novalidate>
        <label for="enrol-code">${t('enrol_code')}</label>
        <input id="enrol-code" name="code" value="${code}" autocomplete="off" autocapitalize="characters" spellcheck="false"
          placeholder="ABCD-EFGH-JKMN-PQRS" aria-describedby="enrol-error" required>
        <button type="submit" class="btn btn-primary btn-wide" ${enrolling ? 'disabled' : ''}>${enrolling ? t('enrolling') : t('enrol_button')}</button>
        <p class="form-error" id="enrol-error" role="alert">${enrolError}</p>
      </form>
      <p class="divider"><span>${t('or')}</span></p>
      <div id="enrol-camera"></div>
      ${volunteer && !volunteer.gone && params.code ? html`<p><a class="btn btn-secondary btn-wide" href="#/volunteer">${t('volunteer_keep')}</a></p>` : ''}
    </section>`);
    camera = new CameraBox(root.querySelector('#enrol-camera'), {
      startLabel: t('enrol_scan'), hint: t('enrol_scan_hint'),
      onCode: (text) => {
        const found = classify(text);
        if (found.kind !== 'enrol') {
          camera.overlay(html`${icon('block', 'icon icon-xl')}<p class="overlay-title">${t('enrol_not_code')}</p>`, 'rejected', 1800);
          return;
        }
        camera.stop();
        root.querySelector('#enrol-code').value = groups(found.value);
        enrol(found.value);
      },
    });
    root.querySelector('#enrol-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = root.querySelector('#enrol-code').value;
      const code = enrolmentCode(value) || value.replace(/[\s-]+/g, '').toUpperCase();
      if (!/^[A-Z0-9]{4,64}$/.test(code)) {
        enrolError = t('enrol_code_invalid');
        setHTML(root.querySelector('#enrol-error'), enrolError);
        root.querySelector('#enrol-code').focus();
        return;
      }
      enrol(code);
    });
  }

  async function enrol(code) {
    if (enrolling) return;
    enrolling = true;
    enrolError = '';
    const button = root.querySelector('#enrol-form button');
    button.disabled = true;
    button.textContent = t('enrolling');
    let response = null;
    try {
      response = await fetch('/api/volunteers/enrol', {
        method: 'POST', cache: 'no-store', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ code }),
      });
    } catch { /* offline */ }
    enrolling = false;
    if (gone) return;
    if (response && response.status === 201) {
      const body = await response.json();
      volunteer = { device_id: body.device_id, token: body.token, venues: body.venues, venue: body.venues[0],
        enrolled_at: new Date(app.now()).toISOString() };
      await store.setMeta('volunteer', volunteer);
      sync.gone = false;
      sync.failures = 0;
      sync.run(); // scans kept from an earlier enrolment go up under the new device
      if (params.code) {
        params = {};
        history.replaceState(null, '', '#/volunteer');
      }
      renderScanner();
      root.querySelector('#screen-title')?.focus();
      return;
    }
    enrolError = response?.status === 404 ? t('enrol_unknown') : await problem(response);
    renderEnrol();
    root.querySelector('#enrol-code').focus();
  }

  // --- the scanner ------------------------------------------------------------------------------------------------

  function venueField() {
    if (volunteer.venues.length === 1) {
      return html`<p class="scan-venue-one">${icon('pin')}<span><span class="sr-only">${t('scan_venue')}: </span>${venueName(volunteer.venues[0])}</span></p>`;
    }
    return html`<div class="field scan-venue"><label for="scan-venue">${t('scan_venue')}</label>
      <select id="scan-venue">${volunteer.venues.map((id) => html`<option value="${id}" ${id === volunteer.venue ? 'selected' : ''}>${venueName(id)}</option>`)}</select></div>`;
  }

  function renderScanner() {
    camera?.stop();
    if (!volunteer.venues.includes(volunteer.venue)) volunteer.venue = volunteer.venues[0];
    draw(root, html`<section class="screen scan-screen">
      <div class="scan-head">
        <h1 id="screen-title" tabindex="-1">${t('scanner_title')}</h1>
        <span id="outbox-badge"></span>
      </div>
      <div class="scan-alerts" id="scan-alerts"></div>
      ${venueField()}
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
    camera = new CameraBox(root.querySelector('#scan-camera'), {
      startLabel: t('scan_start'), hint: t('scan_start_hint'), onCode: (text, at) => judgeInTurn(text, at),
    });
    alerts = new OverruledAlerts(root.querySelector('#scan-alerts'), { zone: app.zone, dismiss });
    root.querySelector('#scan-venue')?.addEventListener('change', async (event) => {
      volunteer = { ...volunteer, venue: event.target.value };
      await store.setMeta('volunteer', volunteer);
      camera.forget();
      occupancy = null;
      showOccupancy();
      loadOccupancy();
    });
    root.querySelector('#manual-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      unlockAudio();
      const field = root.querySelector('#manual-code');
      const text = field.value.trim();
      if (!text) return;
      const judged = await judgeInTurn(text, performance.now());
      if (judged) field.value = '';
    });
    root.querySelector('#upload-now').addEventListener('click', () => {
      sync.failures = 0;
      sync.run();
    });
    root.querySelector('#leave').addEventListener('click', leave);
    showBadge();
    showOccupancy();
    showLog();
    alerts.show(scans);
    loadOccupancy();
    clearInterval(occupancyTimer);
    occupancyTimer = setInterval(() => {
      if (document.visibilityState === 'visible') loadOccupancy();
    }, OCCUPANCY_EVERY_MS);
  }

  /** One code after another: a second pass read while the server judges the first waits its turn. */
  function judgeInTurn(text, detectedAt) {
    const turn = judging.then(() => handle(text, detectedAt));
    judging = turn.catch(() => {});
    return turn;
  }

  /** A code read by the camera or typed: judged, shown, recorded. → whether the code was judged (a pass the
   *  server refused to judge was not, so a typed one stays in its field to try again). */
  async function handle(text, detectedAt) {
    const code = classify(text);
    if (code.kind !== 'pass' || code.value.length > 200) {
      show({ verdict: 'rejected', reason: code.kind === 'stamp' ? 'stamp_not_pass' : 'not_a_pass' }, detectedAt);
      return false;
    }
    const nowMs = app.now();
    const scan = { id: uuid7(), pass_id: null, venue_id: volunteer.venue, day: dayOf(nowMs, app.zone),
      scanned_at: new Date(nowMs).toISOString() };
    if (online()) {
      showChecking();
      const answer = await checkOnline({ scan: { ...scan, pass_token: code.value }, token: volunteer.token });
      if (answer.kind === 'refused') {
        show({ verdict: 'refused', reason: answer.reason }, detectedAt);
        return false; // nothing recorded: the server judged nothing, and the phone must not instead
      }
      if (answer.kind === 'verdict') {
        Object.assign(scan, { pass_id: answer.pass_id, verdict: answer.verdict, reason: answer.reason, checked: 'server',
          server: { status: 'live', verdict: answer.verdict, reason: answer.reason, conflicts: [], pass_id: answer.pass_id } });
        if (answer.occupancy) occupancy = answer.occupancy;
        show(scan, detectedAt, scan);
        scans.push(scan);
        await store.keepScan(scan);
        showOccupancy();
        showLog();
        return true;
      }
    }
    await judgeOffline(code.value, scan, nowMs, detectedAt);
    return true;
  }

  /** The phone's own verdict, shown as such; the scan is queued for the server to judge when it is back. */
  async function judgeOffline(token, scan, nowMs, detectedAt) {
    let result;
    try {
      result = await judgeScan({
        token, venueId: scan.venue_id, venues: volunteer.venues, keys: passKeys(app.programme),
        revoked: revokedPasses(app.programme), scans, nowMs, zone: app.zone,
      });
    } catch {
      result = { verdict: 'unverified', reason: null, pass_id: null }; // no Ed25519 in this browser: the server judges
    }
    Object.assign(scan, { pass_id: result.pass_id, verdict: result.verdict, reason: result.reason || null, checked: 'phone' });
    show(scan, detectedAt, scan);
    scans.push(scan);
    // `offline`: judged without the server, whether the phone had no signal or the server no answer in time
    const args = { pass_token: token, venue_id: scan.venue_id, scanned_at: scan.scanned_at, offline: true };
    if (result.verdict !== 'unverified') args.verdict_shown = result.verdict === 'accepted' ? 'accepted' : result.reason;
    await store.recordScan({ id: scan.id, name: 'checkin.scan', args, at: scan.scanned_at }, scan);
    sync.status.pending += 1;
    showBadge();
    showLog();
    sync.run();
  }

  /** The scan was read; the server is judging it (at most LIVE_SCAN_TIMEOUT_MS). */
  function showChecking() {
    if (gone) return;
    camera.overlay(html`<div class="spinner" aria-hidden="true"></div><p class="overlay-detail">${t('verdict_checking')}</p>`, 'checking', 0);
    const box = root.querySelector('#verdict');
    box.className = 'verdict verdict-checking';
    box.dataset.verdict = 'checking';
    box.dataset.reason = '';
    delete box.dataset.checked;
    setHTML(box, html`<span>${t('verdict_checking')}</span>`);
  }

  /** A verdict ({verdict, reason, pass_id?, checked?}) in the camera's overlay and the verdict panel, with its
   *  sound; a verdict of the phone's own (`checked: 'phone'`) says it was an offline check. */
  function show(result, detectedAt, scan = null) {
    if (gone) return;
    const words = verdictWords(result.verdict, result.reason);
    const passLine = result.pass_id ? t('pass_line', { id: result.pass_id }) : '';
    const offline = result.checked === 'phone';
    camera.overlay(html`${offline ? html`<p class="overlay-source">${t('verdict_offline')}</p>` : ''}
      ${icon(VERDICT_ICONS[words.kind], 'icon icon-xl')}
      <p class="overlay-title">${words.title}</p><p class="overlay-detail">${words.detail}</p>
      ${passLine ? html`<p class="overlay-pass" translate="no">${passLine}</p>` : ''}`, words.kind, 2600);
    const box = root.querySelector('#verdict');
    box.className = `verdict verdict-${words.kind}`;
    box.dataset.verdict = result.verdict;
    box.dataset.reason = result.reason || '';
    box.dataset.ms = String(Math.round(performance.now() - detectedAt));
    if (result.checked) box.dataset.checked = result.checked;
    else delete box.dataset.checked;
    if (scan) box.dataset.scan = scan.id;
    setHTML(box, html`${icon(VERDICT_ICONS[words.kind])}<span>${offline ? html`<span class="verdict-source">${t('verdict_offline')}</span>` : ''}<strong>${words.title}</strong> · ${words.detail}${passLine ? ` · ${passLine}` : ''}
      ${offline ? html`<span class="verdict-hint">${t('verdict_offline_hint')}</span>` : ''}</span>`);
    feedback(words.kind);
  }

  async function dismiss(id) {
    const at = new Date(app.now()).toISOString();
    const scan = scans.find((s) => s.id === id);
    if (scan) scan.dismissed_at = at;
    await store.dismissOverruled(id, at);
  }

  function showBadge() {
    const badge = root?.querySelector('#outbox-badge');
    if (!badge) return;
    const n = sync.status.pending;
    badge.className = `outbox-badge${n ? ' has-pending' : ''}`;
    badge.dataset.count = String(n);
    setHTML(badge, html`${icon(n ? 'upload' : 'check', 'icon icon-sm')}<span>${n ? t('outbox_pending', { n }) : t('outbox_empty')}</span>`);
  }

  function showOccupancy() {
    const box = root?.querySelector('#occupancy');
    if (!box) return;
    if (!online()) {
      setHTML(box, html`<p class="small muted">${t('occupancy_offline')}</p>`);
      return;
    }
    if (!occupancy || occupancy.venue_id !== volunteer.venue) {
      setHTML(box, html`<p class="small muted">${t('occupancy_loading')}</p>`);
      return;
    }
    const o = occupancy;
    const share = o.capacity ? Math.min(100, Math.round((100 * o.count) / o.capacity)) : null;
    setHTML(box, html`<div class="occupancy-line"><span>${o.capacity ? t('occupancy_of', { n: o.count, capacity: o.capacity }) : t('occupancy_n', { n: o.count })}</span>
      ${levelBadge(o)}</div>
      ${share !== null ? html`<div class="meter meter-${o.level}" aria-hidden="true"><span style="width:${share}%"></span></div>` : ''}`);
  }

  async function loadOccupancy() {
    if (!online() || !volunteer || gone) {
      showOccupancy();
      return;
    }
    const venueId = volunteer.venue;
    try {
      const response = await fetch(`/api/venues/${encodeURIComponent(venueId)}/occupancy`, { cache: 'no-store' });
      if (response.ok && venueId === volunteer.venue) occupancy = await response.json();
    } catch { /* offline */ }
    if (!gone) showOccupancy();
  }

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

  function showLog() {
    const list = root?.querySelector('#scan-log');
    if (!list) return;
    const recent = scans.slice(-LOG_SIZE).reverse();
    setHTML(list, recent.length ? recent.map((scan) => {
      const words = verdictWords(scan.verdict, scan.reason);
      return html`<li class="log-item log-${words.kind}" data-scan="${scan.id}">
        <span class="log-time">${timeOf(scan.scanned_at, app.zone)}</span>
        <span class="log-main"><strong>${words.title}</strong>${scan.pass_id ? html` · <span translate="no">${scan.pass_id}</span>` : ''}
          <span class="small muted"> · ${venueName(scan.venue_id)}</span></span>
        ${logState(scan)}</li>`;
    }) : html`<li class="muted small">${t('log_empty')}</li>`);
  }

  async function leave() {
    const pending = sync.status.pending;
    if (pending && !confirm(t('volunteer_leave_pending', { n: pending }))) return;
    if (!pending && !confirm(t('volunteer_leave_confirm'))) return;
    await store.setMeta('volunteer', null);
    volunteer = null;
    renderEnrol();
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
      listen(sync, 'status', () => showBadge());
      listen(sync, 'state', async () => {
        scans = await store.scans();
        if (gone) return;
        showLog();
        alerts?.show(scans);
        loadOccupancy();
      });
      const connection = () => {
        if (!isEnrolled() || !root.querySelector('#occupancy')) return;
        if (online()) loadOccupancy();
        else showOccupancy();
      };
      listen(window, 'online', connection);
      // a phone put away stops filming; the volunteer starts the camera again on coming back
      listen(document, 'visibilitychange', () => {
        if (document.visibilityState === 'hidden') camera?.stop();
      });
      listen(window, 'offline', connection);
      listen(sync, 'gone', async () => {
        volunteer = await store.meta('volunteer');
        if (!gone) renderEnrol();
      });
      if (isEnrolled()) renderScanner();
      else renderEnrol();
      if (volunteer && !volunteer.gone) sync.run();
    },
    unmount() {
      gone = true;
      camera?.stop();
      clearInterval(occupancyTimer);
      for (const off of listeners) off();
    },
  };
}
