/**
 * Make the memory snapshot the page starts Python from (assets/python-runtime.mjs), so the
 * browser skips Python's own start-up (about 1 s of main-thread work on a 2-core machine).
 *
 *   node build/snapshot.mjs PYODIDE_DIR OUT
 *
 * Run after build/precompile.mjs: the snapshot holds zipimport's table of contents of the
 * standard library archive, so it must be made with the very archive the page serves. It is
 * Pyodide's own `_makeSnapshot` / `makeMemorySnapshot` (the interpreter's whole linear memory
 * once Python has started, nothing imported beyond Pyodide's start-up), written gzip-compressed
 * (about 31 MB becomes about 5 MB). The snapshot is restored here once before it is written:
 * Pyodide 314 restores only into its initial memory, so a snapshot of a memory that grew would
 * fail in the page, and fails set-up instead.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const [pyodideDir, out] = process.argv.slice(2).map((path) => resolve(path));
if (!out) {
  console.error("usage: node build/snapshot.mjs PYODIDE_DIR OUT");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: `${pyodideDir}/`, _makeSnapshot: true });
const snapshot = pyodide.makeMemorySnapshot();
const restored = await loadPyodide({ indexURL: `${pyodideDir}/`, _loadSnapshot: snapshot });
const answer = restored.runPython("import sys, json; json.dumps([sys.version_info[0], 'json' in sys.modules])");
if (answer !== "[3, true]") {
  console.error(`[setup] Python started from the memory snapshot answered ${answer}, not [3, true].`);
  process.exit(1);
}
const compressed = gzipSync(snapshot, { level: 9 });
writeFileSync(out, compressed);
console.log(`[setup] memory snapshot: ${(snapshot.length / 1e6).toFixed(1)} MB, ` +
  `${(compressed.length / 1e6).toFixed(1)} MB compressed`);
