// The page's first reads, asked for the moment this module runs. index.html loads it as an async module (it
// imports only the store): it runs as soon as it and the store are loaded, before main.js at the latest, and its
// one transaction answers while the other modules run; main.js imports the same module and takes the answer.

import { Store } from '../../lib/store.js';

/** {store, first}: the opened Store and its `start()` answer. */
export const started = Store.open().then(async (store) => ({ store, first: await store.start() }));
