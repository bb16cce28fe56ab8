// Notifications for the attendee: a gentle offer after a meaningful action (starring an event), never on first
// load; the browser's permission is asked only when the person says yes. And the Settings section: on or off,
// the topics followed, and the links to the staff screens (volunteer, organisers).

import { t } from '../../lib/i18n.js';
import {
  askPermission, NoAnswer, pushState, pushSupported, savePushState, subscribe, TOPICS, unsubscribe, updateTopics,
} from '../../lib/push.js';
import '../checkin/ui.js';
import { html, icon, setHTML } from '../core/dom.js';

const ASK_AGAIN_MS = 3 * 24 * 3600_000;
let nudge = null;
let offering = false;

/** After an event was starred: offer reminders, when this phone could have them and has not said no lately. */
export async function afterFavourite(app) {
  if (!pushSupported() || Notification.permission !== 'default' || offering) return;
  offering = true; // several stars in a row: one offer
  try {
    await offer(app);
  } finally {
    if (!nudge) offering = false;
  }
}

async function offer(app) {
  const state = await pushState(app);
  if (state.subscribed || (state.declined_at && Date.now() - Date.parse(state.declined_at) < ASK_AGAIN_MS)) return;
  // offline, push cannot be turned on: the offer waits for a star made online
  if (!navigator.onLine) return;
  await savePushState(app, { prompted_at: new Date().toISOString() });
  // one line in the page's flow under the header, never over a control
  nudge = document.createElement('aside');
  nudge.className = 'nudge';
  nudge.setAttribute('aria-labelledby', 'nudge-title');
  setHTML(nudge, html`<p class="nudge-title" id="nudge-title" role="status">${icon('bell', 'icon icon-sm')}<span>${t('nudge_title')}</span></p>
    <button type="button" class="btn btn-small btn-light" data-nudge="yes">${t('nudge_yes')}</button>
    <button type="button" class="nudge-close" data-nudge="no" aria-label="${t('nudge_no')}">${icon('dismiss', 'icon icon-sm')}</button>`);
  document.getElementById('main').before(nudge);
  window.addEventListener('offline', close, { once: true });
  nudge.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-nudge]');
    if (!button) return;
    const yes = button.dataset.nudge === 'yes';
    close();
    if (yes) await turnOn(app, notice);
    else await savePushState(app, { declined_at: new Date().toISOString() });
  });
  // left unanswered: taken as "not now"
  setTimeout(() => {
    if (!nudge) return;
    close();
    savePushState(app, { declined_at: new Date().toISOString() });
  }, 20_000);
}

function close() {
  nudge?.remove();
  nudge = null;
  offering = false;
}

/** A short message above the tab bar. */
function notice(text) {
  const box = document.createElement('p');
  box.className = 'notice';
  box.setAttribute('role', 'status');
  box.textContent = text;
  document.body.append(box);
  setTimeout(() => box.remove(), 5000);
}

/** Ask, subscribe, and make sure reminders are on. → whether push is on. */
async function turnOn(app, tell) {
  const granted = await askPermission();
  if (granted !== 'granted') {
    tell(granted === 'denied' ? t('push_blocked') : t('push_not_now'));
    return false;
  }
  try {
    const state = await pushState(app);
    await subscribe(app, state.topics);
  } catch (error) {
    tell(error instanceof NoAnswer ? t('push_no_answer') : t('push_failed', { reason: error.message || String(error) }));
    return false;
  }
  if (!app.view.settings.reminder_minutes) await app.setSettings({ reminder_minutes: 15 });
  tell(t('push_on_notice'));
  return true;
}

/** The Settings screen's "Notifications" and "Staff" sections, in `slot`. */
export async function mountNotifySettings(app, slot) {
  let state = await pushState(app);
  let message = '';

  function status() {
    if (!pushSupported()) return t('push_unsupported');
    if (Notification.permission === 'denied') return t('push_denied');
    if (state.subscribed) return t('push_on');
    // reminders are set in the section above, but come only as notifications
    const minutes = app.view.settings.reminder_minutes || 0;
    return minutes ? t('push_off_reminders', { n: minutes }) : t('push_off');
  }

  function render() {
    if (!slot.isConnected) return;
    const can = pushSupported() && Notification.permission !== 'denied';
    setHTML(slot, html`<section class="block" aria-labelledby="notify-title">
        <h2 id="notify-title" class="section-title">${t('push_title')}</h2>
        <p id="notify-state" class="notify-state${state.subscribed ? ' is-on' : ''}">${icon('bell', 'icon icon-sm')}<span>${status()}</span></p>
        ${can ? html`<button type="button" class="btn btn-secondary" id="notify-toggle" aria-describedby="notify-state">${state.subscribed ? t('push_turn_off') : t('push_turn_on')}</button>` : ''}
        <p class="small muted" id="notify-message" role="status">${message}</p>
        <fieldset class="block topics" ${can ? '' : 'disabled'}>
          <legend class="sub-title">${t('push_topics')}</legend>
          <ul class="pick-list pick-list-open" role="list">${TOPICS.map((topic) => html`<li><label class="check">
            <input type="checkbox" name="topic" value="${topic}" ${state.topics.includes(topic) ? 'checked' : ''}><span>${t(`topic_${topic}`)}</span></label></li>`)}</ul>
        </fieldset>
      </section>
      <section class="block" aria-labelledby="staff-title">
        <h2 id="staff-title" class="section-title">${t('staff_title')}</h2>
        <nav class="link-list" aria-labelledby="staff-title">
          <a href="#/passport">${icon('seal')}<span><strong>${t('passport_title')}</strong><span class="small muted">${t('passport_link_hint')}</span></span>${icon('chevron', 'icon chevron')}</a>
          <a href="#/volunteer">${icon('badge')}<span><strong>${t('volunteer_title')}</strong><span class="small muted">${t('volunteer_link_hint')}</span></span>${icon('chevron', 'icon chevron')}</a>
          <a href="#/organiser">${icon('megaphone')}<span><strong>${t('org_title')}</strong><span class="small muted">${t('org_link_hint')}</span></span>${icon('chevron', 'icon chevron')}</a>
        </nav>
      </section>`);
    slot.querySelector('#notify-toggle')?.addEventListener('click', toggle);
    for (const box of slot.querySelectorAll('input[name=topic]')) box.addEventListener('change', topics);
  }

  async function toggle(event) {
    event.currentTarget.disabled = true;
    message = '';
    const said = slot.querySelector('#notify-message');
    if (said) said.textContent = t('push_working');
    if (state.subscribed) {
      try {
        state = await unsubscribe(app);
        message = t('push_off_notice');
      } catch (error) {
        message = t('push_failed', { reason: error.message });
      }
    } else {
      await turnOn(app, (text) => { message = text; });
      state = await pushState(app);
    }
    render();
    slot.querySelector('#notify-toggle')?.focus();
  }

  async function topics() {
    const chosen = [...slot.querySelectorAll('input[name=topic]:checked')].map((i) => i.value);
    try {
      state = await updateTopics(app, chosen);
      message = state.subscribed ? t('push_topics_saved') : '';
    } catch (error) {
      state = await savePushState(app, { topics: chosen });
      message = t('push_failed', { reason: error.message });
    }
    const msg = slot.querySelector('#notify-message');
    if (msg) msg.textContent = message;
  }

  // a new reminder time changes what "off" costs; a later Settings screen mounts its own section
  const onState = () => (slot.isConnected ? render() : app.removeEventListener('state', onState));
  app.addEventListener('state', onState);
  render();
}
