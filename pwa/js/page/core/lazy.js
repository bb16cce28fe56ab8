// Screens whose code loads the first time they are shown (the map and the day plan, with Leaflet behind
// them), so that opening the programme fetches and runs none of it. The service worker precaches the attendee's
// screens and keeps the volunteer's and organiser's once they have been fetched (sw.js).

import { t } from '../../lib/i18n.js';
import { html, setHTML } from './dom.js';

/**
 * A screen factory for the router that shows the screen's title and a spinner, imports the module, then hands
 * over to `module[name](...args)`.
 */
export function lazyScreen(load, name, titleKey) {
  return (...args) => {
    let real = null;
    let gone = false;
    return {
      title: t(titleKey),
      mount(root) {
        setHTML(root, html`<section class="screen waiting"><h1 id="screen-title" tabindex="-1">${t(titleKey)}</h1>
          <div class="spinner" aria-hidden="true"></div></section>`);
        load().then((module) => {
          if (gone) return;
          const focused = document.activeElement?.id === 'screen-title';
          real = module[name](...args);
          real.mount(root);
          if (real.title) document.title = document.title.replace(t(titleKey), real.title);
          if (focused) root.querySelector('#screen-title')?.focus({ preventScroll: true });
        }).catch((error) => {
          console.error(error);
          if (!gone) setHTML(root, html`<section class="screen waiting"><h1 id="screen-title" tabindex="-1">${t('need_network')}</h1></section>`);
        });
      },
      unmount() {
        gone = true;
        real?.unmount?.();
      },
    };
  };
}
