"""The page's file lists stay in step with the code."""
import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pyscript_config_lists_every_app_module():
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    listed = {Path(target).as_posix() for target in config["files"].values() if "app/" in target}
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "app").rglob("*.py") if p.name != "main.py"}
    assert modules == listed


BROWSER_MODULES = {"js", "pyodide", "pyscript"}


def imported_top_level_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    return names | {(node.module or "").split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and not node.level}


def test_only_the_bridge_imports_browser_modules():
    bridge = ROOT / "app" / "bridge"
    for path in (ROOT / "app").rglob("*.py"):
        if bridge not in path.parents:
            assert not imported_top_level_names(path) & BROWSER_MODULES, path
    assert {"js", "pyodide"} <= set().union(*(imported_top_level_names(p) for p in bridge.glob("*.py")))


def test_the_start_imports_modules_that_exist():
    """app/main.py imports the studio piece by piece: every piece it names is a module."""
    tree = ast.parse((ROOT / "app" / "main.py").read_text())
    listed = next(node.value for node in ast.walk(tree)
                  if isinstance(node, ast.Assign) and node.targets[0].id == "STARTUP_MODULES")
    names = [element.value for element in listed.elts]
    app_modules = [name for name in names if name.startswith("app.")]
    assert len(app_modules) > 10 and len(set(names)) == len(names)
    for name in app_modules:
        assert module_path(name).is_file(), name
    # Each piece comes after the studio modules it imports at its top, or its step would hold them too.
    for position, name in enumerate(app_modules):
        path = module_path(name)
        tree = ast.parse(path.read_text())
        package = name.split(".") + (["__init__"] if path.name == "__init__.py" else [])
        imported = {".".join(package[:-node.level] + [node.module]) for node in tree.body
                    if isinstance(node, ast.ImportFrom) and node.level and node.module}
        assert imported & set(app_modules) <= set(app_modules[:position]), name


def module_path(name: str) -> Path:
    """A module's file, or its package's ``__init__.py``."""
    path = ROOT / name.replace(".", "/")
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
