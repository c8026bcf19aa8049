"""Built models kept between command-line runs (cevnsjax.cli._models): a hit is the same model, the
cache follows the compilation cache's opt-out, and entries that cannot be trusted are rebuilt."""

import json
import os
import pickle
import shutil
import subprocess
import sys

import equinox as eqx
import jax
import numpy as np
import pytest

from cevnsjax.cli import _models
from cevnsjax.cli import inference as cli_inference
from cevnsjax.datasets import locate

REQUEST = (("coherent_ar_2020",), ("form_factor=kn",), (), ())


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """The CLI's build_model with its model cache in ``tmp_path``; the list counts real builds (the
    uncounted build is returned beside it)."""
    builds = []
    build = cli_inference._build

    def counting(*args):
        builds.append(args)
        return build(*args)

    monkeypatch.setattr(cli_inference, "_build", counting)
    monkeypatch.setattr(_models, "folder", lambda: tmp_path / "models")
    return builds, tmp_path / "models", build


def _same(a, b) -> bool:
    """Bitwise-equal arrays of the same dtype and weak type, equal static parts and build options."""
    (da, sa), (db, sb) = eqx.partition(a, eqx.is_array), eqx.partition(b, eqx.is_array)
    la, ta = jax.tree_util.tree_flatten(da)
    lb, tb = jax.tree_util.tree_flatten(db)
    arrays = len(la) == len(lb) and all(
        x.dtype == y.dtype
        and getattr(x, "weak_type", False) == getattr(y, "weak_type", False)
        and np.array_equal(np.asarray(x), np.asarray(y))
        for x, y in zip(la, lb)
    )
    return arrays and ta == tb and sa == sb and a.build_options == b.build_options


def test_a_hit_is_the_model_a_build_gives(counted):
    builds, folder, build = counted
    first = cli_inference.build_model(*REQUEST)
    second = cli_inference.build_model(*REQUEST)
    assert len(builds) == 1 and len(list(folder.glob("*.pkl"))) == 1  # built once, then loaded
    fresh = build(*REQUEST)
    assert second is not first and _same(second, fresh) and _same(first, fresh)
    point = {n: p.default for n, p in fresh.parameters.items()} | {"rn_ar40": 3.7}
    chi2 = eqx.filter_jit(lambda model, p: model.chi2(p))
    assert float(chi2(second, point)) == float(chi2(fresh, point))  # the same number, to the last bit


def test_entries_that_cannot_be_trusted_are_rebuilt(counted):
    builds, folder, _ = counted
    model = cli_inference.build_model(*REQUEST)
    (entry,) = folder.glob("*.pkl")
    text = _models.key(*REQUEST)
    stale = [b"not a pickle", b"", pickle.dumps((text + "\nanother build", model)), pickle.dumps((text, "a string"))]
    for n, content in enumerate(stale, start=2):
        entry.write_bytes(content)
        rebuilt = cli_inference.build_model(*REQUEST)
        assert len(builds) == n and _same(rebuilt, model)
        assert _models.load(folder, text) is not None  # the bad entry was replaced by a good one


def test_the_key_holds_what_the_build_reads(tmp_path, monkeypatch):
    base = _models.key(*REQUEST)
    assert _models.key(("coherent_ar_2020",), ("form_factor=helm",), (), ()) != base
    assert _models.key(*REQUEST[:3], ("rn_ar40=rn_ar40",)) != base
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=true")
    assert _models.key(*REQUEST) != base
    monkeypatch.delenv("XLA_FLAGS")
    # the same files elsewhere, then one of them changed: another key each time (the build checks them again)
    shutil.copytree(locate("coherent_ar_2020"), tmp_path / "coherent_ar_2020")
    monkeypatch.setenv("CEVNSJAX_DATA", str(tmp_path))
    moved = _models.key(*REQUEST)
    assert moved != base
    (tmp_path / "coherent_ar_2020" / "bkgpdf.txt").touch()
    os.utime(tmp_path / "coherent_ar_2020" / "bkgpdf.txt", ns=(0, 1))
    assert _models.key(*REQUEST) != moved
    (tmp_path / "coherent_ar_2020" / "bkgpdf.txt").unlink()
    with pytest.raises(OSError):  # a missing file: no key, the build reports it
        _models.key(*REQUEST)


def test_what_is_not_cached(tmp_path):
    assert _models.cacheable(*REQUEST[:2])
    assert not _models.cacheable(("dresden_ii_2022",), ("spectrum_file=my_spectrum.txt",))  # a file outside the key
    _models.store(tmp_path, "key", lambda p: 0.0)  # cannot be pickled: not kept, no error
    assert not list(tmp_path.glob("*"))


def test_command_line_hit_and_opt_out(tmp_path):
    """Two runs share the entry (same JSON; the second writes nothing); --no-cache keeps nothing."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    env.pop("CEVNSJAX_NO_COMPILATION_CACHE", None)

    def run(folder, *extra):
        out = subprocess.run(
            [sys.executable, "-m", "cevnsjax", "fit", "apv_cs", "--json", *extra],
            capture_output=True,
            text=True,
            check=True,
            env={**env, "CEVNSJAX_CACHE_DIR": str(folder)},
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    first = run(tmp_path / "on")
    (entry,) = (tmp_path / "on" / "models").glob("*.pkl")
    written = entry.stat().st_mtime_ns
    assert run(tmp_path / "on") == first and entry.stat().st_mtime_ns == written
    assert run(tmp_path / "off", "--no-cache") == first and not (tmp_path / "off").exists()
