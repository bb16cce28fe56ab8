// The npm packages of the pass, scanner and organiser screens, copied (and minified with terser where the
// package ships no minified build that runs as it is) into pwa/vendor/. Run by refresh.mjs, so by `npm install`
// and by hand (`node pwa/vendor/refresh.mjs`). The copies are committed: the app runs without npm.
//
//   qrcode-generator  QR encoder (MIT): draws the pass QR and enrolment codes on the phone, offline
//   jsqr              QR decoder (Apache-2.0): the scanner's fallback where the browser has no BarcodeDetector
//                     (Linux and desktop Chromium, Firefox, Safari); runs in a worker (js/worker/qr-decode.js)
//   uplot             small time-series charts (MIT): the organisers' check-in dashboard

import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'package.json'));

function packageDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    // a package whose "exports" hide its package.json
    const dir = join(here, '..', '..', 'node_modules', name);
    return existsSync(join(dir, 'package.json')) ? dir : null;
  }
}

async function minifier() {
  try {
    return (await import(require.resolve('terser'))).minify;
  } catch {
    return null;
  }
}

const version = (from) => JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')).version;

/** Minify `source` (an ES module when `module`), keeping licence comments. */
async function minified(minify, source, module) {
  const out = await minify(source, {
    module, compress: { passes: 2 }, mangle: true, format: { comments: /@license|@preserve|^!/ },
  });
  return `${out.code}\n`;
}

async function vendor(name, dir, files, licence) {
  const from = packageDir(name);
  const minify = await minifier();
  if (!from || !minify) {
    console.warn(`pwa/vendor: ${name} or terser is not installed (npm install); the committed copy stays as it is`);
    return;
  }
  const to = join(here, dir);
  mkdirSync(to, { recursive: true });
  for (const [source, target, how] of files) {
    const text = readFileSync(join(from, source), 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
    if (how === 'copy') writeFileSync(join(to, target), text);
    else writeFileSync(join(to, target), await minified(minify, text, how === 'module'));
  }
  if (existsSync(join(from, 'LICENSE'))) copyFileSync(join(from, 'LICENSE'), join(to, 'LICENSE'));
  else if (licence) writeFileSync(join(to, 'LICENSE'), licence);
  writeFileSync(join(to, 'VERSION'), `${version(from)}\n`);
  console.log(`pwa/vendor/${dir}: ${name} ${version(from)}`);
}

await vendor('qrcode-generator', 'qrcode-generator', [['dist/qrcode.mjs', 'qrcode.min.mjs', 'module']],
  'qrcode-generator by Kazuhiko Arase, licensed under the MIT licence: http://www.opensource.org/licenses/mit-license.php\n'
  + 'The word "QR Code" is a registered trademark of DENSO WAVE INCORPORATED.\n');
await vendor('jsqr', 'jsqr', [['dist/jsQR.js', 'jsQR.min.js', 'script']]);
await vendor('uplot', 'uplot', [['dist/uPlot.esm.js', 'uPlot.min.mjs', 'module'], ['dist/uPlot.min.css', 'uPlot.min.css', 'copy']]);
