"""Saving and loading results: every result type round-trips to the last bit; ``cevnsjax plot`` redraws."""

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from click.testing import CliRunner

import cevnsjax as cj
from cevnsjax import experiments, plotting
from cevnsjax.cli import main
from cevnsjax.experiments import Option
from cevnsjax.inference import FitResult, NamedMatrix, ProfileResult, ScanResult
from cevnsjax.inference._persist import Persistent, decode, encode
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterSet

jax.config.update("jax_enable_x64", True)


def toy(width=0.5):
    """mu * eta = 1 +- width with a 10% nuisance eta, and a bounded nuisance b."""
    ps = ParameterSet(
        [
            Parameter("mu", 0.0, unit="fm", lower=-10.0, upper=10.0, kind="physics"),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.1), free=True),
            Parameter("b", 0.5, unit="MeV", lower=0.0, free=True),
        ]
    )
    return FunctionModel(
        lambda p: ((p["mu"] * p["eta"] - 1.0) / width) ** 2 + ((p["eta"] - 1.0) / 0.1) ** 2 + (p["b"] - 0.5) ** 2,
        ps,
        name="toy_io",
        n_bins=4,
    )


@pytest.fixture(scope="module", autouse=True)
def registered():
    experiments.names()  # the built-in experiments register themselves first, into the real registry
    with pytest.MonkeyPatch.context() as mp:
        experiments.names()  # the built-in ones registered before the registry is swapped
        mp.setattr(experiments, "_REGISTRY", dict(experiments._REGISTRY))
        experiments.register("toy_io", toy, options={"width": Option(0.5, type=float)})
        yield


@pytest.fixture(scope="module")
def model():
    return experiments.experiment("toy_io", width=0.25)


def assert_same(a, b, where="result"):
    """Equal type and value, arrays and floats bit for bit (NaN payloads included)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.tobytes() == b.tobytes(), where
    elif isinstance(a, float):
        assert np.float64(a).tobytes() == np.float64(b).tobytes(), f"{where}: {a!r} != {b!r}"
    else:
        assert a == b, where


def round_trip(result):
    text = result.to_json()
    json.loads(text)  # strict JSON: no NaN / Infinity literals
    assert "NaN" not in text and "Infinity" not in text
    back = cj.load(text)
    assert_same(result, back)
    assert_same(result, type(result).from_json(text))
    return back


def test_encoding_is_exact_for_awkward_values():
    neg_nan = -np.float64(np.nan)
    payload = np.array([0x7FF0000000000123], dtype=np.uint64).view(np.float64)[0]
    values = {
        "x": (0.1, 1e-320, -0.0, float("inf"), float("-inf"), float(neg_nan), float(payload), 2.0**0.5),
        "a": np.array([[np.nan, -np.inf], [neg_nan, 1 / 3]]),
        "f32": np.array([0.1, np.nan, 3e38], dtype=np.float32),
        "i": np.arange(6, dtype=np.int32).reshape(2, 3),
        "flags": np.array([True, False]),
        "empty": np.zeros((0, 3)),
        "nested": [(1, "a", None, True), {"k": [1.5, 2]}],
    }
    back = decode(json.loads(json.dumps(encode(values), allow_nan=False)))
    assert_same(values, back)
    with pytest.raises(TypeError, match="cannot save a object"):
        encode({"x": object()})


def test_fit_round_trip_with_metadata(model, tmp_path):
    result = cj.fit(model, free=["mu"], start={"mu": 0.5})
    path = tmp_path / "fit.json"
    result.to_json(path)
    back = cj.load(path)
    assert_same(result, back)
    assert round_trip(result).chi2_min == result.chi2_min
    meta = back.metadata
    assert meta["experiments"] == ["toy_io"] and meta["model"] == "toy_io"
    assert meta["options"] == {"toy_io": {"width": 0.25}}
    assert meta["version"] == cj.inference._persist.library_version()
    assert meta["parameters"]["b"]["unit"] == "MeV"
    assert meta["parameters"]["b"]["upper"] == float("inf")
    assert meta["parameters"]["eta"]["constraint"] == [1.0, 0.1]
    assert meta["settings"]["free"] == ["mu"] and meta["settings"]["engine"] == "jax"
    raw = json.loads(path.read_text())
    assert raw["type"] == "FitResult" and raw["result"]["chi2_min"] == result.chi2_min


def test_iminuit_fit_round_trip_keeps_minos_and_drops_minuit(model):
    result = cj.fit(model, free=["mu"], engine="iminuit", minos=True)
    back = round_trip(result)
    assert back.minos == result.minos and isinstance(back.minos["mu"], tuple)
    assert result.minuit is not None and back.minuit is None


def test_profile_round_trips(model):
    p1 = cj.profile(model, "mu", np.linspace(0.5, 1.5, 7), progress=False)
    back = round_trip(p1)
    assert isinstance(back.fit, FitResult) and isinstance(back.fit.covariance, NamedMatrix)
    p2 = cj.profile2d(model, ("mu", "eta"), (np.linspace(0.6, 1.4, 5), np.linspace(0.8, 1.2, 4)), progress=False)
    back = round_trip(p2)
    assert all(isinstance(c, np.ndarray) for lines in back.contours.values() for c in lines)
    fig = plotting.plot_result(back)  # redrawn from the loaded result alone
    assert fig.axes[0].get_xlabel() == "mu [fm]"


def test_scan_and_sample_round_trip(model):
    scan = cj.scan(model, {"mu": np.linspace(-1, 2, 5), "b": [0.0, 1.0]}, progress=False)
    round_trip(scan)
    draws = cj.sample(model, free=["mu"], chains=2, samples=30, warmup=30, progress=False)
    back = round_trip(draws)
    assert back.metadata["settings"]["chains"] == 2


def test_results_with_nan_points_round_trip(model):
    scan = cj.scan(model, {"mu": np.linspace(-1, 2, 4)}, progress=False)
    chi2 = scan.chi2.copy()
    chi2[1] = np.nan
    round_trip(dataclasses.replace(scan, chi2=chi2))


def test_new_fields_are_saved_without_new_code():
    @dataclasses.dataclass(frozen=True, eq=False)
    class ExtraResult(Persistent):
        at_limit: dict[str, bool]
        masses: np.ndarray
        note: str = ""

    result = ExtraResult({"a": True}, np.geomspace(1, 1e3, 4))
    assert_same(result, cj.load(result.to_json()))
    with pytest.raises(ValueError, match="lacks the field"):
        cj.load(json.dumps({**json.loads(result.to_json()), "result": {}}))


def test_load_refuses_what_is_not_a_result(tmp_path):
    with pytest.raises(FileNotFoundError, match="no result file"):
        cj.load(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="not a cevnsjax result"):
        cj.load('{"a": 1}')
    with pytest.raises(ValueError, match="unknown result type 'Bogus'"):
        cj.load('{"format": "cevnsjax-result", "type": "Bogus", "result": {}}')
    with pytest.raises(ValueError, match="not a ScanResult"):
        ScanResult.from_json(NamedMatrix(("a",), np.eye(1)).to_json())


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_output_then_plot_redraws_without_recomputing(tmp_path):
    out = tmp_path / "prof.json"
    r = invoke("profile", "toy_io", "--param", "mu", "--range", "0.5", "1.5", "--points", "9", "--output", out)
    assert r.exit_code == 0, r.output
    saved = cj.load(out)
    assert isinstance(saved, ProfileResult) and saved.metadata["options"] == {"toy_io": {"width": 0.5}}
    for command, name in [
        (["fit", "toy_io", "--free", "mu"], "fit"),
        (["scan", "toy_io", "--grid", "mu=-1:2:7", "--grid", "b=0:1:5"], "scan"),
        (["sample", "toy_io", "--free", "mu", "--chains", "1", "--samples", "40", "--warmup", "40"], "sample"),
    ]:
        r = invoke(*command, "--output", tmp_path / f"{name}.json")
        assert r.exit_code == 0, r.output
    for name in ("prof", "fit", "scan", "sample"):
        png = tmp_path / f"{name}_redrawn.png"
        r = invoke("plot", tmp_path / f"{name}.json", "--plot", png, "--json")
        assert r.exit_code == 0, r.output
        assert json.loads(r.output.splitlines()[-1])["plot"] == str(png)
        assert png.stat().st_size > 10_000
    r = invoke("plot", tmp_path / "scan.json")
    assert r.exit_code == 0 and (tmp_path / "scan.png").is_file()


def test_cli_plot_of_a_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = invoke("plot", bad, "--json")
    assert r.exit_code == 2 and "is not a JSON file" in r.output
    assert "error" in json.loads(r.output.splitlines()[-1])


def test_jax_arrays_are_saved_as_arrays():
    m = NamedMatrix(("a", "b"), jnp.eye(2))
    back = cj.load(m.to_json())
    assert isinstance(back.array, np.ndarray) and back.array.dtype == np.float64
