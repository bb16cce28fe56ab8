// A camera box on a screen: the live picture with a viewfinder, a "start" button until the camera runs (cameras
// start only when the person asks), what went wrong when it cannot start, and an overlay where the screen shows
// what a scanned code did (the volunteer's verdict, a collected stamp).

import { t } from '../../lib/i18n.js';
import { html, icon, setHTML } from '../core/dom.js';
import { CameraError, QrScanner, keepDecoder } from './scanner.js';
import { unlockAudio } from './ui.js';

export class CameraBox {
  /**
   * @param {HTMLElement} container emptied and filled with the box
   * @param {object} options
   * @param {(text: string, detectedAt: number) => void} options.onCode
   * @param {string} options.startLabel the start button's words
   * @param {string} [options.hint] a line under the start button
   */
  constructor(container, { onCode, startLabel, hint = '' }) {
    this.container = container;
    this.onCode = onCode;
    this.startLabel = startLabel;
    this.hint = hint;
    this.scanner = null;
    this.timer = null;
    this.render();
    keepDecoder();
  }

  render() {
    setHTML(this.container, html`<div class="camera" data-state="idle">
      <video class="camera-video" muted playsinline aria-hidden="true"></video>
      <div class="camera-frame" aria-hidden="true"><span></span></div>
      <div class="camera-idle">
        <button type="button" class="btn btn-primary" data-camera-start>${icon('camera')}<span>${this.startLabel}</span></button>
        <p class="camera-msg small" role="status">${this.hint}</p>
      </div>
      <button type="button" class="btn btn-small btn-dark camera-stop" data-camera-stop hidden>${icon('dismiss', 'icon icon-sm')}<span>${t('camera_stop')}</span></button>
      <div class="camera-overlay" hidden></div>
    </div>`);
    this.box = this.container.querySelector('.camera');
    this.video = this.container.querySelector('video');
    this.box.querySelector('[data-camera-start]').addEventListener('click', () => this.start());
    this.box.querySelector('[data-camera-stop]').addEventListener('click', () => this.stop(true));
  }

  get running() {
    return Boolean(this.scanner?.active);
  }

  setState(state, message = '') {
    this.box.dataset.state = state;
    this.box.querySelector('[data-camera-stop]').hidden = state !== 'running';
    this.box.querySelector('.camera-idle').hidden = state === 'running';
    const start = this.box.querySelector('[data-camera-start]');
    start.disabled = state === 'starting';
    const msg = this.box.querySelector('.camera-msg');
    msg.textContent = message || (state === 'starting' ? t('camera_starting') : this.hint);
  }

  async start() {
    unlockAudio();
    if (this.running) return;
    this.setState('starting');
    this.scanner = new QrScanner(this.video, (text, at) => this.onCode(text, at));
    try {
      await this.scanner.start();
      this.setState('running');
      this.box.querySelector('[data-camera-stop]').focus();
    } catch (error) {
      this.scanner = null;
      const reason = error instanceof CameraError ? error.reason : 'failed';
      this.setState('idle', t(`camera_${reason}`));
      this.box.querySelector('[data-camera-start]').focus();
    }
  }

  stop(byHand = false) {
    this.scanner?.stop();
    this.scanner = null;
    if (!this.box.isConnected) return;
    this.setState('idle');
    if (byHand) this.box.querySelector('[data-camera-start]').focus();
  }

  /** The code in view may count again. */
  forget() {
    this.scanner?.forget();
  }

  /** Show `content` over the picture in a colour of `kind` for `ms` (0: until the next one). */
  overlay(content, kind, ms = 2500) {
    const layer = this.box.querySelector('.camera-overlay');
    clearTimeout(this.timer);
    layer.className = `camera-overlay overlay-${kind}`;
    setHTML(layer, content);
    layer.hidden = false;
    if (ms) this.timer = setTimeout(() => this.clearOverlay(), ms);
  }

  clearOverlay() {
    clearTimeout(this.timer);
    const layer = this.box?.querySelector('.camera-overlay');
    if (layer) layer.hidden = true;
  }
}
