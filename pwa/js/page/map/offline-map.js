// "Save the map for offline use" on the Map screen: the basemap archive downloaded once with a progress bar and
// kept on the phone (lib/basemap.js), its size and the app's storage use, fetched again only for a new version;
// and "Save automatically on Wi-Fi" (off until chosen), which starts the download when the screen opens.

import { autoOnWifi, basemapOf, saveBasemap, savedBasemap, setAutoOnWifi, shouldAutoSave, storageEstimate } from '../../lib/basemap.js';
import { formatBytes } from '../../lib/i18n-basemap.js';
import { t } from '../../lib/i18n.js';
import { html } from '../core/dom.js';

/** The section, or nothing when the server has no basemap (or before the first sync brought the bundle). */
export function offlineMapSection(app) {
  if (!basemapOf(app.programme)) return '';
  return html`<section class="block offline-map" aria-labelledby="offline-map-title">
    <h2 id="offline-map-title" class="section-title">${t('offline_map_title')}</h2>
    <p class="small" id="offline-map-status" role="status" aria-live="polite"></p>
    <progress id="offline-map-progress" max="100" value="0" hidden aria-labelledby="offline-map-title"></progress>
    <p class="small muted" id="offline-map-usage"></p>
    <p><button type="button" class="btn btn-secondary" id="offline-map-save" hidden>${t('offline_map_save')}</button></p>
    <label class="check"><input type="checkbox" id="offline-map-auto" ${autoOnWifi() ? 'checked' : ''}><span>${t('offline_map_auto')}</span></label>
  </section>`;
}

/** Wire the section once it is in the page. The map shown reads the saved copy from the next time it opens. */
export function attachOfflineMap(app, root) {
  const section = root.querySelector('.offline-map');
  const basemap = basemapOf(app.programme);
  if (!section || !basemap) return;
  const status = section.querySelector('#offline-map-status');
  const progress = section.querySelector('#offline-map-progress');
  const usage = section.querySelector('#offline-map-usage');
  const button = section.querySelector('#offline-map-save');

  async function show() {
    const saved = await savedBasemap(basemap).catch(() => null);
    if (!section.isConnected) return;
    const size = formatBytes(basemap.bytes);
    status.textContent = saved?.current ? t('offline_map_saved', { size: formatBytes(saved.bytes) })
      : saved ? t('offline_map_old', { size }) : t('offline_map_none', { size });
    button.hidden = Boolean(saved?.current);
    button.textContent = t(saved ? 'offline_map_update' : 'offline_map_save');
    const estimate = await storageEstimate();
    if (section.isConnected && estimate?.usage) usage.textContent = t('offline_map_usage', { usage: formatBytes(estimate.usage) });
  }

  async function save() {
    if (!navigator.onLine) {
      status.textContent = t('offline_map_offline');
      return;
    }
    button.disabled = true;
    progress.hidden = false;
    try {
      await saveBasemap(basemap, (done, total) => {
        progress.max = total || 1;
        progress.value = done;
        const percent = total ? Math.floor((done / total) * 100) : 0;
        status.textContent = t('offline_map_progress', { percent, done: formatBytes(done), size: formatBytes(total) });
      });
      await show();
    } catch (error) {
      console.warn('offline map:', error);
      if (section.isConnected) status.textContent = t('offline_map_failed');
    } finally {
      button.disabled = false;
    }
  }

  button.addEventListener('click', save);
  section.querySelector('#offline-map-auto').addEventListener('change', async (event) => {
    setAutoOnWifi(event.target.checked);
    if (await shouldAutoSave(basemap)) save();
  });
  show().then(async () => {
    if (await shouldAutoSave(basemap)) save();
  });
}
