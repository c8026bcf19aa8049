"""``cevnsjax reproduce``: published numbers, recomputed now, side by side with the papers."""

from __future__ import annotations

import click
import numpy as np

from ._app import emit_json, handle_errors, main


def _couplings_rows():
    from ..constants import pdg2018, pdg2022
    from ..physics import couplings as cp

    rows = []
    for c, zz, ref in (
        (pdg2018, False, (0.0401, 0.0318, None, -0.5094, 0.0204)),
        (pdg2022, True, (0.0381, 0.0299, 0.0255, -0.5117, 0.0184)),
    ):
        g = np.asarray(cp.gvp(c, zz_boxes=zz))
        ours = (g[0], g[1], g[2], float(cp.gvn(c, zz_boxes=zz)), float(cp.gvp_no_radius(c, zz_boxes=zz)))
        for label, o, r in zip(("gVp(nu_e)", "gVp(nu_mu)", "gVp(nu_tau)", "gVn", "gVp~"), ours, ref, strict=True):
            if r is not None:
                rows.append((f"{c.name}{' +ZZ' if zz else ''} {label}", float(o), r, "docs/physics.md sec. 2"))
    return rows


def _ar2020_rows():
    from .. import experiments
    from ..inference import fit, profile

    rows = []
    ar = experiments.experiment("coherent_ar_2020")
    rows.append(
        (
            "Ar SM CEvNS events (R_n = 3.55 fm)",
            float(ar.cevns_energy(ar.parameters.defaults()).sum()),
            129.9,
            "numpy recipe, docs/physics.md 11a",
        )
    )
    best = fit(ar, free=["rn_ar40"])
    rows.append(("Ar chi2_min (Helm, R_n free)", best.chi2_min, 8.8, "arXiv:2005.01645"))
    unity = fit(experiments.experiment("coherent_ar_2020", form_factor="unity"))
    rows.append(("Ar chi2_min (full coherence)", unity.chi2_min, 7.0, "arXiv:2005.01645"))
    pr = profile(ar, "rn_ar40", np.linspace(3.448, 14.0, 45), progress=False)
    for level, ref in (("1sigma", 4.2), ("2sigma", 6.2), ("3sigma", 10.8)):
        rows.append((f"Ar R_n upper bound {level} [fm]", pr.intervals[level][0][1], ref, "arXiv:2005.01645"))
    ps = profile(ar, "sin2_theta_w", np.linspace(0.1, 0.55, 46), progress=False)
    s = ps.best_fit["sin2_theta_w"]
    rows.append(("Ar sin2_theta_w", s, 0.31, "arXiv:2005.01645"))
    ((lo, hi),) = ps.intervals["1sigma"]
    rows.append(("Ar sin2_theta_w -1 sigma", s - lo, 0.06, "arXiv:2005.01645"))
    rows.append(("Ar sin2_theta_w +1 sigma", hi - s, 0.06, "arXiv:2005.01645"))
    ((lo, hi),) = ps.intervals["2sigma"]
    rows.append(("Ar sin2_theta_w -2 sigma", s - lo, 0.13, "arXiv:2005.01645"))
    rows.append(("Ar sin2_theta_w +2 sigma", hi - s, 0.11, "arXiv:2005.01645"))
    return rows


TABLES = {"couplings": _couplings_rows, "coherent_ar_2020": _ar2020_rows}


@main.command()
@click.argument("name", required=False, type=click.Choice(sorted(TABLES)))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object as the last stdout line.")
@handle_errors
def reproduce(name: str | None, as_json: bool):
    """Recompute published numbers (all tables, or NAME) and print ours next to the paper's."""
    names = [name] if name else list(TABLES)
    out = {}
    for n in names:
        rows = TABLES[n]()
        out[n] = [{"quantity": q, "cevnsjax": o, "published": p, "source": s} for q, o, p, s in rows]
        if not as_json:
            click.echo(f"\n== {n}")
            click.echo(f"{'quantity':<40} {'cevnsjax':>10} {'published':>10}  source")
            for q, o, p, s in rows:
                click.echo(f"{q:<40} {o:>10.4g} {p:>10.4g}  {s}")
    if as_json:
        emit_json(out)
