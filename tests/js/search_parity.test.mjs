// The phone's search against the server's answers. tests/unit/test_search_parity.py writes the vectors with
// the Python code and runs this file with LEHOI_SEARCH_VECTORS naming them; without it, those tests skip.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { buildIndex, fold, rank, score, search, SEARCH_LIMIT } from '../../pwa/js/lib/search.js';

const path = process.env.LEHOI_SEARCH_VECTORS;
const vectors = path ? JSON.parse(readFileSync(path, 'utf8')) : null;
const skip = path ? false : 'LEHOI_SEARCH_VECTORS is unset: run tests/unit/test_search_parity.py';

test('fold drops case, diacritics and punctuation', () => {
  assert.equal(fold('Làng gốm Bát Tràng'), 'lang gom bat trang');
  assert.equal(fold('  ĐƯỜNG   phố, Hà Nội! '), 'duong pho ha noi');
  assert.equal(fold(''), '');
});

test('score ranks whole names over prefixes over words over substrings over other fields', () => {
  assert.equal(score('bat trang', ['bat trang'], []), 100);
  assert.equal(score('bat', ['bat trang'], []), 80);
  assert.equal(score('tr ba', ['bat trang'], []), 60);
  assert.equal(score('at tra', ['bat trang'], []), 50);
  assert.equal(score('gom', ['bat trang'], ['lang gom']), 20);
  assert.equal(score('', ['x'], []), 0);
});

test('fold gives what Python gives, on every code point', { skip }, () => {
  const { inputs, expected } = vectors.fold;
  const wrong = [];
  inputs.forEach((input, i) => {
    const got = fold(input);
    if (got !== expected[i]) wrong.push({ input, codePoints: [...input].map((c) => c.codePointAt(0).toString(16)), got, want: expected[i] });
  });
  assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} inputs fold differently`);
});

test('every query finds the same records in the same order with the same scores', { skip }, () => {
  const index = buildIndex(vectors.venues, vectors.events);
  const wrong = [];
  for (const { q, expected } of vectors.cases) {
    const got = search(index, q).map((h) => [h.type, h.id, h.score]);
    try {
      assert.deepEqual(got, expected);
    } catch {
      wrong.push({ q, got: got.slice(0, 5), want: expected.slice(0, 5) });
    }
  }
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} of ${vectors.cases.length} queries differ`);
});

test('rank finds every match, search answers its first 50 as the server does', () => {
  const venues = Array.from({ length: 70 }, (_, i) => ({
    id: `v${String(i).padStart(2, '0')}`, name: { vi: `Nhà văn hoá ${i}`, en: `Culture house ${i}` }, district: 'Hoàn Kiếm', kind: 'gallery',
  }));
  const index = buildIndex(venues, []);
  const all = rank(index, 'nha van');
  assert.equal(all.length, 70);
  assert.deepEqual(search(index, 'nha van').map((h) => h.id), all.slice(0, SEARCH_LIMIT).map((h) => h.id));
  assert.equal(rank(index, 'hoan kie').length, 70, 'other fields: the last word a beginning');
  assert.equal(rank(index, 'hoan kie x').length, 0);
});

test('a query of only punctuation finds nothing, one of 200 characters is answered', () => {
  const index = buildIndex([{ id: 'v', name: { vi: 'Bát Tràng', en: 'Bat Trang' }, district: 'Gia Lâm', kind: 'craft_village' }], []);
  assert.deepEqual(rank(index, '!!! ... ,,, ???'), []);
  assert.deepEqual(rank(index, 'bát '.repeat(50)).map((h) => h.id), ['v']);
  assert.deepEqual(rank(index, 'x'.repeat(200)), []);
});
