// Settings: language, reminder lead time, the sync state of this phone, about the festival.

import { t, tr } from '../../lib/i18n.js';
import { html, setHTML } from '../core/dom.js';

const REMINDERS = [0, 5, 10, 15, 30, 60];

export function settingsScreen(app, _params, _query, shell) {
  let root;

  function syncLines() {
    const s = app.sync.status;
    return html`<p>${s.lastSyncedAt ? t('synced_at', { time: shell.formatSynced(s.lastSyncedAt) }) : t('never_synced')}</p>
      ${s.pending ? html`<p>${t('pending', { n: s.pending })}</p>` : ''}
      <p class="muted">${t('programme_version', { v: app.programme.version })}</p>
      ${app.deviceId ? html`<p class="muted small">${t('device', { id: app.deviceId })}</p>` : ''}`;
  }

  function render() {
    const lang = app.lang();
    const reminder = app.view.settings.reminder_minutes ?? 0;
    const choices = REMINDERS.includes(reminder) ? REMINDERS : [...REMINDERS, reminder].sort((a, b) => a - b);
    const festival = app.programme.festival;
    setHTML(root, html`<section class="screen settings">
      <h1 id="screen-title" tabindex="-1">${t('settings_title')}</h1>
      <form class="settings-form" action="#">
        <fieldset class="block">
          <legend class="section-title">${t('language')}</legend>
          <div class="segmented">
            <label class="segment"><input type="radio" name="lang" value="vi" ${lang === 'vi' ? 'checked' : ''}>
              <span lang="vi">Tiếng Việt</span></label>
            <label class="segment"><input type="radio" name="lang" value="en" ${lang === 'en' ? 'checked' : ''}>
              <span lang="en">English</span></label>
          </div>
        </fieldset>
        <div class="block field">
          <label for="reminder" class="section-title">${t('reminder')}</label>
          <select id="reminder" name="reminder">
            ${choices.map((m) => html`<option value="${m}" ${m === reminder ? 'selected' : ''}>${
              m === 0 ? t('reminder_off') : m === 60 ? t('hour') : t('minutes', { n: m })}</option>`)}
          </select>
        </div>
      </form>
      <div id="notify-slot"></div>
      <section class="block" aria-labelledby="sync-title">
        <h2 id="sync-title" class="section-title">${t('sync_title')}</h2>
        <div id="sync-lines" role="status">${syncLines()}</div>
        <button type="button" class="btn btn-secondary" id="sync-now">${t('sync_now')}</button>
        <p class="small muted" id="sync-message" role="status"></p>
      </section>
      <section class="block" aria-labelledby="about-title">
        <h2 id="about-title" class="section-title">${t('about')}</h2>
        <p>${tr(festival.description)}</p>
        ${festival.website ? html`<p><a class="link-strong" href="${festival.website}" rel="noopener" target="_blank">${festival.website.replace(/^https?:\/\//, '')}</a></p>` : ''}
        <p class="muted small">${tr(festival.sample_data_note)}</p>
      </section>
    </section>`);
    for (const input of root.querySelectorAll('input[name=lang]')) {
      input.addEventListener('change', () => app.setSettings({ lang: input.value }));
    }
    root.querySelector('#reminder').addEventListener('change', (event) => {
      app.setSettings({ reminder_minutes: Number(event.target.value) });
    });
    root.querySelector('#sync-now').addEventListener('click', () => {
      root.querySelector('#sync-message').textContent = navigator.onLine ? '' : t('sync_offline');
      app.sync.run();
    });
    // notifications and the staff screens (notify.js, loaded with the check-in code)
    const slot = root.querySelector('#notify-slot');
    import('./notify.js').then(({ mountNotifySettings }) => mountNotifySettings(app, slot)).catch(() => {});
  }

  return {
    title: t('settings_title'),
    mount(container) {
      root = container;
      render();
    },
    refreshStatus() {
      const lines = root?.querySelector('#sync-lines');
      if (lines) setHTML(lines, syncLines());
    },
  };
}
