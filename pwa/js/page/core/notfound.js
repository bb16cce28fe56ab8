import { t } from '../../lib/i18n.js';
import { html, setHTML } from './dom.js';

export function notFound() {
  return {
    title: t('not_found'),
    mount(root) {
      setHTML(root, html`<section class="screen detail">
        <h1 id="screen-title" tabindex="-1">${t('not_found')}</h1>
        <p><a class="btn btn-secondary" href="#/">${t('to_programme')}</a></p>
      </section>`);
    },
  };
}
