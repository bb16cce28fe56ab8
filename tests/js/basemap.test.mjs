// The offline basemap's labels (pwa/js/page/map/basemap-style.js): the app's language first, falling back to
// the other, as OpenStreetMap tags them in the archive (name; name:en, or name_en as OpenMapTiles v3 spells it);
// and its rules, checked against the vendored protomaps-leaflet, draw the layers server/basemap/tiles/process.lua writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bothNames, labelRules, nameIn, paintRules } from '../../pwa/js/page/map/basemap-style.js';

const street = { name: 'Phố Hàng Bạc', 'name:en': 'Hang Bac Street', name_en: 'Hang Bac Street' };

test('labels are in the app language, falling back to the other', () => {
  assert.equal(nameIn(street, 'vi'), 'Phố Hàng Bạc');
  assert.equal(nameIn(street, 'en'), 'Hang Bac Street');
  assert.equal(nameIn({ name: 'Phố Hàng Bạc', name_en: 'Hang Bac' }, 'en'), 'Hang Bac');
  assert.equal(nameIn({ name: 'Phố Hàng Bạc' }, 'en'), 'Phố Hàng Bạc');
  assert.equal(nameIn({ 'name:en': 'Only English' }, 'vi'), 'Only English');
  assert.equal(nameIn({}, 'vi'), '');
});

test('areas show both languages, the app language first, once when they are the same', () => {
  const park = { name: 'Vườn hoa Lý Thái Tổ', 'name:en': 'Ly Thai To Garden' };
  assert.equal(bothNames(park, 'en'), 'Ly Thai To Garden (Vườn hoa Lý Thái Tổ)');
  assert.equal(bothNames(park, 'vi'), 'Vườn hoa Lý Thái Tổ (Ly Thai To Garden)');
  assert.equal(bothNames({ name: 'Công viên' }, 'en'), 'Công viên');
});

test('the rules draw the layers of the archive', async () => {
  globalThis.L = { GridLayer: class {} }; // protomaps-leaflet's layer class is made only by leafletLayer()
  const P = (await import('../../pwa/vendor/protomaps-leaflet/protomaps-leaflet.mjs')).default;
  const layers = new Set(paintRules(P).map((rule) => rule.dataLayer));
  assert.deepEqual([...layers].sort(), ['building', 'park', 'transportation', 'water', 'waterway']);
  const labels = labelRules(P, 'en');
  const named = labels.find((rule) => rule.dataLayer === 'transportation_name' && rule.filter(17, { props: { class: 'minor' } }));
  assert.equal(named.symbolizer.text.get(17, { props: street }), 'Hang Bac Street');
});
