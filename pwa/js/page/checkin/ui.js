// Pieces the pass, passport, scanner and organiser screens share: their stylesheet (loaded before any of them
// draws, by top-level await), the staff database and the volunteer's upload loop, the verdict's sound and
// vibration, and small formatting helpers.

import '../../lib/i18n-checkin.js';
import { t } from '../../lib/i18n.js';
import { openStaff } from '../../lib/staff.js';
import { html, icon, loadStylesheet, setHTML } from '../core/dom.js';

// Loaded before any module importing this one runs (top-level await), so nothing it draws shows unstyled.
await loadStylesheet('/css/checkin.css');

// --- the staff database and the volunteer's uploads ---------------------------------------------------------------

/** The staff database and the volunteer's sync engine, opened once per page (lib/staff.js). */
export const staff = (app) => openStaff(() => app.now());

export const online = () => navigator.onLine !== false;

/** An organiser's request found the session over (the screen shows the sign-in form again). */
export class SignedOut extends Error {}

// --- the verdict's sound and vibration ----------------------------------------------------------------------------

let audio = null;

/** Make sounds possible: browsers allow audio only after a tap, so call this from one. */
export function unlockAudio() {
  const Context = globalThis.AudioContext || globalThis.webkitAudioContext;
  if (!Context) return;
  audio ||= new Context();
  if (audio.state === 'suspended') audio.resume().catch(() => {});
}

// [frequency Hz, start s, length s] per verdict: a bright rising pair, a low long buzz, a double mid beep
const TONES = {
  accepted: { wave: 'sine', gain: 0.25, notes: [[880, 0, 0.09], [1320, 0.1, 0.14]] },
  rejected: { wave: 'square', gain: 0.12, notes: [[185, 0, 0.45]] },
  warn: { wave: 'triangle', gain: 0.3, notes: [[520, 0, 0.12], [520, 0.2, 0.12]] },
};
const VIBRATIONS = { accepted: [70], rejected: [250, 100, 250], warn: [90, 80, 90, 80, 90] };

/** The sound and vibration of a verdict kind: accepted, rejected or warn. */
export function feedback(kind) {
  try {
    navigator.vibrate?.(VIBRATIONS[kind]);
  } catch { /* not allowed without a tap */ }
  if (!audio || audio.state !== 'running') return;
  const { wave, gain, notes } = TONES[kind];
  const start = audio.currentTime + 0.01;
  for (const [frequency, at, length] of notes) {
    const osc = audio.createOscillator();
    const vol = audio.createGain();
    osc.type = wave;
    osc.frequency.value = frequency;
    vol.gain.setValueAtTime(0, start + at);
    vol.gain.linearRampToValueAtTime(gain, start + at + 0.01);
    vol.gain.setValueAtTime(gain, start + at + length - 0.03);
    vol.gain.linearRampToValueAtTime(0, start + at + length);
    osc.connect(vol).connect(audio.destination);
    osc.start(start + at);
    osc.stop(start + at + length + 0.02);
  }
}

// --- formatting ---------------------------------------------------------------------------------------------------

/** A verdict's words: {kind: accepted|rejected|warn, title, detail}. `refused`: the server would not judge the
 *  scan (lib/live-scan.js), so nobody did, and the volunteer must not let the person in on this phone's word. */
export function verdictWords(verdict, reason) {
  if (verdict === 'accepted') return { kind: 'accepted', title: t('verdict_accepted'), detail: t('verdict_accepted_detail') };
  if (verdict === 'unverified') return { kind: 'warn', title: t('verdict_unverified'), detail: t('verdict_unverified_detail') };
  if (verdict === 'refused') return { kind: 'rejected', title: t('verdict_server_refused'), detail: t(`refusal_${reason}`) };
  const kind = reason === 'already_checked_in' ? 'warn' : 'rejected';
  const title = reason === 'already_checked_in' ? t('verdict_already') : t('verdict_rejected');
  return { kind, title, detail: t(`reason_${reason}`) };
}

/** A reason of the server's in words, or as it came when the app has none for it (a newer server's). */
export function reasonWords(reason) {
  const key = `reason_${reason}`;
  const words = t(key);
  return words === key ? reason : words;
}

export const VERDICT_ICONS = { accepted: 'check', rejected: 'block', warn: 'warning' };

export function levelBadge(occupancy) {
  if (!occupancy) return '';
  return html`<span class="crowd crowd-${occupancy.level}">${icon('people', 'icon icon-sm')}<span>${t(`level_${occupancy.level}`)}</span></span>`;
}

/** "ABCD-EFGH-JKMN-PQRS": a code in groups of four, easier to read out and to type. */
export function groups(code) {
  return String(code).replace(/(.{4})(?=.)/g, '$1-');
}

/** The message of a failed request, for people. */
export async function problem(response) {
  if (!response) return t('need_connection');
  let detail = '';
  try {
    detail = (await response.json()).detail || '';
  } catch { /* no body */ }
  if (response.status === 429) return t('too_many_tries');
  if (response.status >= 500) return t('server_trouble');
  return detail || `HTTP ${response.status}`;
}

/** Draw a screen anew, keeping the keyboard focus on its title when it was there (lazy screens focus it first). */
export function draw(root, content) {
  const titleFocused = document.activeElement?.id === 'screen-title';
  setHTML(root, content);
  if (titleFocused) root.querySelector('#screen-title')?.focus({ preventScroll: true });
}
