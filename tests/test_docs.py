"""The worked examples of docs/ run and do what they say."""

import pathlib
import re

import jax
import numpy as np
import pytest

import cevnsjax as cj
from cevnsjax.experiments import _REGISTRY

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"


def _python_blocks(name: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / name).read_text(), flags=re.S)


def test_physics_reference_is_complete():
    """Every section the code cites exists in docs/physics.md, and every equation number is defined once."""
    text = (DOCS / "physics.md").read_text()
    root = DOCS.parent / "cevnsjax"
    cited = set()
    for path in root.rglob("*.py"):
        cited |= set(re.findall(r"docs/physics\.md sections? (\d+[a-e]?)", path.read_text()))
    headings = set(re.findall(r"^#{2,3} (\d+[a-e]?)\.", text, flags=re.M))
    assert cited and cited <= headings, cited - headings
    numbers = [int(n) for n in re.findall(r"\s{2,}\((\d+)\)\s*$", text, flags=re.M)]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1


def test_new_experiment_example_runs_and_combines():
    (code,) = _python_blocks("new_experiment.md")
    lines = [line for line in code.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(lines) <= 60  # the cost of a new experiment: its genuinely new parts only
    try:
        exec(compile(code, "docs/new_experiment.md", "exec"), {})
        m = cj.experiment("toy_nai")
        p = m.parameters.defaults()
        assert float(m.chi2(p)) == pytest.approx(0.0, abs=1e-9)  # Asimov data
        assert m.n_bins == 9 and 10 < float(m.components(p)["cevns"]) < 1e4
        assert np.isfinite(float(jax.grad(lambda q: m.chi2(q))(p)["rn_nai"]))
        combo = cj.combine(m, cj.experiment("coherent_csi_2021"))
        names = combo.parameters.names
        assert "eta_flux" in names and "sin2_theta_w" in names and "toy_nai.eta_bkg" not in names
        assert "eta_bkg" in names  # only the toy declares it
    finally:
        _REGISTRY.pop("toy_nai", None)
