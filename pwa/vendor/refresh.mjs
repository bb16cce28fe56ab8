// Copies the browser files of the npm packages the PWA uses into pwa/vendor/, where the server serves them.
// Run by `npm install` (package.json "postinstall") and by hand: `node pwa/vendor/refresh.mjs`.
// The copies are committed, so `make run` on a fresh clone needs no npm at all; after upgrading a package
// in package.json, run `npm install` and commit the new copies (the service worker's cache name follows their
// bytes: server/pwa.py).
//
// Leaflet: the minified UMD build (it also runs as an ES module: `import()` of it sets globalThis.L), its
// stylesheet, the images the stylesheet names, and its licence. The source-map comment is dropped because
// the map file is not copied.
//
// leaflet.markercluster (MIT): the map's venues gathered into numbered clusters. Its UMD build runs as an ES
// module too (it falls back to `self` and extends the global `L`, so it is imported after Leaflet). Not its
// stylesheet: it only animates the clusters, which the app does not animate; their look is css/wayfinding.css.

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
    return null;
  }
}

function leaflet() {
  const from = packageDir('leaflet');
  if (!from) {
    console.warn('pwa/vendor: leaflet is not installed (npm install); the committed copy stays as it is');
    return;
  }
  const to = join(here, 'leaflet');
  mkdirSync(join(to, 'images'), { recursive: true });
  const js = readFileSync(join(from, 'dist', 'leaflet.js'), 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
  writeFileSync(join(to, 'leaflet.js'), js);
  copyFileSync(join(from, 'dist', 'leaflet.css'), join(to, 'leaflet.css'));
  for (const image of ['layers.png', 'layers-2x.png', 'marker-icon.png', 'marker-icon-2x.png', 'marker-shadow.png']) {
    copyFileSync(join(from, 'dist', 'images', image), join(to, 'images', image));
  }
  if (existsSync(join(from, 'LICENSE'))) copyFileSync(join(from, 'LICENSE'), join(to, 'LICENSE'));
  const { version } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
  writeFileSync(join(to, 'VERSION'), `${version}\n`);
  console.log(`pwa/vendor/leaflet: Leaflet ${version}`);
}

function markercluster() {
  const from = packageDir('leaflet.markercluster');
  if (!from) {
    console.warn('pwa/vendor: leaflet.markercluster is not installed (npm install); the committed copy stays as it is');
    return;
  }
  const to = join(here, 'leaflet.markercluster');
  mkdirSync(to, { recursive: true });
  const js = readFileSync(join(from, 'dist', 'leaflet.markercluster.js'), 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
  writeFileSync(join(to, 'leaflet.markercluster.js'), js);
  copyFileSync(join(from, 'MIT-LICENCE.txt'), join(to, 'LICENSE'));
  const { version, license } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
  writeFileSync(join(to, 'VERSION'), `${version} (${license})\n`);
  console.log(`pwa/vendor/leaflet.markercluster: leaflet.markercluster ${version}`);
}

leaflet();
markercluster();

// The check-in screens' packages (QR encoder and decoder, charts): see refresh-checkin.mjs.
await import('./refresh-checkin.mjs');

// The Map screen's offline basemap (PMTiles reader, vector tiles on canvas): see refresh-basemap.mjs.
await import('./refresh-basemap.mjs');
