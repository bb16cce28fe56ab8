// Building the screens: an escaping template tag, and a few shared pieces (event cards, icons).

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

class Raw {
  constructor(text) {
    this.text = text;
  }

  toString() {
    return this.text;
  }
}

export const raw = (text) => new Raw(String(text));
export const escape = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);

function piece(value) {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === null || value === undefined || value === false) return '';
  return escape(value);
}

/** html`<p>${text}</p>`: interpolations are escaped unless made with raw() or html``. */
export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => {
    out += piece(value) + strings[i + 1];
  });
  return new Raw(out);
}

export const icon = (name, cls = 'icon') => raw(`<svg class="${cls}" aria-hidden="true" focusable="false"><use href="#i-${name}"></use></svg>`);

/** Puts `content` in `node`. A meter's fill is written `<span data-share="40">` and gets its width here: the
 * Content-Security-Policy refuses style attributes in markup but allows styles set from script. */
export function setHTML(node, content) {
  node.innerHTML = piece(content);
  for (const fill of node.querySelectorAll('[data-share]')) fill.style.width = `${fill.dataset.share}%`;
  return node;
}

/** Resolves once the stylesheet at `href` has loaded (or failed: a screen draws unstyled rather than never);
 * the link is added once, so screens that share a stylesheet can each wait for it. */
export function loadStylesheet(href) {
  let link = document.querySelector(`link[href="${href}"]`);
  if (link?.dataset.loaded) return Promise.resolve();
  if (!link) {
    link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    document.head.append(link);
  }
  return new Promise((resolve) => {
    const done = () => {
      link.dataset.loaded = '1';
      resolve();
    };
    if (link.sheet) done();
    link.addEventListener('load', done, { once: true });
    link.addEventListener('error', resolve, { once: true });
  });
}
