"""Figures: CL thresholds from chi2.ppf, the drawn allowed regions against analytic areas (ellipse,
ring, islands, a region cut open by the grid edge), credible-region containment, and the
profile / 2D / scan / corner figures with their labels, markers and overlays."""

import math
import re

import matplotlib.mathtext
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.path import Path
from scipy import stats

from cevnsjax import plotting
from cevnsjax.constants import pdg2022
from cevnsjax.inference import LEVELS_1D, LEVELS_2D, FitResult, NamedMatrix, Profile2DResult, ProfileResult, ScanResult
from cevnsjax.physics import catalogue


def _fit(values):
    return FitResult(
        values=dict(values),
        errors=dict.fromkeys(values, 0.0),
        free=(),
        covariance=NamedMatrix((), np.zeros((0, 0))),
        chi2_min=0.0,
        ndof=None,
        converged=True,
        message="",
        edm=0.0,
        engine="jax",
        units={},
    )


def _profile2d(names, grids, surface, best):
    d = surface(*np.meshgrid(*grids, indexing="ij"))
    best = dict(zip(names, best))
    return Profile2DResult(
        params=names,
        grid=grids,
        chi2=d,
        delta_chi2=d,
        chi2_min=0.0,
        best_fit=best,
        ndof=None,
        contours={},
        converged=np.ones(d.shape, bool),
        fit=_fit(best),
    )


def _profile(name, grid, delta, best):
    return ProfileResult(
        param=name,
        grid=grid,
        chi2=delta,
        delta_chi2=delta,
        chi2_min=0.0,
        best_fit={name: best},
        ndof=None,
        intervals={},
        converged=np.ones(len(grid), bool),
        nuisances={},
        fit=_fit({name: best}),
    )


def _area(patch) -> float:
    """Area of a drawn region: signed shoelace sum over its polygons (holes wind the other way)."""
    total = 0.0
    for poly in patch.get_path().to_polygons(closed_only=True):
        x, y = poly[:, 0], poly[:, 1]
        total += 0.5 * np.sum(x[:-1] * y[1:] - x[1:] * y[:-1])
    return total


def _inside(patch, points) -> np.ndarray:
    """Nonzero winding rule (how Agg fills a path): holes wind against their outer boundary."""
    winding = np.zeros(len(points))
    for poly in patch.get_path().to_polygons(closed_only=True):
        area = 0.5 * np.sum(poly[:-1, 0] * poly[1:, 1] - poly[1:, 0] * poly[:-1, 1])
        winding += np.sign(area) * Path(poly).contains_points(points)
    return winding != 0


def _regions(x, y, surface, **kwargs):
    ax = Figure().subplots()
    return ax, plotting.add_regions(ax, x, y, surface(*np.meshgrid(x, y, indexing="ij")), **kwargs)


# --- confidence levels --------------------------------------------------------------------------


def test_levels_are_chi2_quantiles_labelled_by_probability():
    one, two = plotting.confidence_levels(dof=1), plotting.confidence_levels(dof=2)
    assert list(one) == list(two) == ["68.27% CL", "90% CL", "95.45% CL", "99.73% CL"]
    # 1 dof: n sigma is Delta chi^2 = n^2 exactly; 2 dof: chi^2_2 is exponential, t = -2 ln(1 - CL)
    assert [one[k] for k in ("68.27% CL", "95.45% CL", "99.73% CL")] == pytest.approx([1.0, 4.0, 9.0], rel=1e-12)
    assert one["90% CL"] == pytest.approx(stats.norm.ppf(0.95) ** 2, rel=1e-12)
    for p, t in zip(plotting.CL_DEFAULT, two.values()):
        assert t == pytest.approx(-2.0 * math.log(1.0 - p), rel=1e-12)
    # the rounded table of docs/physics.md section 12 that the interval finders use
    for table, levels in ((LEVELS_1D, one), (LEVELS_2D, two)):
        ours = {"1sigma": "68.27% CL", "90%": "90% CL", "2sigma": "95.45% CL", "3sigma": "99.73% CL"}
        for name, label in ours.items():
            assert levels[label] == pytest.approx(table[name], abs=6e-3)


def test_level_spellings_and_bad_levels():
    assert plotting.confidence_levels(["2sigma", "90%", 0.99], dof=2) == pytest.approx(
        {"90% CL": 4.60517, "95.45% CL": 6.18007, "99% CL": 9.21034}, rel=1e-5
    )
    assert plotting.cl_label(0.95) == "95% CL"
    for bad in (1.5, 0.0, "abc", "4sigma"):
        with pytest.raises(ValueError, match="not a probability"):
            plotting.confidence_levels([bad])
    with pytest.raises(ValueError, match="dof"):
        plotting.confidence_levels(dof=0)


# --- regions on analytic surfaces ---------------------------------------------------------------


def test_correlated_ellipse_area_is_pi_t_sqrt_det():
    cov = np.array([[1.0, 0.6], [0.6, 0.5]])
    inv = np.linalg.inv(cov)
    x, y = np.linspace(-6, 6, 121), np.linspace(-5, 5, 101)

    def surface(a, b):
        return inv[0, 0] * a * a + 2 * inv[0, 1] * a * b + inv[1, 1] * b * b

    _, drawn = _regions(x, y, surface)
    for label, t in plotting.confidence_levels(dof=2).items():
        # linear interpolation along the grid edges: the polygon is inscribed, ~0.6% small at this step
        assert _area(drawn[label]) == pytest.approx(math.pi * t * math.sqrt(np.linalg.det(cov)), rel=1e-2), label
    assert list(_inside(drawn["68.27% CL"], [(0.0, 0.0), (2.5, 0.0)])) == [True, False]


def test_ring_has_a_hole_and_the_annulus_area():
    radius, sigma = 3.0, 0.4
    x = np.linspace(-5.5, 5.5, 161)
    ax, drawn = _regions(x, x, lambda a, b: ((np.hypot(a, b) - radius) / sigma) ** 2)
    for label, t in plotting.confidence_levels(dof=2).items():
        half = sigma * math.sqrt(t)  # annulus radius +- half: area 4 pi R half
        assert _area(drawn[label]) == pytest.approx(4 * math.pi * radius * half, rel=1e-2), label
    points = [(radius, 0.0), (0.0, -radius), (0.0, 0.0)]
    assert list(_inside(drawn["68.27% CL"], points)) == [True, True, False]
    # rendered: the hole stays white, the ring is shaded
    ax.set_xlim(-5.5, 5.5)
    ax.set_ylim(-5.5, 5.5)
    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())
    height = image.shape[0]
    for (px, py), shaded in zip(ax.transData.transform([(0.0, 0.0), (radius, 0.0)]), (False, True)):
        pixel = image[height - round(py), round(px), :3]
        assert (tuple(pixel) != (255, 255, 255)) == shaded, (px, py, pixel)


def test_islands_are_separate_regions():
    x, y = np.linspace(-1, 1, 161), np.linspace(-1, 1, 161)

    def surface(u, d):
        first = ((u - 0.4) / 0.05) ** 2 + ((d + 0.3) / 0.1) ** 2
        return np.minimum(first, ((u + 0.4) / 0.05) ** 2 + ((d - 0.3) / 0.1) ** 2)

    _, drawn = _regions(x, y, surface, cl=(0.9,))
    t = stats.chi2.ppf(0.9, 2)
    assert len(drawn["90% CL"].get_path().to_polygons(closed_only=True)) == 2
    assert _area(drawn["90% CL"]) == pytest.approx(2 * math.pi * t * 0.05 * 0.1, rel=1e-2)
    assert list(_inside(drawn["90% CL"], [(0.4, -0.3), (-0.4, 0.3), (0.0, 0.0)])) == [True, True, False]


def test_region_cut_open_by_the_grid_edge():
    """Minimum on the lower edge: half an ellipse, closed along the edge, its contour line left open."""
    x, y = np.linspace(-3, 3, 121), np.linspace(0, 3, 61)
    ax, drawn = _regions(x, y, lambda a, b: a**2 + (b / 0.8) ** 2, cl=("1sigma",))
    t = stats.chi2.ppf(plotting.SIGMA[1], 2)
    assert _area(drawn["68.27% CL"]) == pytest.approx(0.5 * math.pi * t * 0.8, rel=5e-3)
    (line,) = [ln for ln in ax.lines if len(ln.get_xdata()) > 2]
    ends = np.array([line.get_xydata()[0], line.get_xydata()[-1]])
    assert ends[:, 1] == pytest.approx([0.0, 0.0]) and abs(ends[0, 0] - ends[1, 0]) > 2.0, (
        "outline drawn along the edge"
    )


def test_nan_points_are_outside():
    x = np.linspace(-3, 3, 61)
    grid = np.meshgrid(x, x, indexing="ij")
    d = grid[0] ** 2 + grid[1] ** 2
    d[30, 30] = np.nan  # the minimum did not converge
    ax = Figure().subplots()
    patch = plotting.add_regions(ax, x, x, d, cl=(0.9,))["90% CL"]
    assert list(_inside(patch, [(0.0, 0.0), (1.0, 0.0)])) == [False, True]


# --- credible regions ---------------------------------------------------------------------------


def test_credible_regions_hold_their_fraction_of_the_draws():
    rng = np.random.default_rng(3)
    draws = rng.multivariate_normal([0.24, 4.5], [[0.03**2, 0.6 * 0.03 * 0.8], [0.6 * 0.03 * 0.8, 0.8**2]], 40000)
    fig = plotting.plot_corner({"sin2_theta_w": draws[:, 0], "rn_ar40": draws[:, 1]})
    panel = fig.axes[2]  # row 1, column 0 (the upper-right panel is hidden, not removed)
    patches = {p.get_label(): p for p in panel.patches}
    for level, p in (("68% credible", 0.68), ("95% credible", 0.95)):
        assert np.mean(_inside(patches[level], draws)) == pytest.approx(p, abs=0.01), level


def test_credible_regions_of_draws_piled_on_a_bound():
    """A posterior cut by a bound (a rate >= 0): most draws sit in the first bins, the regions still hold 68 / 95%."""
    rng = np.random.default_rng(5)
    x, y = rng.normal(0.0, 1.0, 600), rng.exponential(0.7, 600)
    edges = [np.histogram_bin_edges(v, bins=16) for v in (x, y)]
    cx, cy, density, levels = plotting.credible_density(x, y, *edges)
    assert (cx[0], cx[-1], cy[0], cy[-1]) == (edges[0][0], edges[0][-1], edges[1][0], edges[1][-1])
    ax = Figure().subplots()
    bounds = {k: -h for k, h in levels.items()}
    drawn = plotting._fill_regions(ax, cx, cy, -density, bounds, filled=True, color="C0", label=None)
    for level, p in (("68%", 0.68), ("95%", 0.95)):
        assert np.mean(_inside(drawn[level], np.column_stack([x, y]))) == pytest.approx(p, abs=0.03), level
    box = (edges[0][-1] - edges[0][0]) * (edges[1][-1] - edges[1][0])
    assert _area(drawn["95%"]) < 0.6 * box


def test_corner_labels_titles_and_truths(tmp_path):
    rng = np.random.default_rng(0)
    draws = {"mu_nu_e": rng.normal(10.0, 2.0, (2, 3000)), "eta_flux": rng.normal(1.0, 0.1, (2, 3000))}
    fig = plotting.plot_corner(draws, labels={"eta_flux": r"$\eta_{\rm flux}$"}, truths={"mu_nu_e": 0.0})
    title = re.fullmatch(r"\$\\mu_\{\\nu_\{e\}\}\$ = \$(.+)\^\{\+(.+)\}_\{-(.+)\}\$", fig.axes[0].get_title())
    assert [float(v) for v in title.groups()] == pytest.approx([10.0, 2.0, 2.0], abs=0.11)  # median, 68% interval
    assert fig.axes[2].get_xlabel() == r"$\mu_{\nu_{e}}$ [$10^{-10}$ $\mu_B$]"
    assert fig.axes[2].get_ylabel() == r"$\eta_{\rm flux}$"
    plotting.save(fig, str(tmp_path / "corner.png"))
    assert (tmp_path / "corner.png").stat().st_size > 10_000


# --- figures ------------------------------------------------------------------------------------


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.mark.parametrize(
    "case",
    [
        # ring: the README's r2_nu_ee x r2_nu_mumu example has this shape
        (("r2_nu_ee", "r2_nu_mumu"), (-100, 60, -80, 40), lambda a, b: ((np.hypot(a + 25, b + 20) - 50) / 12) ** 2),
        # islands
        (
            ("eps_u_ee", "eps_d_ee"),
            (-1, 1, -1, 1),
            lambda u, d: np.minimum(((u - 0.3) / 0.05) ** 2 + (d / 0.1) ** 2, ((u + 0.3) / 0.05) ** 2 + (d / 0.1) ** 2),
        ),
        # open: runs off the lower edge
        (
            ("sin2_theta_w", "rn_ar40"),
            (0.1, 0.5, 3.45, 8),
            lambda s, r: ((s - 0.25) / 0.05) ** 2 + ((r - 3.5) / 1) ** 2,
        ),
    ],
    ids=["ring", "islands", "open"],
)
def test_profile2d_figure(case, tmp_path):
    names, (a0, a1, b0, b1), surface = case
    grids = (np.linspace(a0, a1, 41), np.linspace(b0, b1, 37))
    d = surface(*np.meshgrid(*grids, indexing="ij"))
    i, j = np.unravel_index(np.argmin(d), d.shape)
    result = _profile2d(names, grids, lambda a, b: surface(a, b) - d.min(), (grids[0][i], grids[1][j]))
    fig = plotting.plot_profile2d(result)
    ax = fig.axes[0]
    texts = _legend_texts(ax)
    assert texts[:4] == ["68.27% CL", "90% CL", "95.45% CL", "99.73% CL"] and "best fit" in texts
    (star,) = [ln for ln in ax.lines if ln.get_label() == "best fit"]
    assert tuple(star.get_xydata()[0]) == (grids[0][i], grids[1][j])
    sm = [ln for ln in ax.lines if ln.get_label() == "SM"]
    has_sm = names[1] != "rn_ar40"  # a neutron radius has no SM value
    assert len(sm) == has_sm
    if has_sm:
        expected = [catalogue.sm_value(n, pdg2022) for n in names]
        assert sm[0].get_xydata()[0] == pytest.approx(expected, rel=0.05)
    labels = {p.name: p for p in catalogue.bsm_parameters(pdg2022)}
    if names[0] in labels:
        assert ax.get_xlabel().startswith(labels[names[0]].label)
    plotting.save(fig, str(tmp_path / "regions.png"))


def test_overlay_of_another_result_keeps_the_axes():
    grids = (np.linspace(-1, 1, 31), np.linspace(-1, 1, 31))
    first = _profile2d(("eps_u_ee", "eps_d_ee"), grids, lambda u, d: (u / 0.2) ** 2 + (d / 0.3) ** 2, (0.0, 0.0))
    wide = (np.linspace(-3, 3, 31), np.linspace(-3, 3, 31))
    other = _profile2d(("eps_u_ee", "eps_d_ee"), wide, lambda u, d: ((u - 0.5) / 0.4) ** 2 + (d / 0.4) ** 2, (0.5, 0))
    fig = plotting.plot_profile2d(first)
    ax = fig.axes[0]
    again = plotting.plot_profile2d(other, ax=ax, filled=False, label="Ar", color="C3", cl=(0.9,))
    assert again is fig and ax.get_xlim() == (-1.0, 1.0)
    texts = _legend_texts(ax)
    assert "Ar, 90% CL" in texts and "Ar best fit" in texts and texts.count("SM") == 1
    assert len(ax.patches) == 4  # the overlay adds lines, no shading


def test_profile_levels_labelled_by_probability_and_overlays():
    x = np.linspace(-100, 60, 81)
    result = _profile("r2_nu_ee", x, ((x + 40) / 20) ** 2, -40.0)
    fig = plotting.plot_profile(result, label="Ar")
    ax = fig.axes[0]
    (right,) = ax.child_axes
    ticks = dict(zip([t.get_text() for t in right.get_yticklabels()], right.get_yticks()))
    assert ticks == pytest.approx(plotting.confidence_levels(dof=1))
    levels = [ln for ln in ax.lines if ln.get_gid() == "cevnsjax-cl"]
    assert len(levels) == 4
    (sm,) = [ln for ln in ax.lines if ln.get_label() == "SM"]
    assert sm.get_xdata()[0] == pytest.approx(catalogue.sm_value("r2_nu_ee", pdg2022))
    assert ax.get_xlabel() == r"$\langle r^2_{\nu_{ee}}\rangle$ [$10^{-32}$ cm$^{2}$]"
    plotting.plot_profile(_profile("r2_nu_ee", x, ((x + 20) / 30) ** 2, -20.0), ax=ax, label="CsI", color="C3")
    assert len([ln for ln in ax.lines if ln.get_gid() == "cevnsjax-cl"]) == 4 and len(ax.child_axes) == 1
    assert _legend_texts(ax) == ["Ar", "best fit", "SM", "CsI"]


def test_no_sm_for_nuisances_and_radii():
    x = np.linspace(3.4, 8, 21)
    fig = plotting.plot_profile(_profile("rn_ar40", x, (x - 4) ** 2, 4.0))
    assert not [ln for ln in fig.axes[0].lines if ln.get_label() == "SM"]


def test_scan_figures_use_catalogue_labels():
    g = np.linspace(0.1, 0.5, 21)
    one = ScanResult(("sin2_theta_w",), (g,), ((g - 0.25) / 0.05) ** 2, {"sin2_theta_w": 0.25}, 0.0, 1)
    ax = plotting.plot_scan(one).axes[0]
    assert ax.get_xlabel() == r"$\sin^2\theta_W$" and "not profiled" in ax.get_title()
    h = np.linspace(-80, 40, 25)
    chi2 = ((g[:, None] - 0.25) / 0.05) ** 2 + ((h[None, :] + 20) / 30) ** 2
    two = ScanResult(("sin2_theta_w", "r2_nu_mumu"), (g, h), chi2, {"sin2_theta_w": 0.25, "r2_nu_mumu": -20.0}, 0.0, 1)
    ax = plotting.plot_scan(two).axes[0]
    assert "lowest grid point" in _legend_texts(ax) and "SM" in _legend_texts(ax)
    assert ax.get_ylabel().endswith("[$10^{-32}$ cm$^{2}$]")
    with pytest.raises(ValueError, match="1 or 2"):
        plotting.plot_scan(ScanResult(("a", "b", "c"), (g, g, g), np.zeros((21, 21, 21)), {}, 0.0, 1))


# --- labels -------------------------------------------------------------------------------------


def test_every_catalogue_label_renders_with_its_unit_once():
    parser = matplotlib.mathtext.MathTextParser("path")
    parameters = [catalogue.sin2_theta_w(pdg2022), *catalogue.bsm_parameters(pdg2022, sterile=True)]
    parameters.append(catalogue.neutron_radius("rn_cs133", 4.8, 4.8, "helm", "133Cs"))
    for p in parameters:
        label = plotting.axis_label(p.name, {p.name: p})
        for piece in label.split("$")[1::2]:
            parser.parse(f"${piece}$")  # raises on bad mathtext
        assert label.count("[") == (1 if p.unit else 0), label
    assert plotting.axis_label("mu_nu_mu") == r"$\mu_{\nu_{\mu}}$ [$10^{-10}$ $\mu_B$]"
    assert plotting.axis_label("rn_cs133", {"rn_cs133": parameters[-1]}) == r"$R_n(^{133}\mathrm{Cs})$ [fm]"
    assert plotting.axis_label("x", {"x": {"unit": "keVee"}}) == "x [keV$_\\mathrm{ee}$]"
    assert plotting.axis_label("eps_u_emu") == r"$\varepsilon^{uV}_{e\mu}$"


def test_fit_figure_ticks_are_the_symbols():
    fit = FitResult(
        values={"sin2_theta_w": 0.25, "eta_flux": 0.9},
        errors={"sin2_theta_w": 0.05, "eta_flux": 0.1},
        free=("sin2_theta_w", "eta_flux"),
        covariance=NamedMatrix(("sin2_theta_w", "eta_flux"), np.array([[0.0025, 0.001], [0.001, 0.01]])),
        chi2_min=1.0,
        ndof=3,
        converged=True,
        message="",
        edm=0.0,
        engine="jax",
        units={},
    )
    parameters = {"eta_flux": {"label": r"$\eta_{\rm flux}$", "unit": ""}}
    fig = plotting.plot_fit(fit, {"eta_flux": (1.0, 0.1)}, parameters)
    pulls, correlation = fig.axes[:2]
    assert [t.get_text() for t in pulls.get_yticklabels()] == [r"$\eta_{\rm flux}$"]
    assert pulls.lines[-1].get_xdata()[0] == pytest.approx(-1.0)  # (0.9 - 1.0) / 0.1
    assert [t.get_text() for t in correlation.get_xticklabels()] == [r"$\sin^2\theta_W$", r"$\eta_{\rm flux}$"]
