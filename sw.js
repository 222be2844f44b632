/**
 * The studio's service worker: after one online visit the whole studio (runtime,
 * Python, the model) starts and writes with the network off.
 *
 * - App shell (every file in offline-files.js "shell", written by build/setup.py):
 *   precached at install, each file checked against its sha256, into a cache named
 *   after the build's version. A file unchanged since the version already on this
 *   device is copied from its cache instead of downloaded again.
 * - Model files (offline-files.js "models"): cached as the page fetches them, so the
 *   model it loads is downloaded once, into a cache of their own that outlives app
 *   updates; entries a new build no longer lists (or lists with another hash) are dropped.
 * - Same-origin GETs: cache first, then the network. Page navigations get the
 *   cached index.html, whatever the query string.
 * - Updates wait for the person: a new version installs, then waits until a page
 *   posts {type: "skip-waiting"} (the page's "Update available — reload" button).
 *
 * Requests from pages (the reply goes to the MessagePort sent with the message):
 *   {type: "skip-waiting"}
 *   {type: "status"} → {version, shell: {files, bytes, complete}, models: {files, bytes, byModel}}
 *   {type: "clear-models"} → {files, bytes} (what was deleted)
 * Messages to pages: {type: "install-progress", version, loaded, total},
 *   {type: "install-failed", version, message}, {type: "model-saved", url}.
 */
importScripts("./offline-files.js");

const { version, shell, models } = self.offlineFiles;
const SHELL_PREFIX = "musespark-shell-";
const SHELL_CACHE = `${SHELL_PREFIX}${version}`;
const MODEL_CACHE = "musespark-models";
/** Response header recording the sha256 a cached copy was checked against. */
const HASH_HEADER = "X-MuseSpark-SHA256";
const PARALLEL_DOWNLOADS = 4;

const scope = new URL(self.registration.scope);
/** A same-origin URL's path relative to the scope ("" for the scope itself), or null outside it. */
function scopedPath(url) {
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  return decodeURIComponent(url.pathname.slice(scope.pathname.length));
}
const urlOf = (path) => new URL(path, scope).href;
const sum = (values) => values.reduce((total, value) => total + value, 0);

async function postToPages(data) {
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
    client.postMessage(data);
  }
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A copy of a response to store, marked with the sha256 it is known to have. */
function marked(response, sha256, body = response.body) {
  const headers = new Headers(response.headers);
  headers.set(HASH_HEADER, sha256);
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** A cached copy of path whose content has the given sha256, from any of the caches. */
async function findCopy(cacheNames, path, sha256) {
  for (const name of cacheNames) {
    const copy = await (await caches.open(name)).match(urlOf(path));
    if (copy?.headers.get(HASH_HEADER) === sha256) return copy;
  }
  return null;
}

/** Download one shell file, check its hash and store it; throws a message naming the file. */
async function download(cache, path, sha256) {
  let response;
  try {
    response = await fetch(urlOf(path), { cache: "no-store" });
  } catch {
    throw new Error(`${path} could not be downloaded (the network failed)`);
  }
  if (!response.ok) throw new Error(`${path} could not be downloaded (HTTP ${response.status})`);
  const body = await response.arrayBuffer();
  const actual = hex(await crypto.subtle.digest("SHA-256", body));
  if (actual !== sha256) {
    throw new Error(`${path} does not match this build (the site may be mid-update)`);
  }
  await cache.put(urlOf(path), marked(response, sha256, body));
}

/** Fill this version's shell cache: keep what is there, copy unchanged files, download the rest. */
async function precacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  const previous = (await caches.keys()).filter((name) => name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE);
  const queue = Object.entries(shell);
  const total = sum(queue.map(([, info]) => info.size));
  let loaded = 0;
  let reported = 0;
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [path, { sha256, size }] = next;
      if ((await cache.match(urlOf(path)))?.headers.get(HASH_HEADER) !== sha256) {
        const copy = await findCopy(previous, path, sha256);
        if (copy) await cache.put(urlOf(path), copy);
        else await download(cache, path, sha256);
      }
      loaded += size;
      if (loaded - reported > total / 50 || loaded === total) {
        reported = loaded;
        await postToPages({ type: "install-progress", version, loaded, total });
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_DOWNLOADS }, worker));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    precacheShell().catch(async (error) => {
      await postToPages({ type: "install-failed", version, message: error.message });
      throw error;
    }),
  );
});

/** Drop model files this build does not list, or lists with other content. */
async function pruneModels() {
  const cache = await caches.open(MODEL_CACHE);
  for (const request of await cache.keys()) {
    const listed = models[scopedPath(new URL(request.url))];
    const copy = listed && (await cache.match(request));
    if (!listed || copy.headers.get(HASH_HEADER) !== listed.sha256) await cache.delete(request);
  }
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
      }
      await pruneModels();
      await self.clients.claim();
    })(),
  );
});

/** Keep a model file fetched from the network, if it arrives whole (its listed size). */
async function keepModel(url, response, { size, sha256 }) {
  const cache = await caches.open(MODEL_CACHE);
  await cache.put(url, marked(response, sha256));
  if ((await (await cache.match(url)).blob()).size !== size) await cache.delete(url);
  else await postToPages({ type: "model-saved", url });
}

/** Fetch a file not in the caches; a listed model file is kept on the way to the page. */
async function fromNetwork(event, request, path) {
  const model = models[path];
  if (!model) return fetch(request);
  // No HTTP-cache copy beside the service worker's own: the model is stored once.
  const response = await fetch(request, { cache: "no-store" });
  if (response.status === 200) event.waitUntil(keepModel(request.url, response.clone(), model));
  return response;
}

async function respond(event, path) {
  const { request } = event;
  const navigation = request.mode === "navigate" && (path === "" || path === "index.html");
  const key = navigation ? urlOf("index.html") : request.url;
  const cached = path in models
    ? await (await caches.open(MODEL_CACHE)).match(key)
    : await (await caches.open(SHELL_CACHE)).match(key);
  return cached ?? fromNetwork(event, request, path);
}

self.addEventListener("fetch", (event) => {
  if (event.request.method !== "GET") return;
  const path = scopedPath(new URL(event.request.url));
  if (path === null) return;
  event.respondWith(respond(event, path));
});

/** What is kept on this device: shell files and bytes of this version, model files by model. */
async function status() {
  const shellKeys = await (await caches.open(SHELL_CACHE)).keys();
  const shellPaths = shellKeys.map((request) => scopedPath(new URL(request.url))).filter((path) => path in shell);
  const modelPaths = (await (await caches.open(MODEL_CACHE)).keys())
    .map((request) => scopedPath(new URL(request.url)))
    .filter((path) => path in models);
  const byModel = {};
  for (const path of modelPaths) {
    const id = path.split("/")[1];
    byModel[id] = (byModel[id] ?? 0) + models[path].size;
  }
  return {
    version,
    shell: {
      files: shellPaths.length,
      bytes: sum(shellPaths.map((path) => shell[path].size)),
      complete: shellPaths.length === Object.keys(shell).length,
    },
    models: { files: modelPaths.length, bytes: sum(modelPaths.map((path) => models[path].size)), byModel },
  };
}

async function clearModels() {
  const { models: kept } = await status();
  await caches.delete(MODEL_CACHE);
  return { files: kept.files, bytes: kept.bytes };
}

const requests = {
  "skip-waiting": () => self.skipWaiting(),
  status,
  "clear-models": clearModels,
};

self.addEventListener("message", (event) => {
  const handle = requests[event.data?.type];
  const [port] = event.ports;
  if (!handle) {
    port?.postMessage({ error: `Unknown request "${event.data?.type}".` });
    return;
  }
  event.waitUntil(
    (async () => {
      try {
        port?.postMessage({ result: (await handle()) ?? null });
      } catch (error) {
        port?.postMessage({ error: String(error?.message ?? error) });
      }
    })(),
  );
});
