/**
 * Start-up: shows the named stages (runtime → Python → model) while they
 * happen and starts loading the default model in its worker at once, in
 * parallel with Python. The Python studio picks up the shared client from
 * `globalThis.museSpark` when it is ready, with the key store and the project
 * store (IndexedDB).
 *
 * The big files wait for the service worker (offline.js): on a first visit it
 * saves the app shell, then the runtime and the model load through it, so each
 * is downloaded once and the next start works offline.
 */
import { chooseDevice, deviceFacts, keepPreference, preferredDevice } from "./device.js";
import { keep, kept } from "./kept.js";
import { ModelClient } from "./model-client.js";
import * as keys from "./keystore.js";
import { showDevicePanel, takeControl } from "./offline.js";
import * as projects from "./project-store.js";
import { sanitize, sanitizeContent } from "./sanitizer.js";

const started = performance.now();
const siteRoot = new URL("../", import.meta.url);
const modelsPath = new URL("../models/", import.meta.url).pathname;
const client = new ModelClient();

/** When each stage became ready, in ms since navigation started (read by bench/); `offline`:
 * when the service worker was ready (at once after a first visit). */
const timings = {};

function stage(name, state, detail, progress) {
  if (state === "ready" && !(name in timings)) timings[name] = performance.now();
  const item = document.getElementById(`stage-${name}`);
  if (!item) return;
  item.dataset.state = state;
  if (detail !== undefined) item.querySelector(".stage-detail").textContent = detail;
  const bar = item.querySelector("progress");
  if (bar && progress !== undefined) {
    if (progress === null) bar.removeAttribute("value");
    else bar.value = progress;
  }
  document.documentElement.dataset[`${name}Stage`] = state;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const megabytes = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;

/** The model catalogue: the models built here, and those of the deployment's model host. */
async function fetchCatalogue() {
  const response = await fetch(new URL("catalogue.json", new URL(modelsPath, location.href)));
  if (!response.ok) {
    throw new Error(`The model catalogue is missing (${response.status}). Run the set-up (python serve.py) to build the models.`);
  }
  const catalogue = await response.json();
  const host = await hostCatalogue();
  const local = new Set(catalogue.models.map((entry) => entry.id));
  for (const entry of host?.models ?? []) {
    if (typeof entry?.id !== "string" || local.has(entry.id)) continue;
    catalogue.models.push({ ...entry, purpose: "hosted", host: host.url,
      source: `the model host ${new URL(host.url).host} (${entry.source})` });
  }
  return catalogue;
}

/** The deployment's model host: model-host.json at the site root ({"url": FOLDER_URL}) names a
 * folder whose catalogue.json lists more models (build/model_host.py). The list is kept in this
 * browser, so a model saved from the host opens offline; null where there is no host. */
const HOST_SETTING = "musespark.modelHost";

async function hostCatalogue() {
  try {
    const config = await fetch(new URL("model-host.json", siteRoot), { cache: "no-cache" });
    if (!config.ok && config.status !== 404) throw new Error(`model-host.json: HTTP ${config.status}`);
    const { url } = config.ok ? await config.json() : {};
    if (!url) {
      keep(HOST_SETTING, ""); // the deployment names no host (serve.py answers {})
      return null;
    }
    const folder = new URL(url);
    const response = await fetch(new URL("catalogue.json", folder),
      { cache: "no-cache", signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`the model host answered HTTP ${response.status}`);
    const host = { url: folder.href, models: (await response.json()).models };
    keep(HOST_SETTING, JSON.stringify(host));
    return host;
  } catch (error) {
    const known = kept(HOST_SETTING);
    if (!known) console.warn(`MuseSpark: the model host's list could not be read (${error.message}).`);
    return known ? JSON.parse(known) : null;
  }
}

/** The files of `entry` in `dtype`, and their size: all but the other precisions' weights (an
 * ONNX file and the data files beside it, `…onnx_data`, `…onnx_data_1`, …). */
function modelFiles(entry, dtype) {
  const others = Object.entries(entry.weights).filter(([other]) => other !== dtype).map(([, file]) => file);
  const isOther = (file) => others.some((weights) => file === weights || file.startsWith(`${weights}_data`));
  const files = Object.keys(entry.files).filter((file) => !isOther(file));
  return { files, bytes: files.reduce((sum, file) => sum + entry.files[file].size, 0) };
}

/** The catalogue model the creator chose in the engine dialog, kept by this browser. */
const MODEL_SETTING = "musespark.model";

/** The WebGPU build of ONNX Runtime, saved for offline use like a model's files. */
const WEBGPU_RUNTIME = ["mjs", "wasm"].map((ext) => `vendor/ort-webgpu/ort-wasm-simd-threaded.asyncify.${ext}`);

/**
 * The model to load: the catalogue's default, or `?model=<id>&dtype=<dtype>` (tests,
 * benchmarks), on the device the creator chose (assets/device.js).
 */
async function chooseModel(catalogue) {
  const query = new URLSearchParams(location.search);
  const keptId = kept(MODEL_SETTING);
  const wanted = query.get("model") ?? (catalogue.models.some((m) => m.id === keptId) ? keptId : catalogue.default);
  const entry = catalogue.models.find((m) => m.id === wanted);
  if (!entry) throw new Error(`The model "${wanted}" is not in the catalogue.`);
  const asked = query.get("dtype") ?? undefined;
  if (asked && !(asked in entry.weights)) {
    throw new Error(`The model "${wanted}" has no ${asked} weights (it has ${Object.keys(entry.weights).join(", ")}).`);
  }
  const embedder = catalogue.embedder && { id: catalogue.embedder.id, dtype: catalogue.embedder.dtype, path: modelsPath };
  const facts = await deviceFacts();
  const chosen = { spec: { id: entry.id, ...where(entry) }, entry, asked, embedder, catalogue, facts };
  return place(chosen, preferredDevice());
}

/** Where the worker reads a model: models/ here, or the model host, whose files it checks
 * against the sha256 the host lists. */
function where(entry) {
  if (!entry.host) return { path: modelsPath, host: undefined, hashes: undefined };
  const hashes = Object.fromEntries(Object.entries(entry.files).map(([file, { sha256 }]) => [file, sha256]));
  return { path: entry.host, host: entry.host, hashes };
}

/** Put the chosen model on the device `choice` asks for: updates `chosen.spec` in place (Python holds it). */
async function place(chosen, choice) {
  const placed = await chooseDevice(choice, chosen.entry, chosen.asked);
  Object.assign(chosen.spec, { dtype: placed.dtype, wasmDtype: placed.wasmDtype, device: placed.device });
  return Object.assign(chosen, modelFiles(chosen.entry, placed.dtype), { choice, gpu: placed.gpu, note: placed.note });
}

/** The embedding model's files for its chosen precision (saved for offline use with the chat model). */
function embedderPaths(catalogue) {
  const entry = catalogue.embedder;
  if (!entry?.files) return [];
  return modelFiles({ weights: {}, ...entry }, entry.dtype).files.map((file) => `models/${entry.id}/${file}`);
}

/** Download the model's files once into the offline copy, before the worker reads them from
 * there. Without an offline copy, or if saving fails, the worker loads from the network. */
async function saveForOffline(chosen) {
  if (!offline.controlled) return;
  const { entry } = chosen;
  const name = entry.name;
  const local = entry.host ? [] : chosen.files.map((file) => `models/${entry.id}/${file}`);
  const hosted = entry.host
    ? chosen.files.map((file) =>
      ({ url: new URL(`${entry.id}/${file}`, entry.host).href, model: entry.id, ...entry.files[file] }))
    : [];
  const paths = [...local, ...embedderPaths(chosen.catalogue), ...(chosen.spec.device === "webgpu" ? WEBGPU_RUNTIME : [])];
  try {
    await offline.saveModel({ paths, hosted }, ({ loaded, total }) =>
      stage("model", "loading", `${name}: ${megabytes(loaded)} of ${megabytes(total)}, saved for offline use`,
        total ? loaded / total : null));
  } catch (error) {
    // offline.problem says why, in the "On this device" area. A model host's files are
    // used only once checked; this build's load from the network.
    if (entry.host) throw error;
  }
}

/** Show model downloads in the model stage, for the first load and for any reload
 * (a fresh worker after a hard stop or a crash reloads the model it is asked for). */
function followModelLoads(chosen) {
  const files = new Map();
  client.addEventListener("progress", ({ detail: { file, loaded } }) => {
    const name = chosen.entry.name; // the model chosen now: the creator may pick another
    files.set(file, loaded);
    const done = [...files.values()].reduce((a, b) => a + b, 0);
    const share = chosen.bytes ? Math.min(done / chosen.bytes, 1) : null;
    stage("model", "loading", `${name}: ${megabytes(done)} of ${megabytes(chosen.bytes)}`, share);
  });
  client.addEventListener("ready", ({ detail }) => {
    const name = chosen.entry.name;
    files.clear();
    const where = detail.device === "webgpu" ? `on WebGPU (${chosen.gpu})` : "on WASM";
    const note = detail.note || chosen.note;
    stage("model", "ready", `${name} ready in ${seconds(performance.now() - started)}, ${where}.${note ? ` ${note}` : ""}`, 1);
  });
  client.addEventListener("crash", () => {
    const name = chosen.entry.name;
    stage("model", "loading", `${name}: the model stopped unexpectedly; it reloads for the next request.`, 0);
  });
}

async function loadModel() {
  stage("model", "loading", "Reading the model catalogue…", null);
  let chosen = null;
  const start = async () => {
    stage("model", "loading", `${chosen.entry.name}: starting…`, 0);
    await saveForOffline(chosen);
    chosen.ready = await client.load(chosen.spec);
  };
  try {
    const models = await catalogue;
    chosen = await chooseModel(models);
    followModelLoads(chosen);
    try {
      await start();
    } catch (error) {
      // A model kept from an earlier visit that no longer loads gives way to the built-in one.
      if (new URLSearchParams(location.search).has("model") || chosen.entry.id === models.default) throw error;
      const failed = chosen.entry.name;
      keep(MODEL_SETTING, "");
      Object.assign(chosen, await chooseModel(models));
      chosen.note = `${failed} did not load (${error.message}), so ${chosen.entry.name} writes instead.`;
      await start();
    }
    return chosen;
  } catch (error) {
    if (chosen && offline.problem && !navigator.onLine) {
      error.message = `The network is off and ${chosen.entry.name} (${chosen.spec.dtype}) is not saved on this ` +
        "device yet: connect once and start the studio to download it.";
    }
    stage("model", "error", error.message, 0);
    throw error;
  }
}

const loadingRuntime = () => stage("runtime", "loading", "Loading the Python runtime…", null);
loadingRuntime();
const offline = await takeControl({
  onProgress: (loaded, total) =>
    stage("runtime", "loading", `Saving the studio for offline use: ${megabytes(loaded)} of ${megabytes(total)}`,
      total ? loaded / total : null),
});
timings.offline = performance.now();
loadingRuntime();
document.addEventListener("py:ready", () => {
  stage("runtime", "ready", `Runtime ready in ${seconds(performance.now() - started)}`, 1);
  stage("python", "loading", "Starting the studio…", null);
}, { once: true });

const catalogue = fetchCatalogue();
const model = loadModel();
model.catch(() => {}); // shown in the page; Python reads the failure from the promise

/**
 * Run the catalogue's model `id` (default: the one loaded) on the device `choice` asks for
 * ("auto", "webgpu" or "wasm"), both kept for the next visits; resolves with the chosen
 * model once it is loaded there.
 */
async function runModelOn(choice, id) {
  const chosen = await model.catch(() => null);
  if (!chosen) throw new Error("The model did not load at start: reload the page to try again.");
  const entry = chosen.catalogue.models.find((m) => m.id === (id ?? chosen.entry.id));
  if (!entry) throw new Error(`The model "${id}" is not in the catalogue.`);
  const before = { ...chosen, spec: { ...chosen.spec } };
  try {
    if (entry !== chosen.entry) {
      Object.assign(chosen, { entry, asked: undefined });
      Object.assign(chosen.spec, { id: entry.id, ...where(entry) });
    }
    await place(chosen, choice);
    const { spec } = chosen;
    if (`${spec.id}/${spec.device}/${spec.dtype}` !== `${before.spec.id}/${before.spec.device}/${before.spec.dtype}`) {
      stage("model", "loading", `${entry.name}: loading on ${spec.device === "webgpu" ? "WebGPU" : "WASM"}…`, null);
      await saveForOffline(chosen);
      chosen.ready = await client.load(spec);
    }
  } catch (error) {
    // The model loaded before goes on writing; the next request names it again.
    Object.assign(chosen.spec, before.spec);
    Object.assign(chosen, { ...before, spec: chosen.spec });
    stage("model", "ready", `${before.entry.name} goes on writing: ${entry.name} did not load (${error.message}).`, 1);
    throw error;
  }
  keepPreference(choice);
  keep(MODEL_SETTING, entry.id);
  return chosen;
}

/** What the page and Python share: README.md, "The page and Python", lists every member and who uses it. */
globalThis.museSpark = {
  client, model, runModelOn, stage, started, sanitize, sanitizeContent, timings, keys, projects, catalogue: null,
  /** A client for the creator's own server, loaded the first time one is connected. */
  connectEngine: async (url, key) => new (await import("./endpoint-client.js")).EndpointClient(url, key),
};
catalogue.then((data) => { globalThis.museSpark.catalogue = data; }, () => {}); // a failure shows in the model stage
showDevicePanel(offline, catalogue).catch((error) => {
  document.getElementById("device-message").textContent = `Offline details are unavailable: ${error.message}`;
});
/** A runtime file that does not arrive stops PyScript for good: say so, rather than wait forever. */
function runtimeFileMissing(error) {
  if (!String(error?.message).startsWith("Failed to fetch dynamically imported module")) return;
  const file = error.message.split("/").pop();
  const detail = `A file of the studio did not arrive (${file}). Check the connection, then reload the page.`;
  stage("runtime", "error", detail, 0);
}
const onRejection = ({ reason }) => runtimeFileMissing(reason);
addEventListener("unhandledrejection", onRejection);
document.addEventListener("py:ready", () => removeEventListener("unhandledrejection", onRejection), { once: true });
await import("../vendor/pyscript/core.js").catch(runtimeFileMissing);
