"""The studio's pure core: briefs, prompts, parsing model output, rendering and the
model protocol. Plain Python with no browser imports; it runs and is tested
under CPython as well as in Pyodide."""
