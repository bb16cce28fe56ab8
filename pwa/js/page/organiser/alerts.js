// Organisers' alerts: compose one (titles and texts in Vietnamese and English, a link, who gets it, urgency, how
// long a push service may hold it, now or later), send it (POST /api/organiser/alerts), and watch its delivery
// counts (GET /api/organiser/alerts/{id}, polled while it is being sent). The recent alerts below, with their counts.

import { dayTab, t, tr } from '../../lib/i18n.js';
import { TOPICS } from '../../lib/push.js';
import { fold } from '../../lib/search.js';
import { dayOf, timeOf } from '../../lib/time.js';
import { SignedOut } from '../checkin/ui.js';
import { html, icon, setHTML } from '../core/dom.js';

const TTLS = [[3600, 'ttl_1h'], [6 * 3600, 'ttl_6h'], [86400, 'ttl_1d'], [3 * 86400, 'ttl_3d'], [7 * 86400, 'ttl_7d']];
const URGENCIES = ['very-low', 'low', 'normal', 'high'];
const TARGETS = ['all', 'venues', 'events', 'topics'];
// A delivery card's time: only a sent alert was sent; a cancelled one says when it would have been
const SEND_LINE = { scheduled: 'org_scheduled_for', cancelled: 'org_cancelled_was' };
const POLL_MS = 2000;
const POLL_SCHEDULED_MS = 15_000;
const MAX_EVENTS = 60; // rows of the events picker: the whole programme is too long to scroll on a phone
const FESTIVAL_OFFSET = '+07:00'; // Asia/Ho_Chi_Minh keeps no daylight saving time

export function alertsView(app, { json }) {
  let root;
  let target = 'all';
  let watching = null; // the alert whose counts are shown
  let pollTimer = null;
  let stats = null;
  let recent = [];
  let gone = false;
  let sending = false;
  // The pickers' ticks live here, not in their checkboxes: a filter redraws the list, and so do the topics' counts
  const chosen = { venues: new Set(), events: new Set(), topics: new Set() };

  const when = (iso) => {
    const tab = dayTab(dayOf(iso, app.zone));
    return `${tab.weekday} ${tab.date} ${timeOf(iso, app.zone)}`;
  };

  /** Events from the festival's today on first (an alert is most likely about them), then the earlier days, the
   * latest first: the list is cut, and the first festival day's events are the least likely to need one. */
  function eventsByRelevance() {
    const today = app.today();
    const byStart = [...app.programme.events].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
    const ahead = byStart.filter((e) => dayOf(e.ends_at, app.zone) >= today);
    const before = byStart.filter((e) => dayOf(e.ends_at, app.zone) < today).reverse();
    return [...ahead, ...before];
  }

  /** The picker's rows that match the filter, ticked as chosen, and how many matched before the list was cut. */
  function pickList(kind, filter = '') {
    const q = fold(filter);
    const ticked = (id) => (chosen[kind].has(id) ? 'checked' : '');
    if (kind === 'venues') {
      const venues = [...app.programme.venues.values()].filter((v) => !q || fold(tr(v.name)).includes(q));
      const rows = venues.map((v) => html`<li><label class="check"><input type="checkbox" name="venue" value="${v.id}" ${ticked(v.id)}><span>${tr(v.name)}</span></label></li>`);
      return { rows, total: rows.length };
    }
    if (kind === 'events') {
      const events = eventsByRelevance().filter((e) => !q || fold(tr(e.title)).includes(q));
      const rows = events.slice(0, MAX_EVENTS).map((e) => html`<li><label class="check"><input type="checkbox" name="event" value="${e.id}" ${ticked(e.id)}>
        <span>${tr(e.title)} <span class="small muted">· ${when(e.starts_at)}</span></span></label></li>`);
      return { rows, total: events.length };
    }
    const rows = TOPICS.map((topic) => html`<li><label class="check"><input type="checkbox" name="topic" value="${topic}" ${ticked(topic)}>
      <span>${t(`topic_${topic}`)}${stats ? html` <span class="small muted">· ${t('org_subscribers', { n: stats.topics[topic] || 0 })}</span>` : ''}</span></label></li>`);
    return { rows, total: rows.length };
  }

  /** Says so when rows are left out, or the organiser takes a missing event for one that is not there. */
  const cutNote = ({ rows, total }) => (rows.length < total ? t('org_list_cut', { shown: rows.length, total }) : '');

  function showPickList(filter) {
    const list = pickList(target, filter);
    setHTML(root.querySelector('#pick-list'), list.rows);
    setHTML(root.querySelector('#pick-note'), cutNote(list));
  }

  function pickerHTML() {
    if (target === 'all') {
      return html`<p class="small muted">${stats ? t('org_all_subscribers', { n: stats.subscriptions }) : t('org_all_hint')}</p>`;
    }
    const filterable = target !== 'topics';
    const list = pickList(target);
    return html`${filterable ? html`<div class="field"><label for="pick-filter">${t(`org_filter_${target}`)}</label>
        <input id="pick-filter" type="search" autocomplete="off" aria-describedby="pick-note"></div>` : ''}
      <p class="small muted" id="pick-note" role="status">${cutNote(list)}</p>
      <ul class="pick-list" id="pick-list" role="list" aria-label="${t(`org_target_${target}`)}">${list.rows}</ul>`;
  }

  function render() {
    const defaultSend = new Date(app.now() + 3600_000);
    setHTML(root, html`<form class="org-form" id="alert-form" action="#" novalidate>
        <h2 class="section-title">${t('org_new_alert')}</h2>
        <div class="two-langs">
          <div class="field"><label for="title-vi">${t('org_title_vi')}</label><input id="title-vi" name="title_vi" lang="vi" maxlength="120" required></div>
          <div class="field"><label for="title-en">${t('org_title_en')}</label><input id="title-en" name="title_en" lang="en" maxlength="120" required></div>
          <div class="field"><label for="body-vi">${t('org_body_vi')}</label><textarea id="body-vi" name="body_vi" lang="vi" rows="3" maxlength="1000"></textarea></div>
          <div class="field"><label for="body-en">${t('org_body_en')}</label><textarea id="body-en" name="body_en" lang="en" rows="3" maxlength="1000"></textarea></div>
        </div>
        <div class="field"><label for="alert-url">${t('org_url')}</label>
          <input id="alert-url" name="url" inputmode="url" autocomplete="off" placeholder="/#/events/…" aria-describedby="url-help">
          <p class="small muted" id="url-help">${t('org_url_help')}</p></div>
        <fieldset class="block">
          <legend>${t('org_target')}</legend>
          <div class="segmented segmented-4">${TARGETS.map((key) => html`<label class="segment"><input type="radio" name="target" value="${key}" ${key === target ? 'checked' : ''}>
            <span>${t(`org_target_${key}`)}</span></label>`)}</div>
          <div id="picker" class="picker">${pickerHTML()}</div>
        </fieldset>
        <div class="selects">
          <div class="field"><label for="urgency">${t('org_urgency')}</label>
            <select id="urgency" name="urgency">${URGENCIES.map((u) => html`<option value="${u}" ${u === 'normal' ? 'selected' : ''}>${t(`urgency_${u}`)}</option>`)}</select></div>
          <div class="field"><label for="ttl">${t('org_ttl')}</label>
            <select id="ttl" name="ttl">${TTLS.map(([s, key]) => html`<option value="${s}" ${s === 86400 ? 'selected' : ''}>${t(key)}</option>`)}</select></div>
        </div>
        <fieldset class="block">
          <legend>${t('org_when')}</legend>
          <div class="segmented"><label class="segment"><input type="radio" name="when" value="now" checked><span>${t('org_now')}</span></label>
            <label class="segment"><input type="radio" name="when" value="later"><span>${t('org_later')}</span></label></div>
          <div class="field" id="send-at-field" hidden><label for="send-at">${t('org_send_at')}</label>
            <input id="send-at" name="send_at" type="datetime-local" value="${localInput(defaultSend)}"></div>
        </fieldset>
        <p class="form-error" id="alert-error" role="alert"></p>
        <button type="submit" class="btn btn-primary btn-wide" id="alert-send">${icon('send')}<span>${t('org_send')}</span></button>
      </form>
      <section class="block" aria-labelledby="delivery-title" id="delivery" hidden>
        <h2 class="section-title" id="delivery-title">${t('org_delivery')}</h2>
        <div id="delivery-body" role="status" aria-live="polite"></div>
      </section>
      <section class="block" aria-labelledby="recent-title">
        <h2 class="section-title" id="recent-title">${t('org_recent')}</h2>
        <ul class="alert-list" id="recent" role="list"></ul>
      </section>`);
    const form = root.querySelector('#alert-form');
    form.addEventListener('change', (event) => {
      if (event.target.name === 'target') {
        target = event.target.value;
        setHTML(root.querySelector('#picker'), pickerHTML());
      }
      if (event.target.name === 'when') root.querySelector('#send-at-field').hidden = event.target.value !== 'later';
      if (event.target.closest('#pick-list')) {
        if (event.target.checked) chosen[target].add(event.target.value);
        else chosen[target].delete(event.target.value);
      }
    });
    form.addEventListener('input', (event) => {
      if (event.target.id === 'pick-filter') showPickList(event.target.value);
    });
    form.addEventListener('submit', send);
    showRecent();
  }

  /** A Date as the value of a datetime-local field, in the festival's time. */
  function localInput(date) {
    const day = dayOf(date, app.zone);
    return `${day}T${timeOf(date, app.zone)}`;
  }

  function fail(message, field) {
    const box = root.querySelector('#alert-error');
    setHTML(box, message);
    field?.focus();
  }

  async function send(event) {
    event.preventDefault();
    if (sending) return;
    const form = event.currentTarget;
    const value = (name) => form.elements[name]?.value.trim() || '';
    if (!value('title_vi')) return fail(t('org_need_title'), form.elements.title_vi);
    if (!value('title_en')) return fail(t('org_need_title'), form.elements.title_en);
    const body = {
      title: { vi: value('title_vi'), en: value('title_en') },
      body: { vi: value('body_vi'), en: value('body_en') },
      urgency: value('urgency'),
      ttl: Number(value('ttl')),
    };
    if (value('url')) body.url = value('url');
    if (target === 'all') body.target = { all: true };
    else {
      // every tick, shown or not: the filter hides rows, never a choice
      const ids = [...chosen[target]];
      if (!ids.length) return fail(t('org_need_target'), form.querySelector('#pick-list input'));
      body.target = { [target]: ids };
    }
    if (form.elements.when.value === 'later') {
      const at = value('send_at');
      if (!at) return fail(t('org_need_time'), form.elements.send_at);
      body.send_at = `${at}:00${FESTIVAL_OFFSET}`;
    }
    sending = true;
    const button = root.querySelector('#alert-send');
    button.disabled = true;
    fail('');
    try {
      const created = await json('/api/organiser/alerts', { method: 'POST', body });
      form.reset();
      target = 'all';
      for (const ticks of Object.values(chosen)) ticks.clear();
      setHTML(root.querySelector('#picker'), pickerHTML());
      root.querySelector('#send-at-field').hidden = true;
      watch(created.id);
      root.querySelector('#delivery-title').focus?.();
      loadRecent();
    } catch (error) {
      if (!(error instanceof SignedOut)) fail(error.message);
    } finally {
      sending = false;
      if (button.isConnected) button.disabled = false;
    }
    return undefined;
  }

  function countsHTML(alert) {
    const c = alert.counts;
    const total = c.total || 0;
    const done = c.sent + c.failed + c.gone;
    const share = total ? Math.round((100 * done) / total) : alert.status === 'done' ? 100 : 0;
    return html`<div class="delivery-card" data-alert="${alert.id}" data-status="${alert.status}">
      <p class="delivery-title"><strong>${tr(alert.title)}</strong> <span class="chip chip-status-${alert.status}">${t(`status_${alert.status}`)}</span></p>
      <p class="small muted">${t(SEND_LINE[alert.status] || 'org_sent_at', { when: when(alert.send_at) })}
        · ${t(`target_summary_${Object.keys(alert.target)[0]}`, { n: Array.isArray(Object.values(alert.target)[0]) ? Object.values(alert.target)[0].length : '' })}</p>
      <div class="meter" role="progressbar" aria-label="${t('org_delivered')}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${share}">
        <span data-share="${share}"></span></div>
      <p class="delivery-sum">${t('org_sent_sum', { sent: c.sent, total })}</p>
      <dl class="counts">
        <div><dt>${t('count_sent')}</dt><dd data-count="sent">${c.sent}</dd></div>
        <div><dt>${t('count_queued')}</dt><dd data-count="queued">${c.queued}</dd></div>
        <div><dt>${t('count_failed')}</dt><dd data-count="failed">${c.failed}</dd></div>
        <div><dt>${t('count_gone')}</dt><dd data-count="gone">${c.gone}</dd></div>
      </dl>
      ${Object.keys(alert.failures || {}).length ? html`<p class="small muted">${t('org_failures')}: ${Object.entries(alert.failures).map(([r, n]) => `${r} (${n})`).join(', ')}</p>` : ''}
      ${alert.status === 'scheduled' ? html`<button type="button" class="btn btn-small btn-secondary" data-cancel="${alert.id}">${t('org_cancel')}</button>` : ''}
    </div>`;
  }

  async function watch(id) {
    clearTimeout(pollTimer);
    try {
      watching = await json(`/api/organiser/alerts/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof SignedOut || gone) return;
      pollTimer = setTimeout(() => watch(id), POLL_SCHEDULED_MS);
      return;
    }
    if (gone) return;
    const section = root.querySelector('#delivery');
    section.hidden = false;
    setHTML(root.querySelector('#delivery-body'), countsHTML(watching));
    section.querySelector('[data-cancel]')?.addEventListener('click', () => cancel(id));
    if (watching.status === 'sending' || watching.status === 'scheduled') {
      pollTimer = setTimeout(() => watch(id), watching.status === 'sending' ? POLL_MS : POLL_SCHEDULED_MS);
    } else {
      loadRecent();
    }
  }

  async function cancel(id) {
    if (!confirm(t('org_cancel_confirm'))) return;
    try {
      await json(`/api/organiser/alerts/${encodeURIComponent(id)}`, { method: 'DELETE' });
    } catch (error) {
      if (!(error instanceof SignedOut)) fail(error.message);
    }
    watch(id);
    loadRecent();
  }

  function showRecent() {
    const list = root?.querySelector('#recent');
    if (!list) return;
    setHTML(list, recent.length ? recent.map((a) => html`<li><button type="button" class="alert-row" data-watch="${a.id}">
        <span class="alert-row-title">${tr(a.title)}</span>
        <span class="small muted">${when(a.send_at)} · <span class="chip chip-status-${a.status}">${t(`status_${a.status}`)}</span>
          · ${t('org_sent_of', { sent: a.counts.sent, total: a.counts.total })}</span></button></li>`)
      : html`<li class="muted small">${t('org_no_alerts')}</li>`);
    for (const button of list.querySelectorAll('[data-watch]')) {
      button.addEventListener('click', () => {
        watch(button.dataset.watch);
        root.querySelector('#delivery').scrollIntoView({ block: 'start' });
      });
    }
  }

  async function loadRecent() {
    try {
      recent = await json('/api/organiser/alerts?kind=alert&limit=10');
    } catch {
      return;
    }
    if (!gone) showRecent();
  }

  async function loadStats() {
    try {
      stats = await json('/api/organiser/push/stats');
    } catch {
      return;
    }
    if (gone) return;
    const picker = root.querySelector('#picker');
    if (picker && (target === 'all' || target === 'topics')) setHTML(picker, pickerHTML());
  }

  return {
    mount(container) {
      root = container;
      render();
      loadRecent();
      loadStats();
    },
    unmount() {
      gone = true;
      clearTimeout(pollTimer);
    },
  };
}
