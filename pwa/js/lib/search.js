// Search that ignores case and Vietnamese diacritics, ranked exactly as the server ranks
// (server/programme/search.py and Snapshot.search); tests/unit/test_search_parity.py keeps them equal.
//
// Ranking (higher first): the whole name equals the query 100; the name starts with it 80; every query
// word starts a word of the name 60; the name contains it 50; every query word found in the other fields 20.
// Ties: venues before events, then by folded English name, then id. The server answers at most 50; the phone
// ranks every match (rank) so the programme can say the true total and show more.
//
// The index folds every record once per programme version and keeps its words ready (a Set and a sorted list),
// so a keystroke only compares the query with them.

const NOT_WORD = /[^a-z0-9]+/g;

// Python strips the characters whose canonical combining class is not 0 (unicodedata.combining) after
// NFD. JavaScript cannot ask for that class, so here they are, from Python's Unicode database
// (tests/unit/test_search_parity.py checks fold() on every code point).
const MARKS = new RegExp(
  '[' +
  '\u{300}-\u{34e}\u{350}-\u{36f}\u{483}-\u{487}\u{591}-\u{5bd}\u{5bf}\u{5c1}\u{5c2}\u{5c4}\u{5c5}' +
  '\u{5c7}\u{610}-\u{61a}\u{64b}-\u{65f}\u{670}\u{6d6}-\u{6dc}\u{6df}-\u{6e4}\u{6e7}\u{6e8}' +
  '\u{6ea}-\u{6ed}\u{711}\u{730}-\u{74a}\u{7eb}-\u{7f3}\u{7fd}\u{816}-\u{819}\u{81b}-\u{823}' +
  '\u{825}-\u{827}\u{829}-\u{82d}\u{859}-\u{85b}\u{898}-\u{89f}\u{8ca}-\u{8e1}\u{8e3}-\u{8ff}\u{93c}' +
  '\u{94d}\u{951}-\u{954}\u{9bc}\u{9cd}\u{9fe}\u{a3c}\u{a4d}\u{abc}\u{acd}\u{b3c}\u{b4d}\u{bcd}\u{c3c}' +
  '\u{c4d}\u{c55}\u{c56}\u{cbc}\u{ccd}\u{d3b}\u{d3c}\u{d4d}\u{dca}\u{e38}-\u{e3a}\u{e48}-\u{e4b}' +
  '\u{eb8}-\u{eba}\u{ec8}-\u{ecb}\u{f18}\u{f19}\u{f35}\u{f37}\u{f39}\u{f71}\u{f72}\u{f74}' +
  '\u{f7a}-\u{f7d}\u{f80}\u{f82}-\u{f84}\u{f86}\u{f87}\u{fc6}\u{1037}\u{1039}\u{103a}\u{108d}' +
  '\u{135d}-\u{135f}\u{1714}\u{1715}\u{1734}\u{17d2}\u{17dd}\u{18a9}\u{1939}-\u{193b}\u{1a17}\u{1a18}' +
  '\u{1a60}\u{1a75}-\u{1a7c}\u{1a7f}\u{1ab0}-\u{1abd}\u{1abf}-\u{1ace}\u{1b34}\u{1b44}\u{1b6b}-\u{1b73}' +
  '\u{1baa}\u{1bab}\u{1be6}\u{1bf2}\u{1bf3}\u{1c37}\u{1cd0}-\u{1cd2}\u{1cd4}-\u{1ce0}\u{1ce2}-\u{1ce8}' +
  '\u{1ced}\u{1cf4}\u{1cf8}\u{1cf9}\u{1dc0}-\u{1dff}\u{20d0}-\u{20dc}\u{20e1}\u{20e5}-\u{20f0}' +
  '\u{2cef}-\u{2cf1}\u{2d7f}\u{2de0}-\u{2dff}\u{302a}-\u{302f}\u{3099}\u{309a}\u{a66f}\u{a674}-\u{a67d}' +
  '\u{a69e}\u{a69f}\u{a6f0}\u{a6f1}\u{a806}\u{a82c}\u{a8c4}\u{a8e0}-\u{a8f1}\u{a92b}-\u{a92d}\u{a953}' +
  '\u{a9b3}\u{a9c0}\u{aab0}\u{aab2}-\u{aab4}\u{aab7}\u{aab8}\u{aabe}\u{aabf}\u{aac1}\u{aaf6}\u{abed}' +
  '\u{fb1e}\u{fe20}-\u{fe2f}\u{101fd}\u{102e0}\u{10376}-\u{1037a}\u{10a0d}\u{10a0f}\u{10a38}-\u{10a3a}' +
  '\u{10a3f}\u{10ae5}\u{10ae6}\u{10d24}-\u{10d27}\u{10eab}\u{10eac}\u{10f46}-\u{10f50}' +
  '\u{10f82}-\u{10f85}\u{11046}\u{11070}\u{1107f}\u{110b9}\u{110ba}\u{11100}-\u{11102}' +
  '\u{11133}\u{11134}\u{11173}\u{111c0}\u{111ca}\u{11235}\u{11236}\u{112e9}\u{112ea}\u{1133b}\u{1133c}' +
  '\u{1134d}\u{11366}-\u{1136c}\u{11370}-\u{11374}\u{11442}\u{11446}\u{1145e}\u{114c2}\u{114c3}' +
  '\u{115bf}\u{115c0}\u{1163f}\u{116b6}\u{116b7}\u{1172b}\u{11839}\u{1183a}\u{1193d}\u{1193e}\u{11943}' +
  '\u{119e0}\u{11a34}\u{11a47}\u{11a99}\u{11c3f}\u{11d42}\u{11d44}\u{11d45}\u{11d97}\u{16af0}-\u{16af4}' +
  '\u{16b30}-\u{16b36}\u{16ff0}\u{16ff1}\u{1bc9e}\u{1d165}-\u{1d169}\u{1d16d}-\u{1d172}' +
  '\u{1d17b}-\u{1d182}\u{1d185}-\u{1d18b}\u{1d1aa}-\u{1d1ad}\u{1d242}-\u{1d244}\u{1e000}-\u{1e006}' +
  '\u{1e008}-\u{1e018}\u{1e01b}-\u{1e021}\u{1e023}\u{1e024}\u{1e026}-\u{1e02a}\u{1e130}-\u{1e136}' +
  '\u{1e2ae}\u{1e2ec}-\u{1e2ef}\u{1e8d0}-\u{1e8d6}\u{1e944}-\u{1e94a}' +
  ']', 'gu');

export const SEARCH_LIMIT = 50;

/** "Làng gốm Bát Tràng" → "lang gom bat trang" (server: search.fold). */
export function fold(text) {
  const decomposed = String(text ?? '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFD');
  return decomposed.replace(MARKS, '').toLowerCase().replace(NOT_WORD, ' ').trim();
}

const words = (text) => text.split(' ').filter(Boolean);

/** What scoring needs of a record's folded fields, made once: its names' words, every word, sorted. */
function fields(names, others) {
  const all = new Set(words([...names, ...others].join(' ')));
  return { names, nameWords: names.map(words), words: all, sorted: [...all].sort() };
}

/** Whether some word of the sorted list starts with `prefix` (binary search for the first word ≥ it). */
function anyStartsWith(sorted, prefix) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo].startsWith(prefix);
}

function scoreFields(query, queryWords, f) {
  if (!query) return 0;
  let best = 0;
  for (let i = 0; i < f.names.length; i += 1) {
    const name = f.names[i];
    if (name === query) return 100;
    if (name.startsWith(query)) {
      best = Math.max(best, 80);
      continue;
    }
    const nameWords = f.nameWords[i];
    if (queryWords.every((w) => nameWords.some((nw) => nw.startsWith(w)))) best = Math.max(best, 60);
    else if (name.includes(query)) best = Math.max(best, 50);
  }
  if (best) return best;
  // as server/programme/search.py: elsewhere the words must be words there, the last one as typed a beginning
  const last = queryWords.length - 1;
  for (let i = 0; i < last; i += 1) if (!f.words.has(queryWords[i])) return 0;
  return anyStartsWith(f.sorted, queryWords[last]) ? 20 : 0;
}

/** How well a record matches an already folded query; 0 means no match (server: search.score). */
export function score(query, names, others) {
  return scoreFields(query, words(query), fields(names, others));
}

function venueEntry(v) {
  return {
    type: 'venue', id: v.id, record: v, sortName: fold(v.name.en),
    fields: fields([fold(v.name.vi), fold(v.name.en)],
      [fold(v.district), fold(v.address?.vi), fold(v.address?.en), fold(v.description?.vi),
        fold(v.description?.en), v.kind.replaceAll('_', ' ')]),
  };
}

function eventEntry(e, venue) {
  return {
    type: 'event', id: e.id, record: e, sortName: fold(e.title.en),
    fields: fields([fold(e.title.vi), fold(e.title.en)],
      [fold(e.description?.vi), fold(e.description?.en), e.category, (e.tags || []).join(' ')]
        .concat(venue ? [fold(venue.name.vi), fold(venue.name.en)] : [])),
  };
}

/** The searchable fields of every venue and event, folded once per programme version. */
export function buildIndex(venues, events) {
  const byId = new Map(venues.map((v) => [v.id, v]));
  return [...venues.map(venueEntry), ...events.map((e) => eventEntry(e, byId.get(e.venue_id)))];
}

/** Milliseconds of folding between two yields: a slow phone folds a few dozen records in that time, and a
 * count of records per slice was a long task there when descriptions ran long. */
const SLICE_MS = 8;

/** Lets the page's thread go (input, paint) before the next slice. */
const yieldToPage = () => (globalThis.scheduler?.yield ? globalThis.scheduler.yield()
  : new Promise((resolve) => { setTimeout(resolve, 0); }));

/** buildIndex's answer, made a few milliseconds at a time with the page's thread let go in between (no long task). */
export async function buildIndexInSlices(venues, events) {
  const byId = new Map(venues.map((v) => [v.id, v]));
  const entries = [];
  let since = performance.now();
  const total = venues.length + events.length;
  for (let i = 0; i < total; i += 1) {
    if (performance.now() - since > SLICE_MS) {
      await yieldToPage();
      since = performance.now();
    }
    const e = i < venues.length ? null : events[i - venues.length];
    entries.push(e ? eventEntry(e, byId.get(e.venue_id)) : venueEntry(venues[i]));
  }
  return entries;
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Every hit `{type, id, score, record}` for the words `q`, best first (server: Snapshot.search, uncapped). */
export function rank(index, q) {
  const query = fold(q);
  if (!query) return [];
  const queryWords = words(query);
  const hits = [];
  for (const entry of index) {
    const s = scoreFields(query, queryWords, entry.fields);
    if (s) hits.push({ entry, s });
  }
  hits.sort((a, b) => b.s - a.s
    || (a.entry.type === 'venue' ? 0 : 1) - (b.entry.type === 'venue' ? 0 : 1)
    || cmp(a.entry.sortName, b.entry.sortName)
    || cmp(a.entry.id, b.entry.id));
  return hits.map(({ entry, s }) => ({ type: entry.type, id: entry.id, score: s, record: entry.record }));
}

/** The first `limit` hits of `rank`, as GET /api/search answers. */
export function search(index, q, limit = SEARCH_LIMIT) {
  return rank(index, q).slice(0, limit);
}
