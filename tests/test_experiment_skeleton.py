"""The experiment skeleton: option tables match builders, one base class, a one-way import graph."""

import ast
import inspect
import pathlib

import pytest

import cevnsjax.experiments as ex
from cevnsjax.experiments import Experiment
from cevnsjax.experiments._options import signal_options

PACKAGE = pathlib.Path(ex.__file__).resolve().parent.parent

#: Layers from the bottom up; a module may import only from its own layer or those below.
LAYERS = [
    {"constants", "parameters", "_quadrature", "_setup", "_names", "model"},
    {"physics"},
    {"sources", "detectors"},
    {"folding"},
    {"datasets"},
    {"experiments", "_info"},
    {"likelihood", "inference", "plotting", "handoff"},
    {"cli", "__init__", "__main__"},
]
# The likelihood layer sits beside the experiments: they compose its statistics.
ALLOWED_UP = {("experiments", "likelihood")}


def _layer(top: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if top in names)


def _imports(path: pathlib.Path) -> set[str]:
    """Top-level cevnsjax subpackages/modules imported by a file (relative and absolute imports)."""
    rel = path.relative_to(PACKAGE).with_suffix("").parts
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel[: len(rel) - node.level])
                parts = base + (node.module.split(".") if node.module else [])
                if not parts:  # "from . import x" in the package root
                    parts = [alias.name for alias in node.names]
                out.add(parts[0] if parts else "__init__")
            elif node.module and node.module.startswith("cevnsjax."):
                out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith("cevnsjax."))
    return out


@pytest.mark.parametrize("name", ex.names())
def test_option_table_matches_builder(name):
    """Every declared option is a builder argument with the same default, and the reverse."""
    entry = ex.registered(name)
    params = inspect.signature(entry.factory).parameters
    assert set(params) == set(entry.options), name
    for key, option in entry.options.items():
        assert params[key].default == option.default, (name, key)
    shared = signal_options()
    for key in shared:
        assert key in entry.options, (name, key)
        assert entry.options[key].choices == shared[key].choices and entry.options[key].type is shared[key].type


@pytest.mark.parametrize("name", ex.names())
def test_every_experiment_is_built_on_the_skeleton(name):
    cls = inspect.signature(ex.registered(name).factory).return_annotation
    module = inspect.getmodule(ex.registered(name).factory)
    built = getattr(module, cls) if isinstance(cls, str) else cls
    assert issubclass(built, Experiment)
    # the final methods come from the base, not from each experiment
    for method in ("chi2", "nll", "components", "n_bins", "data"):
        assert method not in vars(built), (name, method)


def test_import_graph_is_one_way():
    bad = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).parts
        own = rel[0].removesuffix(".py")
        for top in _imports(path):
            if top == own or (own, top) in ALLOWED_UP:
                continue
            if _layer(top) > _layer(own):
                bad.append(f"{'/'.join(rel)} imports {top}")
    assert not bad, bad


def test_no_experiment_imports_another():
    experiments = {p.stem for p in (PACKAGE / "experiments").glob("*.py") if not p.stem.startswith("_")}
    for path in (PACKAGE / "experiments").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                assert not (set(names) & (experiments - {path.stem})), (path.name, names)
