#!/usr/bin/env python
"""One process of the ``scan_2proc`` benchmark (benchmarks/run.py starts one or two of them).

Usage::

    python benchmarks/scan_worker.py N_PROCESSES PROCESS_ID PORT GRID_SIDE CHUNK OUT_PREFIX

Every process builds the argon experiment, scans chi^2 on a GRID_SIDE x GRID_SIDE grid of
(sin2_theta_w, rn_ar40) with the nuisances at their defaults once to compile, then once more,
timed; the chunks are split across the processes (``cj.initialize_distributed``).  Process 0
writes ``OUT_PREFIX.json`` (the timed scan's wall time) and ``OUT_PREFIX.npy`` (the chi^2 grid).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

import cevnsjax as cj


def main(argv: list[str]) -> None:
    n, me, port, side, chunk, out = int(argv[0]), int(argv[1]), argv[2], int(argv[3]), int(argv[4]), argv[5]
    cj.configure()
    if n > 1:
        cj.initialize_distributed(f"127.0.0.1:{port}", n, me)
    model = cj.experiment("coherent_ar_2020")
    lo = model.parameters["rn_ar40"].lower
    grid = {"sin2_theta_w": np.linspace(0.1, 0.5, side), "rn_ar40": np.linspace(lo, lo + 4.5, side)}
    cj.scan(model, grid, chunk_size=chunk, progress=False)  # compiles
    t0 = time.perf_counter()
    result = cj.scan(model, grid, chunk_size=chunk, progress=False)
    wall = time.perf_counter() - t0
    if me == 0:
        np.save(f"{out}.npy", result.chi2)
        with open(f"{out}.json", "w") as f:
            json.dump({"wall_s": wall, "points": side * side, "n_devices": result.n_devices}, f)


if __name__ == "__main__":
    main(sys.argv[1:])
