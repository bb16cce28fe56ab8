// A scan's verdict where the volunteer looks: in the camera's overlay and the verdict panel (read out: it is a
// live region), with its sound and vibration.

import { t } from '../../lib/i18n.js';
import { html, icon, setHTML } from '../core/dom.js';
import { feedback, VERDICT_ICONS, verdictWords } from './ui.js';

/** The scan was read; the server is judging it (at most LIVE_SCAN_TIMEOUT_MS). */
export function showChecking(camera, box) {
  camera.overlay(html`<div class="spinner" aria-hidden="true"></div><p class="overlay-detail">${t('verdict_checking')}</p>`, 'checking', 0);
  box.className = 'verdict verdict-checking';
  box.dataset.verdict = 'checking';
  box.dataset.reason = '';
  delete box.dataset.checked;
  setHTML(box, html`<span>${t('verdict_checking')}</span>`);
}

/** A verdict ({verdict, reason, pass_id?, checked?}) read `detectedAt` (performance.now()), of `scan` when one
 *  was recorded; a verdict of the phone's own (`checked: 'phone'`) says it was an offline check. */
export function showVerdict(camera, box, result, detectedAt, scan = null) {
  const words = verdictWords(result.verdict, result.reason);
  const passLine = result.pass_id ? t('pass_line', { id: result.pass_id }) : '';
  const offline = result.checked === 'phone';
  camera.overlay(html`${offline ? html`<p class="overlay-source">${t('verdict_offline')}</p>` : ''}
    ${icon(VERDICT_ICONS[words.kind], 'icon icon-xl')}
    <p class="overlay-title">${words.title}</p><p class="overlay-detail">${words.detail}</p>
    ${passLine ? html`<p class="overlay-pass" translate="no">${passLine}</p>` : ''}`, words.kind, 2600);
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
