// Web Push for the attendee: permission, subscription (PushManager with the server's VAPID key), and the topics
// the person picked, saved on the server with POST /api/push/subscriptions (device token). What the phone
// remembers is in the app's database (meta `push`): {subscribed, topics, endpoint, prompted_at, declined_at}.
// The service worker (sw.js) shows the messages; see server/push/README.md for their format.

import { deviceFetch } from './attendee.js';

/** The topics a person can follow (organisers target alerts at them); `news` is everyone's default. */
export const TOPICS = ['news', 'changes', 'music', 'workshop', 'exhibition', 'tour', 'talk', 'performance', 'market',
  'craft_village'];
export const DEFAULT_TOPICS = ['news', 'changes'];

export function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** 'granted' | 'denied' | 'default', or 'unsupported'. */
export function permission() {
  return pushSupported() ? Notification.permission : 'unsupported';
}

export async function pushState(app) {
  return { subscribed: false, topics: [...DEFAULT_TOPICS], ...((await app.store.meta('push')) || {}) };
}

export async function savePushState(app, patch) {
  const state = { ...(await pushState(app)), ...patch };
  await app.store.setMeta('push', state);
  return state;
}

function keyBytes(base64url) {
  const text = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(text + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function vapidKey(app) {
  const bundled = app.programme?.extra?.vapid_public_key;
  if (bundled) return bundled;
  const response = await fetch('/api/push/vapid-public-key', { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET /api/push/vapid-public-key: ${response.status}`);
  return (await response.json()).public_key;
}

/** The browser asks its push service for an address; when that service cannot be reached, the promise may
 * never settle, and the person would watch a greyed-out button for ever. */
const SUBSCRIBE_WAIT_MS = 20_000;

/** No answer from the browser's push service in time. */
export class NoAnswer extends Error {}

function answerWithin(promise, ms) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new NoAnswer('no answer')), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function registration() {
  return navigator.serviceWorker.ready;
}

/** Ask for permission (call from a tap). → the permission the browser now has. */
export async function askPermission() {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  return Notification.requestPermission();
}

async function send(app, subscription, topics) {
  const response = await deviceFetch(app, '/api/push/subscriptions', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...subscription.toJSON(), topics, lang: app.lang() }),
  });
  if (response.status !== 200 && response.status !== 201) {
    let detail = '';
    try {
      detail = (await response.json()).detail;
    } catch { /* no body */ }
    throw new Error(detail || `POST /api/push/subscriptions: ${response.status}`);
  }
}

/** Subscribe this phone (permission must be granted) with `topics`, and tell the server. */
export async function subscribe(app, topics) {
  const reg = await registration();
  let subscription = await reg.pushManager.getSubscription();
  const key = keyBytes(await vapidKey(app));
  const sameKey = (sub) => {
    const current = sub.options?.applicationServerKey;
    if (!current) return true;
    const bytes = new Uint8Array(current);
    return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
  };
  if (subscription && !sameKey(subscription)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  if (!subscription) {
    subscription = await answerWithin(
      reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }), SUBSCRIBE_WAIT_MS);
  }
  await send(app, subscription, topics);
  return savePushState(app, { subscribed: true, topics, endpoint: subscription.endpoint, lang: app.lang() });
}

/** New topics (or language) for the subscription this phone has. */
export async function updateTopics(app, topics) {
  const state = await pushState(app);
  if (!state.subscribed) return savePushState(app, { topics });
  const subscription = await (await registration()).pushManager.getSubscription();
  if (!subscription) return subscribe(app, topics);
  await send(app, subscription, topics);
  return savePushState(app, { topics, lang: app.lang() });
}

/** Stop push on this phone: the browser's subscription and the server's. */
export async function unsubscribe(app) {
  const reg = await registration();
  const subscription = await reg.pushManager.getSubscription();
  await subscription?.unsubscribe().catch(() => {});
  const response = await deviceFetch(app, '/api/push/subscriptions', { method: 'DELETE' });
  if (response.status !== 204 && response.status !== 200) throw new Error(`DELETE /api/push/subscriptions: ${response.status}`);
  return savePushState(app, { subscribed: false, endpoint: null });
}
