// The creator's provenance keys: ECDSA P-256 key pairs made with WebCrypto on first
// use, the private half non-extractable, kept in IndexedDB (a CryptoKey survives
// structured cloning, so the secret never exists as bytes the page can read).
// Keys are named: "signing" signs provenance records and Content Credentials claims,
// "root" issues the creator's signing certificate once.
//
// The creator's certificates (DER bytes, public) sit beside the keys, so the root
// certificate a creator publishes stays the same from one export to the next.
//
// Exports: keyPair(name), sign(name, bytes) → 64-byte raw r‖s (ECDSA P-256, SHA-256),
// publicKeyRaw(name) → 65-byte uncompressed point, publicKeySpki(name),
// publicKeyJwk(name), fingerprint(name) → "AB12 CD34 …" (SHA-256 of the SPKI, as
// app/core/signing.py writes it), forgetKey(name), loadCertificate(name) → bytes or
// null, saveCertificate(name, bytes).

const DATABASE = "musespark-keys";
const STORE = "keys";
const CERTIFICATES = "certificates";
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256" };

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let opened = null;
function database() {
  if (!opened) {
    const req = indexedDB.open(DATABASE, 2);
    req.onupgradeneeded = () => {
      for (const name of [STORE, CERTIFICATES]) {
        if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
      }
    };
    opened = request(req).catch((error) => {
      opened = null;
      throw new Error(`The key store (IndexedDB) cannot be opened: ${error?.message ?? error}. ` +
        "Private browsing or blocked site data prevents keeping a signing key.");
    });
  }
  return opened;
}

async function transact(mode, action, storeName = STORE) {
  const db = await database();
  return request(action(db.transaction(storeName, mode).objectStore(storeName)));
}

const pending = new Map();

/** The named key pair, created (non-extractable) and stored on first use. */
export function keyPair(name = "signing") {
  if (!pending.has(name)) {
    const made = (async () => {
      const stored = await transact("readonly", (store) => store.get(name));
      if (stored) return stored;
      const pair = await crypto.subtle.generateKey(ALGORITHM, false, ["sign", "verify"]);
      const entry = { privateKey: pair.privateKey, publicKey: pair.publicKey, created: new Date().toISOString() };
      await transact("readwrite", (store) => store.add(entry, name));
      return entry;
    })();
    made.catch(() => pending.delete(name));  // a failed attempt can be retried
    pending.set(name, made);
  }
  return pending.get(name);
}

/** The raw 64-byte r‖s ECDSA P-256/SHA-256 signature of bytes. */
export async function sign(name, bytes) {
  const { privateKey } = await keyPair(name);
  return new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, bytes));
}

export async function publicKeyRaw(name = "signing") {
  return new Uint8Array(await crypto.subtle.exportKey("raw", (await keyPair(name)).publicKey));
}

export async function publicKeySpki(name = "signing") {
  return new Uint8Array(await crypto.subtle.exportKey("spki", (await keyPair(name)).publicKey));
}

export async function publicKeyJwk(name = "signing") {
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", (await keyPair(name)).publicKey);
  return { kty, crv, x, y };
}

/** SHA-256 of the public key's SPKI as 16 groups of 4 upper-case hex digits. */
export async function fingerprint(name = "signing") {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await publicKeySpki(name)));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
  return hex.match(/.{4}/g).join(" ");
}

/** Delete the named key pair for good (records it signed can still be checked). */
export async function forgetKey(name) {
  pending.delete(name);
  await transact("readwrite", (store) => store.delete(name));
}

/** The named certificate's DER bytes, or null when none is kept. */
export async function loadCertificate(name) {
  const stored = await transact("readonly", (store) => store.get(name), CERTIFICATES);
  return stored ? new Uint8Array(stored) : null;
}

/** Keep a certificate's DER bytes under a name (replacing any kept before). */
export async function saveCertificate(name, bytes) {
  await transact("readwrite", (store) => store.put(new Uint8Array(bytes), name), CERTIFICATES);
}
