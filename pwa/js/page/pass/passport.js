// The stamp passport: the attendee scans a venue's poster (an S1 stamp token) to collect its stamp, offline too
// (verified on the phone against the bundle's keys, sent as a `stamp.collect` mutation). The venues collected,
// from this phone and from the server's passport (GET /api/me/stamps) when online, and those still to find.

import { collectStamp, loadStamps, refreshStamps } from '../../lib/attendee.js';
import { classify } from '../../lib/checkin.js';
import { dayTab, kindName, t, tr } from '../../lib/i18n.js';
import { dayOf, timeOf } from '../../lib/time.js';
import { CameraBox } from '../checkin/camera.js';
import { draw, feedback, online, unlockAudio } from '../checkin/ui.js';
import { html, icon, setHTML } from '../core/dom.js';

export function passportScreen(app) {
  let root;
  let stamps = {};
  let camera = null;
  let gone = false;
  let pendingBefore = app.sync.status.pending;

  function when(iso) {
    const tab = dayTab(dayOf(iso, app.zone));
    return `${tab.weekday} ${tab.date}, ${timeOf(iso, app.zone)}`;
  }

  function listHTML() {
    const venues = [...app.programme.venues.values()];
    const have = venues.filter((v) => stamps[v.id]).sort((a, b) => (stamps[a.id].collected_at < stamps[b.id].collected_at ? -1 : 1));
    const missing = venues.filter((v) => !stamps[v.id]).sort((a, b) => tr(a.name).localeCompare(tr(b.name), app.lang()));
    const total = venues.length;
    return html`<div class="passport-progress">
        <p class="passport-count"><strong>${have.length}</strong> / ${total}</p>
        <div class="meter" role="progressbar" aria-label="${t('passport_collected_label')}" aria-valuemin="0" aria-valuemax="${total}"
          aria-valuenow="${have.length}" aria-valuetext="${t('passport_progress', { n: have.length, total })}">
          <span data-share="${Math.round((100 * have.length) / Math.max(total, 1))}"></span></div>
        <p class="small muted">${have.length === total ? t('passport_complete') : have.length ? t('passport_progress', { n: have.length, total }) : t('passport_start')}</p>
      </div>
      ${have.length ? html`<h2 class="section-title">${t('passport_have')}</h2>
        <ul class="stamps" role="list">${have.map((v) => html`<li class="stamp">
          <a href="#/venues/${encodeURIComponent(v.id)}">
            <span class="stamp-mark" aria-hidden="true">${icon(`kind-${v.kind}`, 'icon')}</span>
            <span class="stamp-name">${tr(v.name)}</span>
            <span class="stamp-when small">${when(stamps[v.id].collected_at)}${stamps[v.id].server ? '' : html` · <span class="muted">${t('passport_not_sent')}</span>`}</span>
          </a></li>`)}</ul>` : ''}
      ${missing.length ? html`<h2 class="section-title">${t('passport_missing', { n: missing.length })}</h2>
        <ul class="to-collect" role="list">${missing.map((v) => html`<li><a href="#/venues/${encodeURIComponent(v.id)}">
          <span class="stamp-empty" aria-hidden="true">${icon(`kind-${v.kind}`, 'icon icon-sm')}</span>
          <span>${tr(v.name)}<span class="small muted"> · ${kindName(v.kind)}</span></span></a></li>`)}</ul>` : ''}`;
  }

  function render() {
    draw(root, html`<section class="screen passport-screen">
      <button type="button" class="back" data-back>${icon('back')}<span>${t('back')}</span></button>
      <h1 id="screen-title" tabindex="-1">${t('passport_title')}</h1>
      <p class="muted">${t('passport_intro')}</p>
      <div id="passport-camera"></div>
      <p class="result-line" id="stamp-result" role="status" aria-live="polite"></p>
      <details class="disclosure">
        <summary>${t('passport_type')}</summary>
        <form class="manual-form" id="stamp-form" action="#">
          <label for="stamp-code">${t('passport_code')}</label>
          <textarea id="stamp-code" name="code" rows="3" autocomplete="off" autocapitalize="off" spellcheck="false" required></textarea>
          <button type="submit" class="btn btn-secondary">${t('passport_collect')}</button>
        </form>
      </details>
      <div id="stamp-list">${listHTML()}</div>
    </section>`);
    camera = new CameraBox(root.querySelector('#passport-camera'), {
      onCode: (text) => collect(text), startLabel: t('passport_scan'), hint: t('passport_scan_hint'),
    });
    root.querySelector('#stamp-form').addEventListener('submit', (event) => {
      event.preventDefault();
      unlockAudio();
      const field = root.querySelector('#stamp-code');
      collect(field.value).then((ok) => { if (ok) field.value = ''; });
    });
  }

  function refreshList() {
    const list = root?.querySelector('#stamp-list');
    if (list) setHTML(list, listHTML());
  }

  async function collect(text) {
    const code = classify(text);
    let result;
    if (code.kind !== 'stamp') result = { ok: false, reason: code.kind === 'pass' ? 'pass_not_stamp' : 'not_a_stamp' };
    else result = await collectStamp(app, code.value);
    if (gone) return false;
    const venue = result.ok ? app.programme.venues.get(result.venue_id) : null;
    const words = result.ok
      ? (result.new ? t('stamp_new', { venue: tr(venue.name) }) : t('stamp_again', { venue: tr(venue.name) }))
      : t(`stamp_${result.reason}`);
    const kind = result.ok ? (result.new ? 'accepted' : 'warn') : 'rejected';
    feedback(kind);
    const line = root.querySelector('#stamp-result');
    line.className = `result-line result-${kind}`;
    setHTML(line, html`${icon(result.ok ? 'seal' : 'warning')}<span>${words}</span>`);
    camera.overlay(html`${icon(result.ok ? 'seal' : 'block', 'icon icon-xl')}<p class="overlay-title">${words}</p>`, kind, 2200);
    if (result.ok) {
      stamps = await loadStamps(app);
      refreshList();
    }
    return result.ok;
  }

  /** The stamps just collected reached the server: show its passport. */
  function onStatus() {
    const pending = app.sync.status.pending;
    if (pendingBefore > 0 && pending === 0 && !app.sync.status.syncing) fromServer();
    pendingBefore = pending;
  }

  async function fromServer() {
    if (!online()) return;
    try {
      ({ stamps } = await refreshStamps(app));
      if (!gone) refreshList();
    } catch { /* offline or refused: the phone's own list stays */ }
  }

  return {
    title: t('passport_title'),
    async mount(container) {
      root = container;
      stamps = await loadStamps(app);
      if (gone) return;
      render();
      fromServer();
      app.sync.addEventListener('status', onStatus);
    },
    unmount() {
      gone = true;
      camera?.stop();
      app.sync.removeEventListener('status', onStatus);
    },

  };
}
