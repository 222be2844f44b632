/**
 * The Python runtime PyScript loads (pyscript.toml's `interpreter`): Pyodide from
 * vendor/pyodide/, started from the memory snapshot set-up made (build/snapshot.mjs) instead
 * of running Python's own start-up on the page's main thread.
 *
 * PyScript imports this module and calls its `loadPyodide` with its own options; the
 * snapshot and the runtime's folder are added here. The snapshot is stored gzip-compressed
 * (5 MB rather than 31 MB) and inflated in a worker (assets/inflate-worker.js).
 *
 * Exports: `loadPyodide`, `version`.
 */
import createPyodideModule from "../vendor/pyodide/pyodide.asm.mjs";
import { loadPyodide as loadVendoredPyodide, version } from "../vendor/pyodide/pyodide.mjs";

const runtimeFolder = new URL("../vendor/pyodide/", import.meta.url).href;
const snapshotURL = new URL("memory-snapshot.bin", runtimeFolder);

function fetchSnapshot() {
  const worker = new Worker(new URL("./inflate-worker.js", import.meta.url), { name: "inflate" });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data: { bytes, error } }) => {
      worker.terminate();
      if (bytes) resolve(new Uint8Array(bytes));
      else reject(new Error(`The Python memory snapshot is unavailable (${error}): run the set-up (python serve.py) again.`));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`The Python memory snapshot could not be read (${event.message}).`));
    };
    worker.postMessage(snapshotURL.href);
  });
}

/** A turn for the browser (input, painting) before `then` runs, in a task of its own. */
function nextTask(then) {
  return new Promise((resolve) => setTimeout(resolve, 0)).then(then);
}

/** Pyodide's own module factory, cut into tasks. Python runs on the page's main thread, so each
 * long step of its start gets a task of its own, with a turn for the browser between them:
 * (1) the WebAssembly is instantiated; (2) its exports are linked (Emscripten's
 * `receiveInstance`, given the instance in a later task); (3) the runtime is initialised
 * (Emscripten runs `doRun` in a later task when the module has a `setStatus` hook, which
 * reports nothing here); (4) the snapshot is restored, after the factory returns. */
async function createModuleInTasks(settings) {
  const instantiate = settings.instantiateWasm;
  settings.instantiateWasm = (imports, receive) => instantiate(imports, (instance, wasmModule) => {
    nextTask(() => receive(instance, wasmModule));
  });
  settings.setStatus = () => {};
  const module = await createPyodideModule(settings);
  return nextTask(() => module);
}

/** Pyodide's loadPyodide, started from the snapshot. Every start from one snapshot would
 * begin with the same state of Python's `random` module, so it is seeded afresh (from the
 * browser's crypto.getRandomValues, through os.urandom). String hashing keeps the snapshot's
 * seed: the same at every start, which matters only against hash flooding by a stranger's
 * input on a server, not here. */
export async function loadPyodide(options = {}) {
  const pyodide = await loadVendoredPyodide({
    ...options, indexURL: runtimeFolder, _loadSnapshot: fetchSnapshot(), createPyodideModule: createModuleInTasks,
  });
  pyodide.runPython("import random; random.seed()");
  return pyodide;
}

export { version };
