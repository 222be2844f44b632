/**
 * The Python runtime PyScript loads (pyscript.toml's `interpreter`): Pyodide from
 * vendor/pyodide/, started from the memory snapshot set-up made (build/snapshot.mjs) instead
 * of running Python's own start-up on the page's main thread.
 *
 * PyScript imports this module and calls its `loadPyodide` with its own options; the
 * snapshot and the runtime's folder are added here. The snapshot is stored gzip-compressed
 * (5 MB rather than 31 MB) and inflated in a worker (assets/inflate-worker.js). Python runs on
 * the page's main thread, so its start is cut into tasks short enough for the page to paint and
 * answer input meanwhile (`createModuleInTasks`, `WARM_UP_STEPS`).
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

/** Python's first steps, each in a task of its own, before PyScript starts. V8 compiles each of
 * the interpreter's WebAssembly functions on the page's main thread the first time it is
 * called. PyScript's start writes its own package as source and imports it, which uses the
 * tokenizer, parser, compiler, import system and JavaScript bridge for the first time, all in
 * one task of about 300 ms on a 2-core machine. These steps call the same functions in small
 * pieces (each well under 50 ms), so that task is shorter by the work done here, which is not
 * repeated: compiled functions are kept. Nothing is left behind but a few imported modules. */
const WARM_UP_STEPS = [
  String.raw`compile("x = 1", "<warm-up>", "exec")`,
  String.raw`
compile('''
def function(a, *rest, key=None, **options):
    return [item for item in rest if item] or {k: v for k, v in options.items()}
''', "<warm-up>", "exec")`,
  String.raw`
exec(compile('''
class Example:
    """A class with the usual parts."""
    size: int = 1

    def __init__(self, value):
        self.value = value

    @property
    def text(self):
        try:
            return f"{self.value!r:>3}"
        except (KeyError, ValueError) as error:
            raise RuntimeError("no text") from error
        finally:
            pass

Example(1).text
''', "<warm-up>", "exec"), {})`,
  String.raw`compile("TEXT = " + repr("a line of 'quoted' text\n\t" * 2000), "<warm-up>", "exec")`,
  String.raw`
import tempfile
from pathlib import Path
package = Path(tempfile.gettempdir(), "warm-up", "warm_up_package")
package.mkdir(parents=True, exist_ok=True)
(package / "__init__.py").write_text("import json\nVALUE = json.dumps({'a': [1, 2]})\n", encoding="utf-8")`,
  String.raw`
import importlib, shutil, sys, tempfile
from pathlib import Path
folder = Path(tempfile.gettempdir(), "warm-up")
sys.path.insert(0, str(folder))
try:
    importlib.import_module("warm_up_package")
finally:
    sys.path.remove(str(folder))
    sys.modules.pop("warm_up_package", None)
    shutil.rmtree(folder)`,
  String.raw`
from js import JSON, Object, Reflect, document
for key in Reflect.ownKeys(Object.fromEntries([["a", 1]])):
    str(key)
JSON.stringify(Object.new())
document.title`,
  String.raw`
from pyodide.ffi import create_proxy, to_js
create_proxy(lambda: None).destroy()
to_js({"a": [1, 2]})`,
  String.raw`
import base64, html, inspect, io
from collections import OrderedDict
from functools import wraps
inspect.iscoroutinefunction(len)`,
];

/** Run WARM_UP_STEPS, each in a later task. They only save time later: a step that fails is
 * reported in the console and the start goes on. */
async function warmUp(pyodide) {
  for (const [index, code] of WARM_UP_STEPS.entries()) {
    await nextTask(() => {
      const globals = pyodide.toPy({});
      try {
        pyodide.runPython(code, { globals });
      } catch (error) {
        console.error(`Python's warm-up step ${index + 1} failed (the start goes on):`, error);
      } finally {
        globals.destroy();
      }
    });
  }
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
  await warmUp(pyodide);
  return pyodide;
}

export { version };
