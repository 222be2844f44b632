/**
 * Start-up: shows the named stages (runtime → Python → model) while they
 * happen and starts loading the default model in its worker at once, in
 * parallel with Python. The Python studio picks up the shared client from
 * `globalThis.museSpark` when it is ready.
 */
import { ModelClient } from "./model-client.js";
import { sanitize, sanitizeContent } from "./sanitizer.js";

const started = performance.now();
const modelsPath = new URL("../models/", import.meta.url).pathname;
const client = new ModelClient();

/** When each stage became ready, in ms since navigation started (read by bench/). */
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

async function readCatalogue() {
  const response = await fetch(new URL("catalogue.json", new URL(modelsPath, location.href)));
  if (!response.ok) {
    throw new Error(`The model catalogue is missing (${response.status}). Run the set-up (python serve.py) to build the models.`);
  }
  return response.json();
}

/** The model to load: the catalogue's default, or `?model=<id>&dtype=<dtype>` (tests, benchmarks). */
function chooseModel(catalogue) {
  const query = new URLSearchParams(location.search);
  const wanted = query.get("model") ?? catalogue.default;
  const entry = catalogue.models.find((m) => m.id === wanted);
  if (!entry) throw new Error(`The model "${wanted}" is not in the catalogue.`);
  const dtype = query.get("dtype") ?? entry.dtype;
  if (!(dtype in entry.weights)) {
    throw new Error(`The model "${wanted}" has no ${dtype} weights (it has ${Object.keys(entry.weights).join(", ")}).`);
  }
  const others = new Set(Object.values(entry.weights).filter((file) => file !== entry.weights[dtype]));
  const bytes = Object.entries(entry.files)
    .filter(([file]) => !others.has(file))
    .reduce((sum, [, info]) => sum + info.size, 0);
  return { spec: { id: entry.id, dtype, path: modelsPath }, entry, bytes };
}

/** Show model downloads in the model stage, for the first load and for any reload
 * (a fresh worker after a hard stop or a crash reloads the model it is asked for). */
function followModelLoads(chosen) {
  const files = new Map();
  const name = chosen.entry.name;
  client.addEventListener("progress", ({ detail: { file, loaded } }) => {
    files.set(file, loaded);
    const done = [...files.values()].reduce((a, b) => a + b, 0);
    const share = chosen.bytes ? Math.min(done / chosen.bytes, 1) : null;
    stage("model", "loading", `${name}: ${megabytes(done)} of ${megabytes(chosen.bytes)}`, share);
  });
  client.addEventListener("ready", () => {
    files.clear();
    stage("model", "ready", `${name} ready in ${seconds(performance.now() - started)}`, 1);
  });
  client.addEventListener("crash", () => {
    stage("model", "loading", `${name}: the model stopped unexpectedly; it reloads for the next request.`, 0);
  });
}

async function loadModel() {
  stage("model", "loading", "Reading the model catalogue…", null);
  try {
    const chosen = chooseModel(await readCatalogue());
    followModelLoads(chosen);
    stage("model", "loading", `${chosen.entry.name}: starting…`, 0);
    return { ...chosen, ready: await client.load(chosen.spec) };
  } catch (error) {
    stage("model", "error", error.message, 0);
    throw error;
  }
}

stage("runtime", "loading", "Loading the Python runtime…", null);
document.addEventListener("py:ready", () => {
  stage("runtime", "ready", `Runtime ready in ${seconds(performance.now() - started)}`, 1);
  stage("python", "loading", "Starting the studio…", null);
}, { once: true });

const model = loadModel();
model.catch(() => {}); // shown in the page; Python reads the failure from the promise

globalThis.museSpark = { client, model, stage, started, sanitize, sanitizeContent, timings };
