// The organisers' screen, shown after sign-in (POST /api/auth/login; the session token is kept in the staff
// database, apart from the attendee's device token): alerts (compose, send, delivery counts), the live check-in
// dashboard, and volunteer enrolment codes. Routes: #/organiser?view=alerts|dashboard|volunteers.

import { t } from '../../lib/i18n.js';
import { draw, problem, SignedOut, staff } from '../checkin/ui.js';
import { html, icon, setHTML } from '../core/dom.js';
import { alertsView } from './alerts.js';
import { codesView } from './codes.js';
import { dashboardView } from './dashboard.js';

const VIEWS = { alerts: alertsView, dashboard: dashboardView, volunteers: codesView };

export function organiserScreen(app, _params, query) {
  let root;
  let store;
  let session = null;
  let view = null;
  let gone = false;
  let error = '';
  const name = VIEWS[query.get('view')] ? query.get('view') : 'alerts';

  /** fetch() as the organiser; a 401 ends the session. Rejects with a message for people when offline. */
  async function api(path, { method = 'GET', body } = {}) {
    const init = { method, cache: 'no-store', headers: { Accept: 'application/json', Authorization: `Bearer ${session.token}` } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new Error(t('need_connection'));
    }
    if (response.status === 401) {
      await signOut(t('org_session_over'));
      throw new SignedOut();
    }
    return response;
  }

  /** The JSON of a successful answer, else an Error with the server's reason. */
  async function json(path, options) {
    const response = await api(path, options);
    if (!response.ok) throw new Error(await problem(response));
    return response.status === 204 ? null : response.json();
  }

  function renderSignIn() {
    draw(root, html`<section class="screen organiser-screen">
      <button type="button" class="back" data-back>${icon('back')}<span>${t('back')}</span></button>
      <h1 id="screen-title" tabindex="-1">${t('org_title')}</h1>
      <p>${t('org_intro')}</p>
      <form class="sign-in" id="sign-in" action="#">
        <div class="field"><label for="org-email">${t('org_email')}</label>
          <input id="org-email" name="email" type="email" autocomplete="username" required></div>
        <div class="field"><label for="org-password">${t('org_password')}</label>
          <input id="org-password" name="password" type="password" autocomplete="current-password" required></div>
        <button type="submit" class="btn btn-primary btn-wide">${t('org_sign_in')}</button>
        <p class="form-error" id="sign-in-error" role="alert">${error}</p>
      </form>
    </section>`);
    root.querySelector('#sign-in').addEventListener('submit', signIn);
  }

  async function signIn(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const email = form.email.value.trim();
    const password = form.password.value;
    const button = form.querySelector('button');
    button.disabled = true;
    let response = null;
    try {
      response = await fetch('/api/auth/login', {
        method: 'POST', cache: 'no-store', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ email, password }),
      });
    } catch { /* offline */ }
    if (gone) return;
    if (response?.status === 200) {
      const body = await response.json();
      session = { token: body.token, expires_at: body.expires_at, email };
      await store.setMeta('organiser', session);
      error = '';
      renderSignedIn();
      root.querySelector('#screen-title')?.focus();
      return;
    }
    button.disabled = false;
    error = response?.status === 401 ? t('org_wrong') : await problem(response);
    setHTML(root.querySelector('#sign-in-error'), error);
    form.password.focus();
  }

  async function signOut(message = '') {
    view?.unmount?.();
    view = null;
    session = null;
    error = message;
    await store.setMeta('organiser', null);
    if (!gone) renderSignIn();
  }

  function renderSignedIn() {
    draw(root, html`<section class="screen organiser-screen">
      <div class="org-head">
        <h1 id="screen-title" tabindex="-1">${t('org_title')}</h1>
        <p class="small muted org-who">${t('org_signed_in', { email: session.email })}
          <button type="button" class="link-button" id="sign-out">${t('org_sign_out')}</button></p>
      </div>
      <nav class="subnav" aria-label="${t('org_sections')}">
        ${Object.keys(VIEWS).map((key) => html`<a href="#/organiser?view=${key}" ${key === name ? html`aria-current="page"` : ''}>${icon({ alerts: 'megaphone', dashboard: 'bars', volunteers: 'badge' }[key], 'icon icon-sm')}<span>${t(`org_view_${key}`)}</span></a>`)}
      </nav>
      <div id="org-view"></div>
    </section>`);
    root.querySelector('#sign-out').addEventListener('click', () => signOut());
    view = VIEWS[name](app, { api, json });
    view.mount(root.querySelector('#org-view'));
  }

  return {
    title: t('org_title'),
    async mount(container) {
      root = container;
      draw(root, html`<section class="screen waiting"><h1 id="screen-title" tabindex="-1">${t('org_title')}</h1>
        <div class="spinner" aria-hidden="true"></div></section>`);
      ({ store } = await staff(app));
      session = await store.meta('organiser');
      if (gone) return;
      if (session) renderSignedIn();
      else renderSignIn();
    },
    unmount() {
      gone = true;
      view?.unmount?.();
    },
  };
}
