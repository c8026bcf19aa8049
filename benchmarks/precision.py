#!/usr/bin/env python
"""Grid scans in float32 against float64, measured side by side in one run.

Usage (from the repository root)::

    python benchmarks/precision.py                      # argon and CsI 2021, 1000 x 1000 grids
    python benchmarks/precision.py --side 200 --json    # smaller grids; last stdout line: JSON
    python benchmarks/precision.py --results benchmarks/results/gpu

Each precision runs in its own process (``jax_enable_x64`` is global): the experiment is built,
``cj.scan`` of chi^2 over ``sin2_theta_w x R_n`` runs twice (the first call compiles, the second is
timed) and its chi^2 grid is compared with the float64 one: the largest absolute chi^2 difference
over the grid, the same restricted to Delta chi^2 < 25 (the region intervals are read from), and
whether both find the same best grid point.  ``precision.json`` goes to ``--results``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
EXPERIMENTS = {  # name -> (radius parameter, sin2_theta_w range)
    "coherent_ar_2020": ("rn_ar40", (0.1, 0.5)),
    "coherent_csi_2021": ("rn_csi", (0.15, 0.35)),
}


def worker(name: str, dtype: str, side: int, out: Path) -> dict:
    """Build ``name`` in ``dtype``, scan a ``side x side`` grid twice, save chi^2 to ``out``."""
    import jax

    import cevnsjax as cj

    cj.configure(x64=dtype == "float64")
    model = cj.experiment(name)
    rn, (s_lo, s_hi) = EXPERIMENTS[name]
    lo = model.parameters[rn].lower
    grid = {"sin2_theta_w": np.linspace(s_lo, s_hi, side), rn: np.linspace(lo, lo + 4.5, side)}
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the float32 warning of cj.scan is the point here
        for _ in range(2):
            t0 = time.perf_counter()
            res = cj.scan(model, grid, progress=False)
            chi2 = np.asarray(jax.block_until_ready(res.chi2))
            times.append(time.perf_counter() - t0)
    np.save(out, chi2.astype(np.float64))
    device = jax.devices()[0]
    return {
        "experiment": name,
        "dtype": str(res.chi2.dtype),
        "device": f"{device.platform}:{device.device_kind}",
        "n_devices": jax.device_count(),
        "size": side * side,
        "first_call_s": times[0],
        "scan_s": times[1],
        "throughput_per_s": side * side / times[1],
        "finite": bool(np.isfinite(chi2).all()),
    }


def _finite_or_none(x) -> float | None:
    """``x`` as a float, or None (JSON null) when it is not finite (float32 gave NaN or inf)."""
    return float(x) if np.isfinite(x) else None


def compare(name: str, side: int, tmp: Path) -> dict:
    """Run both precisions for ``name`` in subprocesses and compare their chi^2 grids."""
    runs = {}
    for dtype in ("float64", "float32"):
        out = tmp / f"{name}_{dtype}.npy"
        cmd = [sys.executable, __file__, "--worker", name, dtype, str(side), str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=os.environ.copy())
        if proc.returncode != 0:
            raise RuntimeError(f"{name} in {dtype} failed:\n{proc.stderr[-2000:]}")
        runs[dtype] = (json.loads(proc.stdout.strip().splitlines()[-1]), np.load(out))
    (m64, c64), (m32, c32) = runs["float64"], runs["float32"]
    diff = np.where(np.isfinite(c32), np.abs(c32 - c64), np.inf)  # a non-finite float32 value counts as inf
    near = (c64 - c64.min()) < 25.0
    return {
        "experiment": name,
        "size": side * side,
        "device": m64["device"],
        "n_devices": m64["n_devices"],
        "float64_s": m64["scan_s"],
        "float32_s": m32["scan_s"],
        "speedup_float32": m64["scan_s"] / m32["scan_s"],
        "float64_first_call_s": m64["first_call_s"],
        "float32_first_call_s": m32["first_call_s"],
        "float32_finite": m32["finite"],
        "max_abs_dchi2": _finite_or_none(diff.max()),
        "max_abs_dchi2_within_25": _finite_or_none(diff[near].max()),
        "same_best_point": bool(np.isfinite(c32).any() and np.nanargmin(c32) == np.argmin(c64)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=1000, help="grid points per axis (default: %(default)s)")
    parser.add_argument("--experiments", nargs="+", default=list(EXPERIMENTS), choices=list(EXPERIMENTS))
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object on the last line")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="folder for precision.json")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        name, dtype, side, out = args.worker
        print(json.dumps(worker(name, dtype, int(side), Path(out))))
        return 0
    if args.side < 2:
        parser.error(f"--side must be at least 2, got {args.side}")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [compare(name, args.side, Path(tmp)) for name in args.experiments]
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "precision.json").write_text(json.dumps(rows, indent=1))
    for r in rows:
        print(
            f"{r['experiment']}: {r['size']:,} points on {r['device']} x {r['n_devices']}: "
            f"float64 {r['float64_s']:.3g} s, float32 {r['float32_s']:.3g} s ({r['speedup_float32']:.2f}x); "
            f"max |d chi2| {r['max_abs_dchi2']} (Delta chi2 < 25: {r['max_abs_dchi2_within_25']}); "
            f"same best point: {r['same_best_point']}"
        )
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
