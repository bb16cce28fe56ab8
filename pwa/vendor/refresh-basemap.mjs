// The npm packages that draw the offline basemap on the Map screen, copied into pwa/vendor/. Run by refresh.mjs,
// so by `npm install` and by hand (`node pwa/vendor/refresh.mjs`). The copies are committed: the app runs without npm.
//
//   pmtiles            PMTiles archive reader (BSD-3-Clause): tiles by HTTP Range from /tiles/…, or from the copy
//                      saved on the phone (js/page/map/basemap.js)
//   protomaps-leaflet  vector tiles drawn on canvas as a Leaflet layer (BSD-3-Clause)
//
// Both ship a minified browser build that declares one global (`var pmtiles = …`, `var protomapsL = …`) and
// imports nothing. Imported as an ES module such a `var` stays inside the module, so an export is appended:
// the app then imports them like its own modules, with no build and no global.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'package.json'));

const PACKAGES = [
  { name: 'pmtiles', file: 'dist/pmtiles.js', out: 'pmtiles.mjs', tail: 'export const { PMTiles, FetchSource } = pmtiles;' },
  { name: 'protomaps-leaflet', file: 'dist/protomaps-leaflet.js', out: 'protomaps-leaflet.mjs', tail: 'export default protomapsL;' },
];

function packageDir(name) {
  // these packages' "exports" hide package.json from require.resolve
  const dir = join(here, '..', '..', 'node_modules', name);
  return existsSync(join(dir, 'package.json')) ? dir : null;
}

for (const { name, file, out, tail } of PACKAGES) {
  const from = packageDir(name);
  if (!from) {
    console.warn(`pwa/vendor: ${name} is not installed (npm install); the committed copy stays as it is`);
    continue;
  }
  const to = join(here, name);
  mkdirSync(to, { recursive: true });
  // The source-map comment is dropped because the map file is not copied.
  const js = readFileSync(join(from, file), 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
  writeFileSync(join(to, out), `${js}${tail}\n`);
  const { version, license } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
  for (const licence of ['LICENSE', 'LICENSE.md']) {
    if (existsSync(join(from, licence))) writeFileSync(join(to, 'LICENSE'), readFileSync(join(from, licence)));
  }
  writeFileSync(join(to, 'VERSION'), `${version} (${license})\n`);
  console.log(`pwa/vendor/${name}: ${name} ${version}`);
}
