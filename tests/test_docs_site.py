"""The documentation site (mkdocs.yml; `.ci/run` builds it in strict mode): pages generated from the
code cover every experiment, option and notebook, and the worked examples run."""

import importlib.util
import json
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

from cevnsjax._info import table

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nav_pages(nav) -> list[str]:
    out = []
    for item in nav:
        if isinstance(item, str):
            out.append(item)
        else:
            for value in item.values():
                out += _nav_pages(value) if isinstance(value, list) else [value]
    return out


def test_every_page_and_notebook_is_in_the_navigation():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    pages = _nav_pages(config["nav"])
    docs = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    docs = {p for p in docs if not p.startswith("tutorials/")}
    # docs/tutorials is a link to notebooks/
    notebooks = {f"tutorials/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")} | {"tutorials/README.md"}
    assert docs | notebooks == set(pages)


def test_experiments_page_covers_every_experiment_and_option():
    pytest.importorskip("mkdocs")
    page = _hooks()._experiments()
    for name, e in table().items():
        assert f"## `{name}`" in page
        for option in e.options:
            assert f"| `{option}` |" in page
        for p in e.parameters:
            assert f"`{p['name']}`" in page


def test_docstring_examples_are_sections_the_api_reference_renders():
    """Google style: "Examples:" (a doctest section); "Example:" would render as plain text."""
    bad = [
        f"{path.relative_to(ROOT)}:{i + 1}"
        for path in (ROOT / "cevnsjax").rglob("*.py")
        for i, line in enumerate(path.read_text().splitlines())
        if re.fullmatch(r"\s*Example:\s*", line)
    ]
    assert not bad, bad


def test_minuit_example_of_coming_from_runs():
    # run as a user runs it: in a fresh process (its cj.configure() comes before JAX's first computation)
    (code,) = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "coming_from.md").read_text(), flags=re.S)
    check = "\nprint(json.dumps([bool(m.valid), m.fval, m.values['rn_ar40']]))\n"
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code + check], capture_output=True, text=True, cwd=ROOT, check=True
    )
    valid, fval, rn = json.loads(out.stdout.strip().splitlines()[-1])
    assert valid
    assert fval == pytest.approx(8.718, abs=2e-3)  # cj.fit of the same model (README, reproduce)
    assert rn == pytest.approx(3.448, abs=1e-3)  # at the lower bound R_p
