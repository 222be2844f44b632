"""Bytecode for the page's Python archives. Runs inside Pyodide (build/precompile.mjs),
so the bytecode is that of the interpreter the page runs.

Both archives are put on ``sys.path`` as they are (the standard library by Pyodide, the
packages by app/main.py), so each module becomes a ``.pyc`` in place of its source, which
zipimport loads as it is. Tracebacks there lose their source lines; the standard library
archive grows by about 2 MB.

The bytecode is hash-based and unchecked: it is used without looking at the
source, which is fine for files that never change once built.

Public: ``precompile``.
"""
import importlib.util
import os
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc


def _bytecode(source: bytes, filename: str) -> bytes:
    code = compile(source, filename, "exec", dont_inherit=True)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))


def _rewrite(path: str, entries) -> int:
    """Write ``entries`` (name, bytes) as the archive at ``path``; returns how many were compiled."""
    partial = path + ".partial"
    compiled = 0
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data, is_bytecode in entries:
            out.writestr(name, data)
            compiled += is_bytecode
    os.replace(partial, path)
    os.chmod(path, 0o644)
    return compiled


def _bytecode_entries(source_zip: zipfile.ZipFile, home: str):
    for name in source_zip.namelist():
        data = source_zip.read(name)
        if name.endswith(".py"):
            yield name + "c", _bytecode(data, f"{home}/{name}"), True
        else:
            yield name, data, False


def precompile(stdlib_path: str, packages_path: str) -> str:
    """Replace the modules of both archives by their bytecode; a line saying what was done."""
    stdlib_home = next(entry for entry in sys.path if entry.endswith(".zip"))  # where the page mounts it
    with zipfile.ZipFile(stdlib_path) as source:
        stdlib = _rewrite(stdlib_path, list(_bytecode_entries(source, stdlib_home)))
    with zipfile.ZipFile(packages_path) as source:
        packages_home = f"{os.getcwd()}/{os.path.basename(packages_path)}"  # where app/main.py finds it
        packages = _rewrite(packages_path, list(_bytecode_entries(source, packages_home)))
    return (f"compiled {stdlib} standard library and {packages} package modules to bytecode for "
            f"Python {sys.version.split()[0]} ({sys.implementation.cache_tag})")
