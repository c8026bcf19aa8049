"""``cevnsjax reproduce [NAME]``: published numbers recomputed now, with a verdict for each.

Every row holds our number, the published one with its rounding (the number of decimals it was
printed with) and its 1-sigma uncertainty where the source gives one, and the source: a paper
with its table, figure or section, or "independent reference computation" (an independent numpy
or scipy implementation of the same recipe, benchmarks/reference/, labelled as such).  The
status is

* ``within rounding``: |ours - published| <= half a unit of the published number's last digit;
* ``within 1 sigma``: not within rounding, but |ours - published| <= the published uncertainty;
* ``off``: neither (the docs say why, docs/physics.md section 13).

Adding a row: append a :class:`Row` to the list a table function returns; adding a table (a new
experiment): write a function returning rows and add it to :data:`TABLES`.
"""

from __future__ import annotations

import dataclasses
import math

import click
import numpy as np

from ._app import emit_json, handle_errors, main

ARXIV_2005_01645 = "arXiv:2005.01645 (Cadeddu et al., Ar + CsI)"
RELEASE_AR = "COHERENT Ar release companion arXiv:2006.12659, Table 2"
CSI_2021 = "arXiv:2110.07730 (COHERENT CsI 2021)"
CSI_2017 = "arXiv:1708.01294 (COHERENT CsI 2017)"


@dataclasses.dataclass(frozen=True)
class Row:
    """One reproduced number.

    Attributes:
        quantity: what it is, with its conditions.
        ours: cevnsjax's value.
        published: the published (or reference) value.
        decimals: decimals the published value was given with (its rounding).
        sigma: published 1-sigma uncertainty, or None.
        source: paper + table/figure/section, or "independent reference computation (...)".
    """

    quantity: str
    ours: float
    published: float
    decimals: int
    sigma: float | None
    source: str

    @property
    def difference(self) -> float:
        """ours - published."""
        return self.ours - self.published

    @property
    def status(self) -> str:
        """``within rounding``, ``within 1 sigma`` or ``off`` (module docstring)."""
        diff = abs(self.difference)
        if diff <= 0.5 * 10.0**-self.decimals * (1 + 1e-9):
            return "within rounding"
        if self.sigma is not None and diff <= self.sigma:
            return "within 1 sigma"
        return "off"

    def published_text(self) -> str:
        text = f"{self.published:.{self.decimals}f}"
        return text if self.sigma is None else f"{text} +- {self.sigma:.{self.decimals}f}"

    def to_dict(self) -> dict:
        return {
            "quantity": self.quantity,
            "cevnsjax": None if math.isnan(self.ours) else self.ours,
            "published": self.published,
            "decimals": self.decimals,
            "sigma": self.sigma,
            "difference": None if math.isnan(self.ours) else self.difference,
            "status": self.status,
            "source": self.source,
        }


def _couplings_rows() -> list[Row]:
    from ..constants import pdg2018, pdg2022
    from ..physics import couplings as cp

    rows = []
    for c, zz, ref, src in (
        (pdg2018, False, (0.0401, 0.0318, None, -0.5094, 0.0204), "arXiv:2005.01645, Eqs. (2)-(4)"),
        (pdg2022, True, (0.0381, 0.0299, 0.0255, -0.5117, 0.0184), "arXiv:2402.16709 (PDG 2022 with ZZ boxes)"),
    ):
        g = np.asarray(cp.gvp(c, zz_boxes=zz))
        ours = (g[0], g[1], g[2], float(cp.gvn(c, zz_boxes=zz)), float(cp.gvp_no_radius(c, zz_boxes=zz)))
        for label, o, r in zip(("gVp(nu_e)", "gVp(nu_mu)", "gVp(nu_tau)", "gVn", "gVp~"), ours, ref, strict=True):
            if r is not None:
                rows.append(Row(f"{c.name}{' +ZZ' if zz else ''} {label}", float(o), r, 4, None, src))
    return rows


def _count(model, values: dict, component: str = "cevns") -> float:
    """Total of one component at the defaults completed with ``values``."""
    import jax.numpy as jnp

    point = {**model.parameters.defaults(), **{k: jnp.asarray(v) for k, v in values.items()}}
    return float(model.components(point)[component])


def _significance(model, strength: str, fixed: dict | None = None) -> tuple[float, object]:
    """sqrt(chi^2 with ``strength`` = 0 - chi^2_min) (Wilks, one parameter), and the best fit."""
    from ..inference import fit

    fixed = dict(fixed or {})
    best = fit(model, free=[strength], fixed=fixed)
    null = fit(model, fixed={**fixed, strength: 0.0})
    return math.sqrt(max(null.chi2_min - best.chi2_min, 0.0)), best


def _interval_rows(prefix: str, profile, published: tuple, decimals: int, source: str) -> list[Row]:
    """Best fit and 1/2-sigma half-widths of a sin^2 theta_W profile against (best, -1s, +1s, -2s, +2s)."""
    s = profile.best_fit["sin2_theta_w"]

    def around_best(level):  # the interval holding the best fit; an open end (grid edge) reads nan
        lo, hi = next(((a, b) for a, b in profile.intervals[level] if (a or -np.inf) <= s <= (b or np.inf)))
        return (np.nan if lo is None else lo), (np.nan if hi is None else hi)

    (lo1, hi1), (lo2, hi2) = around_best("1sigma"), around_best("2sigma")
    ours = (s, s - lo1, hi1 - s, s - lo2, hi2 - s)
    labels = ("", " -1 sigma", " +1 sigma", " -2 sigma", " +2 sigma")
    sigma = 0.5 * (published[1] + published[2])  # the best fit is judged against the published 1 sigma
    return [
        Row(f"{prefix} sin2_theta_w{label}", o, p, decimals, sigma if not label else None, source)
        for label, o, p in zip(labels, ours, published, strict=True)
        if p is not None
    ]


def _ar2020_rows() -> list[Row]:
    from .. import experiments
    from ..inference import fit, profile

    ar = experiments.experiment("coherent_ar_2020")
    rows = [
        Row(
            "Ar SM CEvNS events (R_n = 3.55 fm)",
            float(ar.cevns_energy(ar.parameters.defaults()).sum()),
            129.9,
            1,
            None,
            "independent reference computation (numpy recipe, benchmarks/reference/ar2020.py)",
        ),
        Row(
            "Ar SM CEvNS events vs COHERENT's prediction",
            float(ar.cevns_energy(ar.parameters.defaults()).sum()),
            128,
            0,
            17,
            RELEASE_AR,
        ),
    ]
    best = fit(ar, free=["rn_ar40"])
    rows.append(Row("Ar chi2_min (Helm, R_n free)", best.chi2_min, 8.8, 1, None, f"{ARXIV_2005_01645}, text"))
    unity = fit(experiments.experiment("coherent_ar_2020", form_factor="unity"))
    rows.append(Row("Ar chi2_min (full coherence)", unity.chi2_min, 7.0, 1, None, f"{ARXIV_2005_01645}, text"))
    pr = profile(ar, "rn_ar40", np.linspace(3.448, 14.0, 45), progress=False)
    for level, ref in (("1sigma", 4.2), ("2sigma", 6.2), ("3sigma", 10.8)):
        rows.append(
            Row(
                f"Ar R_n upper bound {level} [fm]", pr.intervals[level][0][1], ref, 1, None, f"{ARXIV_2005_01645}, text"
            )
        )
    ps = profile(ar, "sin2_theta_w", np.linspace(0.1, 0.55, 46), progress=False)
    rows += _interval_rows("Ar", ps, (0.31, 0.06, 0.06, 0.13, 0.11), 2, f"{ARXIV_2005_01645}, text")
    free = experiments.experiment("coherent_ar_2020", likelihood="poisson_3d", cevns_norm="free", systematics=False)
    sig, best = _significance(free, "eta_cevns")
    values = best.values
    for label, comp, ref, err in (
        ("CEvNS", "cevns", 159, 43),
        ("prompt BRN", "brn_prompt", 553, 34),
        ("delayed BRN", "brn_delayed", 10, 11),
        ("steady state", "ss", 3131, 23),
    ):
        rows.append(
            Row(f"Ar 3D fit (cevns_norm=free), {label} events", _count(free, values, comp), ref, 0, err, RELEASE_AR)
        )
    significance_source = "arXiv:2003.10630 (COHERENT Ar), abstract (stat + syst)"
    rows.append(Row("Ar 3D fit CEvNS significance [sigma], statistical", sig, 3.5, 1, None, significance_source))
    syst = experiments.experiment("coherent_ar_2020", likelihood="poisson_3d", cevns_norm="free")
    sig_syst, _ = _significance(syst, "eta_cevns")
    rows.append(
        Row("Ar 3D fit CEvNS significance [sigma], shape nuisances", sig_syst, 3.5, 1, None, significance_source)
    )
    return rows


def _csi2021_rows() -> list[Row]:
    from .. import experiments

    csi = experiments.experiment("coherent_csi_2021")
    sm = _count(csi, {})
    old = experiments.experiment("coherent_csi_2021", preset="pdg2018", zz_boxes=False)
    rows = [
        Row("CsI 2021 SM CEvNS events (R_n 5.01 / 4.94 fm)", sm, 333, 0, 11, f"{CSI_2021}, text (theory error)"),
        Row(
            "CsI 2021 SM CEvNS events, pdg2018 without ZZ",
            _count(old, {}),
            326,
            0,
            None,
            "independent reference computation (numpy recipe, benchmarks/reference/csi2021.py)",
        ),
    ]
    sig, best = _significance(csi, "mu_cevns", fixed={"eta_flux": 1.0})
    rows.append(
        Row("CsI 2021 fitted CEvNS events (eta_flux fixed)", _count(csi, best.values), 306, 0, 20, f"{CSI_2021}, text")
    )
    rows.append(Row("CsI 2021 chi2_min (98 dof)", best.chi2_min, 82.4, 1, None, f"{CSI_2021}, text"))
    rows.append(Row("CsI 2021 CEvNS significance [sigma]", sig, 11.6, 1, None, f"{CSI_2021}, text"))
    return rows


def _csi2017_rows() -> list[Row]:
    from .. import experiments
    from ..inference import fit

    csi = experiments.experiment("coherent_csi_2017")
    rows = [Row("CsI 2017 SM CEvNS events (R_n 5.01 / 4.94 fm)", _count(csi, {}), 173, 0, 48, f"{CSI_2017}, text")]
    best = fit(csi, free=["mu_cevns"], fixed={"eta_flux": 1.0, "eta_qf": 1.0, "eta_eff": 1.0})
    rows.append(
        Row("CsI 2017 fitted CEvNS events (poisson)", _count(csi, best.values), 134, 0, 22, f"{CSI_2017}, text")
    )
    single = experiments.experiment("coherent_csi_2017", likelihood="single_bin")
    rows.append(
        Row(
            "CsI 2017 N_meas = C - AC (6-30 PE, t < 6 us)",
            float(single.likelihood.measured),
            142,
            0,
            None,
            "arXiv:1708.04255",
        )
    )
    return rows


def _combination_rows() -> list[Row]:
    """sin^2 theta_W of CsI 2017 alone and with argon, R_n fixed at 5.01 / 4.94 fm (arXiv:2005.01645).

    The paper uses the quenching of arXiv:1907.04828, which the library does not have (its
    parametrisation was not found in public sources; docs/physics.md section 10): these rows
    use ``quenching=constant`` and are expected to be off.
    """
    from .. import experiments
    from ..inference import profile
    from ..likelihood import combine

    options = {"preset": "pdg2018", "zz_boxes": False}
    csi = experiments.experiment("coherent_csi_2017", **options)
    ar = experiments.experiment("coherent_ar_2020")
    grid = np.linspace(0.1, 0.45, 36)
    rows = _interval_rows(
        "CsI 2017",
        profile(csi, "sin2_theta_w", grid, progress=False),
        (0.24, 0.04, 0.04, 0.09, 0.09),
        2,
        f"{ARXIV_2005_01645}, text (Collar et al. quenching)",
    )
    rows += _interval_rows(
        "CsI 2017 + Ar",
        profile(combine(csi, ar), "sin2_theta_w", grid, progress=False),
        (0.26, 0.03, 0.04, None, None),
        2,
        f"{ARXIV_2005_01645}, text (Collar et al. quenching)",
    )
    return rows


def _apv_rows() -> list[Row]:
    """The cesium weak charge in the SM and sin^2 theta_W from APV alone, for both atomic calculations."""
    from .. import experiments
    from ..inference import fit
    from ..physics.apv import weak_charge

    pdg = "PDG electroweak review (Erler & Ferro-Hernandez), section on atomic parity violation"
    rows = [
        Row("APV Q_W^SM(133Cs) at sin2_theta_w = 0.23857", float(weak_charge(0.23857, 55, 78)), -73.23, 2, 0.01, pdg)
    ]
    published = {
        "dzuba2012": (0.2367, 0.0018, f"{pdg} (Dzuba et al. 2012 amplitude)"),
        "sahoo2021": (0.2408, 0.0016, "Sahoo, Das & Spiesberger, PRD 103, L111303 (2021)"),
    }
    for amplitude, (value, sigma, source) in published.items():
        best = fit(experiments.experiment("apv_cs", amplitude=amplitude), free=["sin2_theta_w"])
        rows.append(Row(f"APV alone sin2_theta_w ({amplitude})", best.values["sin2_theta_w"], value, 4, sigma, source))
    return rows


def _dresden_rows() -> list[Row]:
    """<r^2_nu_e> from Dresden-II alone (Fef, HMVE, momentum-dependent radius): the 1 sigma interval ends."""
    from .. import experiments
    from ..inference import profile

    model = experiments.experiment("dresden_ii_2022", radius_q_dependence=True)
    prof = profile(model, "r2_nu_ee", np.linspace(-90.0, 30.0, 121), progress=False)
    ends = [np.nan if v is None else v for pair in prof.intervals["1sigma"] for v in pair]
    ends = (ends + [np.nan] * 4)[:4]  # two islands expected
    source = "arXiv:2402.16709 (Dresden-II alone, Fef quenching, HMVE)"
    labels = ("lower island, low end", "lower island, high end", "upper island, low end", "upper island, high end")
    return [
        Row(f"Dresden-II <r2_nu_e> 1 sigma, {label} [1e-32 cm2]", o, p, 1, None, source)
        for label, o, p in zip(labels, ends, (-62.5, -53.7, -9.0, 1.8), strict=True)
    ]


#: Table name -> function returning its rows (in the order printed by ``reproduce``).
TABLES = {
    "couplings": _couplings_rows,
    "coherent_ar_2020": _ar2020_rows,
    "coherent_csi_2021": _csi2021_rows,
    "coherent_csi_2017": _csi2017_rows,
    "combinations": _combination_rows,
    "dresden_ii_2022": _dresden_rows,
    "apv_cs": _apv_rows,
}


@main.command()
@click.argument("name", required=False, type=click.Choice(sorted(TABLES)))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object as the last stdout line.")
@handle_errors
def reproduce(name: str | None, as_json: bool):
    """Recompute published numbers (all tables, or NAME): ours, the paper's, the difference and a status."""
    names = [name] if name else list(TABLES)
    out = {}
    for n in names:
        rows = TABLES[n]()
        out[n] = [r.to_dict() for r in rows]
        if not as_json:
            click.echo(f"\n== {n}")
            click.echo(f"{'quantity':<58} {'cevnsjax':>10} {'published':>16} {'diff':>9}  {'status':<15}  source")
            for r in rows:
                click.echo(
                    f"{r.quantity:<58} {r.ours:>10.4g} {r.published_text():>16} {r.difference:>+9.3g}  "
                    f"{r.status:<15}  {r.source}"
                )
    if as_json:
        emit_json(out)
