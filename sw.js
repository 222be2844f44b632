/**
 * The studio's service worker: after one online visit the whole studio (runtime,
 * Python, the model) starts and writes with the network off.
 *
 * - App shell (every file in offline-files.js "shell", written by build/setup.py):
 *   precached at install, each file checked against its sha256, into a cache named
 *   after the build's version. A file unchanged since the version already on this
 *   device is copied from its cache instead of downloaded again.
 * - Model files (offline-files.js "models"): saved when the page asks ("save-model",
 *   before it loads a model), each downloaded once, into a cache of their own that
 *   outlives app updates; entries a new build no longer lists, or lists with another
 *   hash, are dropped. (Saving from the page's own model requests would download a
 *   file twice: transformers.js first requests every file, unread, to learn its size.)
 * - Model files of the deployment's model host (another origin): saved the same way when
 *   the page asks, each checked against the size and sha256 the host's catalogue lists
 *   (the page hands them over), and kept until the person deletes them.
 * - Same-origin GETs: cache first, then the network. Page navigations get the
 *   cached index.html, whatever the query string. Other origins' GETs: the saved model
 *   file where there is one, else the network. The deployment's model-host.json: the
 *   network first, then the copy last seen, then "{}" (no host).
 * - Updates wait for the person: a new version installs, then waits until a page
 *   posts {type: "skip-waiting"} (the page's "Update available — reload" button).
 *
 * Requests from pages (answers go to the MessagePort sent with the request, as
 * {progress} messages, then one {result} or {error}):
 *   {type: "skip-waiting"} (no answer)
 *   {type: "status"} → {version, shell: {files, bytes, complete}, models: {files, bytes, byModel}}
 *   {type: "save-model", paths, hosted: [{url, model, size, sha256}]} → {files, bytes}; progress {loaded, total}
 *   {type: "delete-model", id} → {files, bytes} (what was deleted)
 *   {type: "clear-models"} → {files, bytes} (what was deleted)
 * Messages to every page: {type: "install-progress", version, loaded, total},
 *   {type: "install-failed", version, message}.
 */
// Served with the page's policy, which requires Trusted Types for script URLs here too: this
// worker's only script URL is its file list, and the policy admits nothing else.
const FILE_LIST = "./offline-files.js";
importScripts(self.trustedTypes ? self.trustedTypes.createPolicy("default", {
  createScriptURL(url) {
    if (url === FILE_LIST) return url;
    throw new TypeError(`Trusted Types: the service worker loads no script but ${FILE_LIST}, not ${url}`);
  },
}).createScriptURL(FILE_LIST) : FILE_LIST);

const { version, shell, models } = self.offlineFiles;
const SHELL_PREFIX = "musespark-shell-";
const SHELL_CACHE = `${SHELL_PREFIX}${version}`;
const MODEL_CACHE = "musespark-models";
const HOST_CONFIG = "model-host.json";
/** Response headers recording the sha256 a cached copy was checked against, and (for a model
 * host's file) the model it belongs to. */
const HASH_HEADER = "X-MuseSpark-SHA256";
const MODEL_HEADER = "X-MuseSpark-Model";
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

/** Fetch a file for a cache, bypassing the HTTP cache (the file is stored once, here). */
async function download(path) {
  let response;
  try {
    response = await fetch(urlOf(path), { cache: "no-store" });
  } catch {
    throw new Error(`${path} could not be downloaded (the network failed)`);
  }
  if (!response.ok) throw new Error(`${path} could not be downloaded (HTTP ${response.status})`);
  return response;
}

/** Run task(item) over items, a few at a time. */
async function inParallel(items, task) {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  };
  await Promise.all(Array.from({ length: PARALLEL_DOWNLOADS }, worker));
}

// --- the app shell ---

/** A cached copy of path whose content has the given sha256, from any of the caches. */
async function findCopy(cacheNames, path, sha256) {
  for (const name of cacheNames) {
    const copy = await (await caches.open(name)).match(urlOf(path));
    if (copy?.headers.get(HASH_HEADER) === sha256) return copy;
  }
  return null;
}

/** Download one shell file, check its hash and store it. */
async function saveShellFile(cache, path, sha256) {
  const response = await download(path);
  const body = await response.arrayBuffer();
  if (hex(await crypto.subtle.digest("SHA-256", body)) !== sha256) {
    throw new Error(`${path} does not match this build (the site may be mid-update)`);
  }
  await cache.put(urlOf(path), marked(response, sha256, body));
}

/** Fill this version's shell cache: keep what is there, copy unchanged files, download the rest. */
async function precacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  const previous = (await caches.keys()).filter((name) => name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE);
  const total = sum(Object.values(shell).map((info) => info.size));
  let loaded = 0;
  let reported = 0;
  await inParallel(Object.entries(shell), async ([path, { sha256, size }]) => {
    if ((await cache.match(urlOf(path)))?.headers.get(HASH_HEADER) !== sha256) {
      const copy = await findCopy(previous, path, sha256);
      if (copy) await cache.put(urlOf(path), copy);
      else await saveShellFile(cache, path, sha256);
    }
    loaded += size;
    if (loaded - reported > total / 50 || loaded === total) {
      reported = loaded;
      await postToPages({ type: "install-progress", version, loaded, total });
    }
  });
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    precacheShell().catch(async (error) => {
      await postToPages({ type: "install-failed", version, message: error.message });
      throw error;
    }),
  );
});

// --- model files ---

/** Downloads in progress, by path, so that two requests for a file share one download. */
const modelDownloads = new Map();

/** Download one listed model file into the model cache, counting its bytes as they arrive. */
async function saveModelFile(path, onBytes) {
  const { size, sha256 } = models[path];
  const response = await download(path);
  const counted = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      onBytes(chunk.byteLength);
      controller.enqueue(chunk);
    },
  }));
  const cache = await caches.open(MODEL_CACHE);
  await cache.put(urlOf(path), marked(response, sha256, counted));
  if ((await (await cache.match(urlOf(path))).blob()).size !== size) {
    await cache.delete(urlOf(path));
    throw new Error(`${path} arrived with a different size than this build lists: run the set-up again`);
  }
}

/** Download one file of the model host into the model cache, counting its bytes; it is kept
 * only if its size and sha256 are those the host's catalogue lists. */
async function saveHostedFile({ url, model, size, sha256 }, onBytes) {
  let response;
  try {
    response = await fetch(url, { cache: "no-store", mode: "cors" });
  } catch {
    throw new Error(`${url} could not be downloaded (the network failed, or the model host does not allow this origin)`);
  }
  if (!response.ok) throw new Error(`${url} could not be downloaded (HTTP ${response.status})`);
  const parts = [];
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    parts.push(read.value);
    onBytes(read.value.byteLength);
  }
  const body = new Blob(parts);
  if (body.size !== size || hex(await crypto.subtle.digest("SHA-256", await body.arrayBuffer())) !== sha256) {
    throw new Error(`${url} is not the file the model host lists (its size or sha256 differs), so it was not saved`);
  }
  const headers = new Headers(response.headers);
  headers.set(MODEL_HEADER, model);
  await (await caches.open(MODEL_CACHE)).put(url, marked(new Response(body, { headers }), sha256));
}

/** Save the listed model files not yet kept (this build's `paths`, the model host's `hosted`
 * files), reporting {loaded, total} bytes. */
async function saveModel({ paths, hosted = [] }, onProgress) {
  const unknown = paths.filter((path) => !(path in models));
  if (unknown.length) throw new Error(`not files of this build's models: ${unknown.join(", ")}`);
  const files = [
    ...paths.map((path) => ({ url: urlOf(path), size: models[path].size, sha256: models[path].sha256,
      save: (count) => saveModelFile(path, count) })),
    ...hosted.map((file) => ({ ...file, save: (count) => saveHostedFile(file, count) })),
  ];
  const cache = await caches.open(MODEL_CACHE);
  const total = sum(files.map((file) => file.size));
  let loaded = 0;
  const count = (bytes) => {
    loaded += bytes;
    onProgress({ loaded, total });
  };
  let failure = null; // the first; no download starts after it, and those under way finish
  await inParallel(files, async (file) => {
    if (failure) return;
    try {
      if ((await cache.match(file.url))?.headers.get(HASH_HEADER) === file.sha256) {
        count(file.size);
        return;
      }
      let saving = modelDownloads.get(file.url);
      if (!saving) {
        saving = file.save(count).finally(() => modelDownloads.delete(file.url));
        modelDownloads.set(file.url, saving);
        await saving;
      } else {
        await saving;
        count(file.size);
      }
    } catch (error) {
      failure ??= error;
    }
  });
  if (failure) {
    for (const file of hosted) await cache.delete(file.url); // a model host's model is kept whole or not at all
    throw failure;
  }
  return { files: files.length, bytes: total };
}

/** Drop model files this build does not list, or lists with other content (a model host's
 * files stay: they were checked when saved, and are the person's to delete). */
async function pruneModels() {
  const cache = await caches.open(MODEL_CACHE);
  for (const request of await cache.keys()) {
    const path = scopedPath(new URL(request.url));
    if (path === null || path === HOST_CONFIG) continue;
    const listed = models[path];
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

// --- serving ---

/** model-host.json, kept from the last answer so that offline the page still knows its host. */
async function respondHostConfig(request) {
  const cache = await caches.open(MODEL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch {
    return (await cache.match(request)) ?? Response.json({});
  }
}

async function respond(request, path) {
  if (path === HOST_CONFIG) return respondHostConfig(request);
  const navigation = request.mode === "navigate" && (path === "" || path === "index.html");
  const cache = await caches.open(path in models ? MODEL_CACHE : SHELL_CACHE);
  return (await cache.match(navigation ? urlOf("index.html") : request)) ?? fetch(request);
}

/** A model host's file from the model cache, else the network. */
async function respondElsewhere(request) {
  return (await (await caches.open(MODEL_CACHE)).match(request)) ?? fetch(request);
}

self.addEventListener("fetch", (event) => {
  if (event.request.method !== "GET") return;
  const url = new URL(event.request.url);
  const path = scopedPath(url);
  if (path !== null) event.respondWith(respond(event.request, path));
  else if (url.origin !== scope.origin) event.respondWith(respondElsewhere(event.request));
});

// --- requests from pages ---

/** The saved model files: {request, model, bytes} (a model host's by the model it was saved
 * for; this build's by the folder under models/, or ort-webgpu for the WebGPU runtime). */
async function savedModelFiles() {
  const cache = await caches.open(MODEL_CACHE);
  const files = [];
  for (const request of await cache.keys()) {
    const path = scopedPath(new URL(request.url));
    if (path !== null) {
      if (path in models) files.push({ request, model: path.split("/")[1], bytes: models[path].size });
      continue;
    }
    const copy = await cache.match(request);
    files.push({ request, model: copy.headers.get(MODEL_HEADER) ?? "", bytes: (await copy.blob()).size });
  }
  return files;
}

/** What is kept on this device: shell files and bytes of this version, model files by model. */
async function status() {
  const shellPaths = (await (await caches.open(SHELL_CACHE)).keys()).map((request) => scopedPath(new URL(request.url)))
    .filter((path) => path in shell);
  const modelFiles = await savedModelFiles();
  const byModel = {};
  for (const { model, bytes } of modelFiles) byModel[model] = (byModel[model] ?? 0) + bytes;
  return {
    version,
    shell: {
      files: shellPaths.length,
      bytes: sum(shellPaths.map((path) => shell[path].size)),
      complete: shellPaths.length === Object.keys(shell).length,
    },
    models: { files: modelFiles.length, bytes: sum(modelFiles.map((file) => file.bytes)), byModel },
  };
}

async function deleteModel({ id }) {
  const cache = await caches.open(MODEL_CACHE);
  const files = (await savedModelFiles()).filter((file) => file.model === id);
  for (const { request } of files) await cache.delete(request);
  return { files: files.length, bytes: sum(files.map((file) => file.bytes)) };
}

async function clearModels() {
  const { models: kept } = await status();
  await caches.delete(MODEL_CACHE);
  return { files: kept.files, bytes: kept.bytes };
}

const requests = { status, "save-model": saveModel, "delete-model": deleteModel, "clear-models": clearModels };

self.addEventListener("message", (event) => {
  const { data } = event;
  if (data?.type === "skip-waiting") {
    // Outside event.waitUntil: called inside it, Chromium 156 left the new worker waiting.
    self.skipWaiting();
    return;
  }
  const [port] = event.ports;
  const handle = requests[data?.type];
  if (!handle) {
    port?.postMessage({ error: `Unknown request "${data?.type}".` });
    return;
  }
  event.waitUntil(
    (async () => {
      try {
        port?.postMessage({ result: await handle(data, (progress) => port?.postMessage({ progress })) });
      } catch (error) {
        port?.postMessage({ error: String(error?.message ?? error) });
      }
    })(),
  );
});
