// My pass: the attendee's festival pass as a QR code, drawn on the phone from the token kept in IndexedDB, so it
// shows without a connection. A "bright" full-screen view (white, as large as the screen allows, the screen kept
// awake) for entrance scanners; the pass id in text below the code.

import { ApiError, loadPass, loadStamps, refreshPass, requestPass } from '../../lib/attendee.js';
import { dayLong, t } from '../../lib/i18n.js';
import { qrSvg, snapQrSizes } from '../../lib/qr.js';
import { dayOf } from '../../lib/time.js';
import { draw, online } from '../checkin/ui.js';
import { html, icon, raw, setHTML } from '../core/dom.js';

export function passScreen(app) {
  let root;
  let pass = null;
  let stamps = {};
  let loading = true;
  let busy = false;
  let error = '';
  let gone = false;
  let bright = null;
  let wakeLock = null;

  const validUntil = (p) => dayLong(dayOf(p.valid_until, app.zone));

  function render() {
    const total = app.programme.venues.size;
    const collected = Object.keys(stamps).length;
    draw(root, html`<section class="screen pass-screen">
      <h1 id="screen-title" tabindex="-1">${t('pass_title')}</h1>
      ${loading ? html`<div class="spinner" aria-hidden="true"></div>` : pass ? html`
        <figure class="pass-card${pass.revoked_at ? ' is-revoked' : ''}">
          <p class="pass-festival">${t('pass_festival')} · ${t('pass_kind')}</p>
          <button type="button" class="pass-qr" id="pass-qr" aria-label="${t('pass_bright_label', { id: pass.pass_id })}">
            ${raw(qrSvg(pass.token, { label: t('pass_qr_label', { id: pass.pass_id }) }))}
          </button>
          <figcaption>
            <span class="pass-id-label">${t('pass_id')}</span>
            <span class="pass-id" id="pass-id" translate="no">${pass.pass_id}</span>
            <span class="pass-valid">${t('pass_valid_until', { day: validUntil(pass) })}</span>
          </figcaption>
        </figure>
        ${pass.revoked_at ? html`<p class="banner banner-warn" role="alert">${icon('warning')}<span>${t('pass_revoked')}</span></p>` : ''}
        <button type="button" class="btn btn-primary btn-wide" id="bright-open">${icon('sun')}<span>${t('pass_bright')}</span></button>
        <p class="muted small pass-hint">${t('pass_hint')}</p>
        <details class="disclosure">
          <summary>${t('pass_show_code')}</summary>
          <p class="small">${t('pass_code_help')}</p>
          <p class="pass-token" translate="no">${pass.token}</p>
        </details>`
      : html`<div class="empty-state pass-empty">
          ${icon('qr', 'icon icon-xl')}
          <p>${t('pass_none')}</p>
          <button type="button" class="btn btn-primary" id="pass-get" ${busy ? 'disabled' : ''}>${busy ? t('pass_getting') : t('pass_get')}</button>
          ${!online() ? html`<p class="small">${t('pass_needs_network')}</p>` : ''}
        </div>`}
      <p class="form-error" id="pass-error" role="alert">${error}</p>
      <nav class="link-list" aria-label="${t('pass_more')}">
        <a href="#/passport">${icon('seal')}<span><strong>${t('passport_title')}</strong>
          <span class="small muted">${t('passport_progress', { n: collected, total })}</span></span>${icon('chevron', 'icon chevron')}</a>
        <a href="#/volunteer">${icon('badge')}<span><strong>${t('volunteer_title')}</strong>
          <span class="small muted">${t('volunteer_link_hint')}</span></span>${icon('chevron', 'icon chevron')}</a>
      </nav>
    </section>`);
    snapQrSizes(root);
    root.querySelector('#pass-get')?.addEventListener('click', get);
    root.querySelector('#bright-open')?.addEventListener('click', openBright);
    root.querySelector('#pass-qr')?.addEventListener('click', openBright);
  }

  async function get() {
    busy = true;
    error = '';
    render();
    try {
      pass = await requestPass(app);
    } catch (e) {
      error = e instanceof ApiError && e.status ? `${t('pass_failed')} (${e.message})` : t('pass_needs_network');
    }
    busy = false;
    if (!gone) {
      render();
      root.querySelector(pass ? '#bright-open' : '#pass-get')?.focus();
    }
  }

  async function keepAwake() {
    try {
      wakeLock = await navigator.wakeLock?.request('screen');
    } catch {
      wakeLock = null;
    }
  }

  function openBright() {
    if (bright || !pass) return;
    const opener = document.activeElement;
    bright = document.createElement('div');
    bright.className = 'bright';
    bright.setAttribute('role', 'dialog');
    bright.setAttribute('aria-modal', 'true');
    bright.setAttribute('aria-label', t('pass_title'));
    setHTML(bright, html`<div class="bright-inner">
        ${raw(qrSvg(pass.token, { label: t('pass_qr_label', { id: pass.pass_id }) }))}
        <p class="bright-id" translate="no">${pass.pass_id}</p>
        <button type="button" class="btn btn-dark" id="bright-close">${icon('dismiss')}<span>${t('close_bright')}</span></button>
      </div>`);
    document.body.append(bright);
    document.body.classList.add('has-bright');
    snapQrSizes(bright);
    keepAwake();
    const close = () => {
      bright?.remove();
      bright = null;
      document.body.classList.remove('has-bright');
      wakeLock?.release().catch(() => {});
      wakeLock = null;
      document.removeEventListener('keydown', onKey);
      (opener && root.contains(opener) ? opener : root.querySelector('#bright-open'))?.focus();
    };
    const onKey = (event) => {
      if (event.key === 'Escape') close();
      if (event.key === 'Tab') { // one control in the dialog: keep the focus on it
        event.preventDefault();
        bright.querySelector('#bright-close').focus();
      }
    };
    bright.addEventListener('click', close);
    document.addEventListener('keydown', onKey);
    bright.querySelector('#bright-close').focus();
    bright.close = close;
  }

  return {
    title: t('pass_title'),
    async mount(container) {
      root = container;
      render();
      [pass, stamps] = await Promise.all([loadPass(app), loadStamps(app)]);
      loading = false;
      if (gone) return;
      render();
      if (pass && online()) {
        refreshPass(app, pass).then((fresh) => {
          const changed = fresh.revoked_at !== pass.revoked_at || fresh.token !== pass.token;
          pass = fresh;
          if (changed && !gone && !bright) render();
        }).catch(() => {});
      }
    },
    unmount() {
      gone = true;
      bright?.close();
    },
  };
}
