"""The layer contract (layered-core issue), enforced on the installed package.

The layers are declared once, in ``pyproject.toml`` (``[tool.importlinter]``, which CI also
checks with ``lint-imports``). This test reads them and checks every import of every module --
at the top, inside functions and under ``TYPE_CHECKING`` -- so that:

* imports go down only, and modules on one line (``a | b``) do not import each other;
* the import graph has no cycle at all, inside packages included;
* the package ``mesosim`` itself (the public API) sits just above the data types: the engine
  never imports it, and it imports only data types;
* the built-in plugins use the public API (``from mesosim import ...``) and nothing else of
  mesosim, exactly as a vendor's plugin does.
"""

from __future__ import annotations

import ast
import os
import tomllib

import networkx as nx
import pytest

import mesosim
import mesosim_plugins

from .conftest import ROOT

PACKAGE = os.path.dirname(os.path.abspath(mesosim.__file__ or ""))


def _layers() -> list[list[str]]:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        config = tomllib.load(fh)
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    return [[m.strip() for m in layer.split("|")] for layer in contract["layers"]]


def _modules(folder: str, package: str) -> dict[str, str]:
    """module name -> file, for every module of the package in ``folder``."""
    out = {}
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if not name.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(top, name), folder)[:-3].replace(os.sep, ".")
            module = package if rel == "__init__" else f"{package}.{rel}"
            out[module.removesuffix(".__init__")] = os.path.join(top, name)
    return out


MODULES = _modules(PACKAGE, "mesosim")


def _imports(path: str, module: str) -> set[str]:
    """Every mesosim module ``module`` imports, wherever the import statement is."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    is_package = path.endswith("__init__.py")
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    out = set()
    for name in found:
        while name and name not in MODULES:  # `import mesosim.report.text` -> that module
            name = name.rpartition(".")[0]
        if name.startswith("mesosim") and name != module:
            out.add(name)
    return out


GRAPH = {m: _imports(path, m) for m, path in MODULES.items()}


def _layer_of(module: str, layers: list[list[str]]) -> tuple[int, str] | None:
    """(layer index from the top, the sibling entry) of ``module``."""
    for i, layer in enumerate(layers):
        for entry in layer:
            if module == entry or module.startswith(entry + "."):
                return i, entry
    return None


def test_every_module_is_in_a_layer():
    layers = _layers()
    stray = sorted(m for m in MODULES if m != "mesosim" and _layer_of(m, layers) is None)
    assert stray == [], f"add these modules to a layer in pyproject.toml: {stray}"


def test_imports_go_down_only_and_siblings_stay_apart():
    layers = _layers()
    api = next(i for i, layer in enumerate(layers) if "mesosim.loader" in layer)  # above types
    problems = []
    for module, imported in sorted(GRAPH.items()):
        if module == "mesosim":
            where = (api, "mesosim")
        else:
            where = _layer_of(module, layers)  # type: ignore[assignment]
        assert where is not None
        for target in sorted(imported):
            to = (api, "mesosim") if target == "mesosim" else _layer_of(target, layers)
            assert to is not None, target
            if to[0] < where[0] or (to[0] == where[0] and to[1] != where[1]):
                problems.append(f"{module} (layer {where[0]}) imports {target} (layer {to[0]})")
            if module == "mesosim" and to[0] <= api:
                problems.append(f"the public API imports {target}, which is not a data type")
    assert problems == []


def test_the_import_graph_has_no_cycle():
    g = nx.DiGraph([(a, b) for a, targets in GRAPH.items() for b in targets])
    cycles = list(nx.simple_cycles(g))
    assert cycles == [], f"import cycles: {cycles[:5]}"


def test_the_contract_check_itself_sees_an_upward_import(tmp_path):
    """The checker is not vacuous: the lower layers really import something, and an import of
    the command line from the engine would be caught."""
    assert "mesosim.rules" in GRAPH["mesosim.checks"]
    assert "mesosim.catalog" in GRAPH["mesosim.plugin.host"]  # a TYPE_CHECKING-free import
    assert "mesosim.catalog" in GRAPH["mesosim.simulate"]  # a TYPE_CHECKING import
    layers = _layers()
    low, high = _layer_of("mesosim.checks", layers), _layer_of("mesosim.cli", layers)
    assert low is not None and high is not None and high[0] < low[0]


@pytest.mark.parametrize("module", sorted(_modules(
    os.path.dirname(os.path.abspath(mesosim_plugins.__file__ or "")), "mesosim_plugins")))
def test_built_in_plugins_use_only_the_public_api(module):
    folder = os.path.dirname(os.path.abspath(mesosim_plugins.__file__ or ""))
    path = _modules(folder, "mesosim_plugins")[module]
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mesosim"):
            used.add(node.module)
        elif isinstance(node, ast.Import):
            used.update(a.name for a in node.names if a.name.startswith("mesosim"))
    assert used <= {"mesosim", "mesosim_plugins", "mesosim_plugins._common"}, used
