// Volunteer enrolment: organisers make a code for some venues (POST /api/organiser/enrolment-codes) and show it as
// a QR code drawn here (it holds the app's #/enrol/CODE link, so a volunteer's phone camera opens the app on
// it), or read it out in groups of four. Below, the volunteer devices, which an organiser can revoke.

import { dayLong, dayTab, t, tr } from '../../lib/i18n.js';
import { qrSvg } from '../../lib/qr.js';
import { dayOf, timeOf } from '../../lib/time.js';
import { groups, SignedOut } from '../checkin/ui.js';
import { html, raw, setHTML } from '../core/dom.js';

const MAX_DAYS = 30;

/** The code in its groups of four, each kept whole: a narrow screen may break the line between groups only, so
 * whoever reads it out never splits one. */
const codeGroups = (code) => groups(code).split(/(?<=-)/).map((g, i) => html`${i ? html`<wbr>` : ''}<span class="code-group">${g}</span>`);

export function codesView(app, { json }) {
  let root;
  let gone = false;
  let created = null;
  let volunteers = [];

  const venueName = (id) => tr(app.programme.venues.get(id)?.name) || id;
  const when = (iso) => {
    const tab = dayTab(dayOf(iso, app.zone));
    return `${tab.weekday} ${tab.date} ${timeOf(iso, app.zone)}`;
  };

  /** Choices for how long a code serves: today, tomorrow, the end of the festival, a week (all < 30 days). */
  function expiries() {
    const now = app.now();
    const endOf = (day) => Date.parse(`${day}T23:59:00+07:00`);
    const today = dayOf(now, app.zone);
    const tomorrow = dayOf(now + 86400_000, app.zone);
    const last = app.programme.days[app.programme.days.length - 1];
    const options = [[endOf(today), t('expires_today')], [endOf(tomorrow), t('expires_tomorrow')]];
    if (last > tomorrow && endOf(last) - now < MAX_DAYS * 86400_000) options.push([endOf(last), t('expires_festival', { day: dayLong(last) })]);
    options.push([now + 7 * 86400_000, t('expires_week')]);
    return options.filter(([at]) => at > now);
  }

  function render() {
    const venues = [...app.programme.venues.values()].sort((a, b) => tr(a.name).localeCompare(tr(b.name), app.lang()));
    setHTML(root, html`<form class="org-form" id="code-form" action="#" novalidate>
        <h2 class="section-title">${t('codes_new')}</h2>
        <p class="small muted">${t('codes_intro')}</p>
        <fieldset class="block">
          <legend>${t('codes_venues')}</legend>
          <ul class="pick-list" role="list">${venues.map((v) => html`<li><label class="check"><input type="checkbox" name="venue" value="${v.id}"><span>${tr(v.name)}</span></label></li>`)}</ul>
        </fieldset>
        <div class="selects">
          <div class="field"><label for="code-expires">${t('codes_expires')}</label>
            <select id="code-expires" name="expires">${expiries().map(([at, label], i) => html`<option value="${at}" ${i === 0 ? 'selected' : ''}>${label}</option>`)}</select></div>
          <div class="field"><label for="code-uses">${t('codes_uses')}</label>
            <input id="code-uses" name="uses" type="number" min="1" max="10000" inputmode="numeric" placeholder="${t('codes_unlimited')}"></div>
        </div>
        <p class="form-error" id="code-error" role="alert"></p>
        <button type="submit" class="btn btn-primary btn-wide">${t('codes_create')}</button>
      </form>
      <div id="code-result" aria-live="polite"></div>
      <section class="block" aria-labelledby="vols-title">
        <h2 class="section-title" id="vols-title">${t('codes_devices')}</h2>
        <ul class="vol-list" id="vol-list" role="list"></ul>
      </section>`);
    root.querySelector('#code-form').addEventListener('submit', create);
    showVolunteers();
  }

  async function create(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const error = root.querySelector('#code-error');
    const venueIds = [...form.querySelectorAll('input[name=venue]:checked')].map((i) => i.value);
    if (!venueIds.length) {
      setHTML(error, t('codes_need_venue'));
      form.querySelector('input[name=venue]').focus();
      return;
    }
    const body = { venue_ids: venueIds, expires_at: new Date(Number(form.expires.value)).toISOString() };
    if (form.uses.value) body.max_uses = Number(form.uses.value);
    setHTML(error, '');
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      created = await json('/api/organiser/enrolment-codes', { method: 'POST', body });
      showCreated();
      form.reset();
    } catch (e) {
      if (!(e instanceof SignedOut)) setHTML(error, e.message);
    } finally {
      button.disabled = false;
    }
  }

  function showCreated() {
    const box = root.querySelector('#code-result');
    setHTML(box, html`<section class="code-card" aria-labelledby="code-title">
      <h2 class="section-title" id="code-title" tabindex="-1">${t('codes_ready')}</h2>
      <div class="code-qr">${raw(qrSvg(created.enrol_url, { label: t('codes_qr_label') }))}</div>
      <p class="code-text" translate="no" data-code="${created.code}">${codeGroups(created.code)}</p>
      <p class="small">${t('codes_for', { venues: created.venue_ids.map(venueName).join(', ') })}</p>
      <p class="small muted">${t('codes_until', { when: when(created.expires_at) })}${created.max_uses ? ` · ${t('codes_max', { n: created.max_uses })}` : ''}</p>
      <p class="small muted">${t('codes_once')}</p>
      <div class="button-row">
        <button type="button" class="btn btn-secondary" id="code-copy">${t('codes_copy')}</button>
        <button type="button" class="btn btn-secondary" id="code-print">${t('codes_print')}</button>
      </div>
    </section>`);
    box.querySelector('#code-copy').addEventListener('click', async (event) => {
      try {
        await navigator.clipboard.writeText(created.enrol_url);
        event.target.textContent = t('codes_copied');
      } catch {
        event.target.textContent = created.enrol_url;
      }
    });
    box.querySelector('#code-print').addEventListener('click', () => window.print());
    box.querySelector('#code-title').focus();
    loadVolunteers();
  }

  function showVolunteers() {
    const list = root?.querySelector('#vol-list');
    if (!list) return;
    setHTML(list, volunteers.length ? volunteers.map((v) => html`<li class="vol-item${v.revoked_at ? ' is-revoked' : ''}">
        <span><strong translate="no">${v.device_id.slice(0, 8)}</strong> · ${v.venues.map(venueName).join(', ')}
          <span class="small muted"> · ${t('codes_enrolled', { when: when(v.enrolled_at) })}</span>
          ${v.revoked_at ? html`<span class="chip chip-muted">${t('codes_revoked')}</span>` : ''}</span>
        ${v.revoked_at ? '' : html`<button type="button" class="btn btn-small btn-secondary" data-revoke="${v.device_id}"
          aria-label="${t('codes_revoke_label', { id: v.device_id.slice(0, 8) })}">${t('codes_revoke')}</button>`}</li>`)
      : html`<li class="muted small">${t('codes_no_devices')}</li>`);
    for (const button of list.querySelectorAll('[data-revoke]')) {
      button.addEventListener('click', async () => {
        if (!confirm(t('codes_revoke_confirm'))) return;
        try {
          await json(`/api/organiser/volunteers/${encodeURIComponent(button.dataset.revoke)}/revoke`, { method: 'POST' });
        } catch { /* shown by the list below */ }
        loadVolunteers();
      });
    }
  }

  async function loadVolunteers() {
    try {
      volunteers = (await json('/api/organiser/volunteers')).sort((a, b) => (a.enrolled_at < b.enrolled_at ? 1 : -1));
    } catch {
      return;
    }
    if (!gone) showVolunteers();
  }

  return {
    mount(container) {
      root = container;
      render();
      loadVolunteers();
    },
    unmount() {
      gone = true;
    },
  };
}
