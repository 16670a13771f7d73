"""The package's import layers (docs/architecture.md): no import runs up a layer, and no modules form a circle.

Imports are read with `ast` from the source, so the test sees every import statement, at module level or inside a
function: both count, for layers and for circles. A function-level import breaks no import at run time, but it
is the same dependency, and a circle of them is still two modules that cannot be understood apart. Registries
consulted by name (latentgan.plugins: import_submodules, registry_function; importlib.import_module) are late
bindings, not import statements, and are not edges.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "latentgan"

# Bottom to top; a module may import its own layer or any lower one. The first matching prefix wins.
LAYERS: list[tuple[str, ...]] = [
    ("latentgan.errors", "latentgan.devices", "latentgan.rng", "latentgan.config", "latentgan.files",
     "latentgan.schedules", "latentgan.plugins", "latentgan.cache", "latentgan.progress"),
    ("latentgan.data", "latentgan.nn", "latentgan.losses", "latentgan.latent", "latentgan.samplers",
     "latentgan.inputs", "latentgan.images", "latentgan.recipes",
     "latentgan.growth",
     # drawing primitives: they only draw and write files, so the trainer's sample grids may use them
     "latentgan.viz.save", "latentgan.viz.grid", "latentgan.viz.points", "latentgan.viz.interpolation",
     "latentgan.viz.reconstruction"),
    ("latentgan.models",),
    ("latentgan.checkpoint", "latentgan.run"),
    ("latentgan.metrics", "latentgan.train"),
    ("latentgan.viz", "latentgan.evaluation", "latentgan.experiments", "latentgan.commands"),
    ("latentgan.api", "latentgan.cli", "latentgan.explore", "latentgan.__main__"),
]

# Pending: experiments/ still call latentgan.api (load, load_data, build_model) instead of Run; they are being
# rewritten, and this exception goes when they use latentgan.run.Run (issue 21).
KNOWN_UPWARD = {("latentgan.experiments", "latentgan.api")}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str) -> set[str]:
    """The latentgan modules a file imports (absolute or relative), at any depth of the file."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.update(f"{base}.{a.name}" for a in node.names)  # graph() keeps `pkg.module` or falls back to pkg
    return {m for m in found if m == "latentgan" or m.startswith("latentgan.")}


def graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (names that are not modules are dropped)."""
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges = {}
    for name, path in files.items():
        targets = set()
        for m in imports_of(path, name):
            while m not in files and "." in m:  # `from latentgan.x import name` names module latentgan.x
                m = m.rpartition(".")[0]
            if m in files and m != name and m != "latentgan":
                targets.add(m)
        edges[name] = targets
    return edges


def layer_of(module: str) -> int | None:
    for i, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    return None


def group_of(module: str) -> str:
    """The layer entry a module belongs to (its folder or its own file)."""
    for prefixes in LAYERS:
        for p in prefixes:
            if module == p or module.startswith(p + "."):
                return p
    return module


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_layer():
    unplaced = sorted(m for m in graph() if m != "latentgan" and layer_of(m) is None)
    assert unplaced == [], f"add these modules to LAYERS in tests/test_architecture.py: {unplaced}"


def test_no_import_runs_up_a_layer():
    upward = []
    for source, targets in graph().items():
        for target in targets:
            a, b = layer_of(source), layer_of(target)
            if a is not None and b is not None and b > a and (group_of(source), group_of(target)) not in KNOWN_UPWARD:
                upward.append(f"{source} (layer {a}) imports {target} (layer {b})")
    assert upward == [], "imports that run up a layer:\n" + "\n".join(sorted(upward))


def test_no_import_circle():
    assert circles(graph()) == []


def test_the_checks_can_fail():
    """The detectors find a planted circle and a planted upward import."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer_of("latentgan.api") > layer_of("latentgan.models.gan") > layer_of("latentgan.config")


HELP_PROBE = """
import contextlib, io, sys
from latentgan.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main(["--help"])
    except SystemExit:
        pass
assert "usage: latentgan" in out.getvalue(), out.getvalue()
print(",".join(sorted(m for m in ("latentgan.train.trainer", "matplotlib", "sklearn") if m in sys.modules)))
"""


def test_cli_help_loads_neither_the_trainer_nor_matplotlib_nor_scikit_learn():
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    done = subprocess.run([sys.executable, "-c", HELP_PROBE], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == ""
