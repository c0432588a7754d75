// The phone's queue of records made offline: IndexedDB, so that it survives a reload, a closed tab and
// a restarted phone. One record per inspection, under the id the phone made for it.

const DB_NAME = "firebrigade-offline";
const STORE = "records";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(STORE)) {
        const store = db.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("user", "user");
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const store = tx.objectStore(STORE);
      let result;
      Promise.resolve(work(store)).then((value) => { result = value; }, reject);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

function requested(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function newId() {
  if (crypto.randomUUID) { return crypto.randomUUID(); }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Every queued record of `user`, oldest first. */
export async function list(user) {
  const records = await run("readonly", (store) => requested(store.index("user").getAll(user)));
  return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function put(record) {
  await run("readwrite", (store) => requested(store.put(record)));
  return record;
}

export async function remove(id) {
  await run("readwrite", (store) => requested(store.delete(id)));
}

export async function get(id) {
  return run("readonly", (store) => requested(store.get(id)));
}
