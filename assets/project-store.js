// The creator's projects, kept in this browser's IndexedDB ("musespark-projects").
// Each record holds a whole project file (app/core/project.py writes and checks it;
// this module never looks inside), its name and when it was last saved.
//
// Database versions, each upgraded from the one before in `onupgradeneeded`:
//   1: store "projects" (key path "id"), records {id, name, updated, file}.
//   2: records gain `size` (bytes of the file, shown in the list); an "updated" index
//      lists the newest first; a "settings" store remembers the open project.
//
// Errors are Errors with a `name` the bridge maps to a message: QuotaExceededError
// when the browser's storage for the site is full, StorageUnavailable when the
// database cannot be opened at all.
//
// Exports: DATABASE, VERSION, list() → [{id, name, updated, size}] newest first,
// get(id) → file text or null, put({id, name, updated, file}), remove(id),
// setting(key), setSetting(key, value), persist() → "persisted" | "best-effort" |
// "unsupported" (asks the browser once).

export const DATABASE = "musespark-projects";
export const VERSION = 2;
const PROJECTS = "projects";
const SETTINGS = "settings";
const sizeOf = (text) => new TextEncoder().encode(text).length;

const UPGRADES = {
  1(db) {
    db.createObjectStore(PROJECTS, { keyPath: "id" });
  },
  2(db, transaction) {
    const projects = transaction.objectStore(PROJECTS);
    projects.createIndex("updated", "updated");
    db.createObjectStore(SETTINGS);
    projects.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      cursor.update({ ...cursor.value, size: sizeOf(cursor.value.file) });
      cursor.continue();
    };
  },
};

function named(error, fallback) {
  const failure = new Error(error?.message || fallback);
  failure.name = error?.name || "UnknownError";
  return failure;
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(named(req.error, "The request failed"));
  });
}

let db = null;
let opening = null;

function database() {
  if (db) return Promise.resolve(db);
  if (!opening) {
    const req = indexedDB.open(DATABASE, VERSION);
    req.onupgradeneeded = (event) => {
      for (let version = event.oldVersion + 1; version <= VERSION; version++) {
        UPGRADES[version](req.result, req.transaction);
      }
    };
    opening = request(req).then((opened) => {
      opened.onversionchange = () => { opened.close(); db = null; opening = null; };
      db = opened;
      return opened;
    }, (error) => {
      opening = null;
      const failure = new Error(`Projects cannot be kept in this browser (IndexedDB: ${error.message}). ` +
        "Private browsing or blocked site data prevents it; export the project to keep it.");
      failure.name = "StorageUnavailable";
      throw failure;
    });
  }
  return opening;
}

/** Run `action(store)` in one transaction; resolves with its result once committed. */
function transact(storeName, mode, action) {
  const run = (opened) => new Promise((resolve, reject) => {
    let result;
    let transaction;
    try {
      transaction = opened.transaction(storeName, mode);
      const req = action(transaction.objectStore(storeName));
      if (req) req.onsuccess = () => { result = req.result; };
    } catch (error) {
      reject(named(error, "The browser refused to store the project"));
      return;
    }
    transaction.oncomplete = () => resolve(result);
    transaction.onabort = transaction.onerror = () =>
      reject(named(transaction.error, "The browser refused to store the project"));
  });
  // With the database open the transaction starts now, in this task: a save begun
  // while the page is being hidden or closed is not left waiting for a later one.
  return db ? run(db) : database().then(run);
}

export async function list() {
  const records = await transact(PROJECTS, "readonly", (store) => store.index("updated").getAll());
  return records.reverse().map(({ id, name, updated, size }) => ({ id, name, updated, size: size ?? 0 }));
}

export async function get(id) {
  const record = await transact(PROJECTS, "readonly", (store) => store.get(id));
  return record ? record.file : null;
}

export function put({ id, name, updated, file }) {
  return transact(PROJECTS, "readwrite", (store) => store.put({ id, name, updated, file, size: sizeOf(file) }));
}

export function remove(id) {
  return transact(PROJECTS, "readwrite", (store) => store.delete(id));
}

export async function setting(key) {
  return (await transact(SETTINGS, "readonly", (store) => store.get(key))) ?? null;
}

export function setSetting(key, value) {
  return transact(SETTINGS, "readwrite", (store) => store.put(value, key));
}

let persisting = null;

export function persist() {
  if (!persisting) {
    persisting = (async () => {
      if (!navigator.storage?.persist) return "unsupported";
      try {
        return (await navigator.storage.persisted()) || (await navigator.storage.persist()) ? "persisted" : "best-effort";
      } catch {
        return "best-effort";
      }
    })();
  }
  return persisting;
}
