// A tiny promise wrapper around IndexedDB: open, one transaction at a time, requests as promises.

/** The result of an IDBRequest. */
export function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Open (and upgrade) a database; `upgrade(db, oldVersion, tx)` creates the stores. */
export function openDB(name, version, upgrade) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, version);
    req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion, req.transaction);
    req.onsuccess = () => {
      const db = req.result;
      // Another tab wants a newer schema: step aside so it can upgrade.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('the database is held open by an older version of this app in another tab'));
  });
}

/**
 * Run `work(stores)` in one transaction over `names`; resolves with what `work` returned once the
 * transaction has committed (so nothing is reported done that a crash could still undo).
 * `work` may be async but must only await requests of this transaction.
 */
export function transaction(db, names, mode, work) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode, { durability: 'strict' });
    const stores = Object.fromEntries([].concat(names).map((n) => [n, tx.objectStore(n)]));
    let result;
    let failed = null;
    Promise.resolve()
      .then(() => work(stores, tx))
      .then((value) => { result = value; }, (error) => {
        failed = error;
        try { tx.abort(); } catch { /* already finished */ }
      });
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(failed || tx.error);
    tx.onabort = () => reject(failed || tx.error || new Error('transaction aborted'));
  });
}
