/**
 * Compile the page's Python to bytecode at set-up, with the page's own interpreter
 * (Pyodide, run here in Node), so that the browser does not compile the standard
 * library on its main thread at every start (about 2 s on a 2-core machine).
 *
 *   node build/precompile.mjs PYODIDE_DIR STDLIB_ZIP PACKAGES_ZIP
 *
 * Rewrites both archives in place; build/precompile.py says how.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, stdlibZip, packagesZip] = process.argv.slice(2).map((path) => resolve(path));
if (!packagesZip) {
  console.error("usage: node build/precompile.mjs PYODIDE_DIR STDLIB_ZIP PACKAGES_ZIP");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: `${pyodideDir}/` });
pyodide.mountNodeFS("/stdlib", dirname(stdlibZip));
pyodide.mountNodeFS("/packages", dirname(packagesZip));
const script = readFileSync(new URL("./precompile.py", import.meta.url), "utf8");
pyodide.runPython(script);
const report = pyodide.globals.get("precompile")(
  `/stdlib/${basename(stdlibZip)}`, `/packages/${basename(packagesZip)}`,
);
console.log(`[setup] ${report}`);
