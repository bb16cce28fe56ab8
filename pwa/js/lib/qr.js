// QR codes drawn on the phone (no network needed): the pass, enrolment codes. The encoder is
// qrcode-generator (pwa/vendor/qrcode-generator, MIT). Like the server's server/codecs/qr.py: error
// correction M, the smallest version that holds the text, one byte-mode segment, a four-module quiet zone.

import qrcode from '../../vendor/qrcode-generator/qrcode.min.mjs';

export const QUIET_ZONE = 4;

/** The dark modules of `text`'s QR code as rows of booleans. */
export function qrMatrix(text, ecc = 'M') {
  const code = qrcode(0, ecc);
  code.addData(text, 'Byte');
  code.make();
  const n = code.getModuleCount();
  const rows = [];
  for (let r = 0; r < n; r += 1) {
    const row = new Array(n);
    for (let c = 0; c < n; c += 1) row[c] = code.isDark(r, c);
    rows.push(row);
  }
  return rows;
}

/** The SVG path of the dark modules: one rectangle per run of dark modules in a row, offset by `quiet`. */
export function qrPath(modules, quiet = QUIET_ZONE) {
  let d = '';
  modules.forEach((row, r) => {
    let c = 0;
    while (c < row.length) {
      if (!row[c]) {
        c += 1;
        continue;
      }
      const start = c;
      while (c < row.length && row[c]) c += 1;
      d += `M${start + quiet} ${r + quiet}h${c - start}v1h${start - c}z`;
    }
  });
  return d;
}

/**
 * A standalone SVG of `text`'s QR code, black on white, sized by CSS (a view box, no width or height).
 * `label` names it for screen readers (role="img"); without one it is hidden from them.
 */
export function qrSvg(text, { label = '', ecc = 'M', quiet = QUIET_ZONE, className = 'qr' } = {}) {
  const modules = qrMatrix(text, ecc);
  const size = modules.length + 2 * quiet;
  const esc = (s) => String(s).replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[ch]));
  const a11y = label ? `role="img" aria-label="${esc(label)}"` : 'aria-hidden="true" focusable="false"';
  return `<svg xmlns="http://www.w3.org/2000/svg" class="${esc(className)}" viewBox="0 0 ${size} ${size}" ${a11y} shape-rendering="crispEdges">`
    + `<rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${qrPath(modules, quiet)}"/></svg>`;
}

/**
 * Shrink drawn QR codes (under `root`) from the width CSS gives them to a whole number of device pixels per
 * module, so every module is as crisp and as wide as the others.
 */
export function snapQrSizes(root) {
  for (const svg of root.querySelectorAll('svg.qr')) {
    const modules = Number(svg.viewBox.baseVal.width);
    const box = svg.getBoundingClientRect().width;
    if (!modules || !box) continue;
    const scale = globalThis.devicePixelRatio || 1;
    const px = Math.floor((box * scale) / modules);
    if (px >= 2) svg.style.width = `${(px * modules) / scale}px`;
  }
}
