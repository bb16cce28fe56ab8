// The programme's heavy lifting off the page's thread: the bundle's JSON parsed and kept in IndexedDB, or read
// back and parsed, then handed to the page in slices. A city's bundle parsed on the page is one long task (a
// frozen phone); here each slice is a message of its own, a short task on the page (lib/store.js assembles them).
//
// Asked {id, op: 'store', name, buffer, etag}: posts the bundle's records per kind (in order, store.inOrder) and its
// other fields in slices, then {id, parsed: cursor}, stores it, then {id, done: {}}. Asked {id, op: 'load', name}:
// posts Store.programme()'s byKind and extra in slices, then {id, done: {cursor}}. A failure is {id, error, name}: after {parsed}, the bundle is in the
// page's hands but not stored (quota exceeded, private browsing).

import { inOrder, splitBundle, Store } from '../lib/store.js';

/** Records per message: a few milliseconds for the page to take in, even on a slow phone. */
const SLICE = 150;

const stores = new Map();
const open = (name) => {
  if (!stores.has(name)) stores.set(name, Store.open(name));
  return stores.get(name);
};

function send(id, key, fields) {
  for (const [field, value] of Object.entries(fields)) {
    if (!Array.isArray(value)) postMessage({ id, key, field, value });
    else if (!value.length) postMessage({ id, key, field, value, append: true });
    for (let i = 0; Array.isArray(value) && i < value.length; i += SLICE) {
      postMessage({ id, key, field, value: value.slice(i, i + SLICE), append: true });
    }
  }
}

self.onmessage = async ({ data }) => {
  const { id, op, name } = data;
  try {
    if (op === 'store') {
      const text = new TextDecoder().decode(data.buffer);
      const bundle = JSON.parse(text);
      const { byKind, extra } = splitBundle(bundle);
      send(id, 'byKind', inOrder(byKind));
      send(id, 'extra', extra);
      postMessage({ id, parsed: { version: bundle.version } });
      await (await open(name)).replaceProgramme(text, bundle, data.etag);
      postMessage({ id, done: {} });
    } else {
      const { cursor, byKind, extra } = await (await open(name)).programme();
      send(id, 'byKind', byKind);
      send(id, 'extra', extra);
      postMessage({ id, done: { cursor } });
    }
  } catch (error) {
    postMessage({ id, error: String(error?.message || error), name: error?.name || 'Error' });
  }
};
