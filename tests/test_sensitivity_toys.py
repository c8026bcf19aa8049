"""Median-of-toys sensitivity (docs/physics.md section 19, Eqs. (147)-(149)).

Where Wilks' theorem holds (sin^2 theta_W from COH-Ar-750, thousands of events, far from its
bounds) the median interval of Poisson pseudo-experiments is the Asimov interval: the test compares
them within the Monte Carlo error of the median (order statistics) and a 2% allowance for the
asymmetry of a Poisson profile.
"""

import dataclasses

import numpy as np
import pytest

import cevnsjax as cj

cj.configure()


@pytest.fixture(scope="module")
def argon():
    return cj.experiment("coh_ar_750", n_bins=6)


@pytest.fixture(scope="module")
def toys(argon):
    return cj.sensitivity(argon, "sin2_theta_w", [1.0], n_grid=9, method="toys", n_toys=64, seed=3)


def test_median_of_toys_agrees_with_asimov_where_wilks_holds(toys):
    assert toys.toy_upper.shape == (1, 64) and toys.n_toys == 64 and toys.nuisances == "prior"
    assert np.all(np.isfinite(toys.toy_upper)) and np.all(toys.toy_lower < toys.toy_upper)
    for end, asimov in (("lower", toys.lower), ("upper", toys.upper), ("width", toys.width)):
        (median,), (error,) = toys.toy_quantiles(end, [0.5])
        assert abs(median[0] - asimov[0]) < 3 * error[0] + 0.02 * toys.width[0], end
    # the spread of the toys' upper ends is that of the best fit, the Asimov half-width (Wilks)
    (lo, hi), _ = toys.toy_quantiles("upper", [0.16, 0.84])
    assert (hi - lo)[0] / toys.width[0] == pytest.approx(1.0, abs=0.35)
    # the widths fluctuate much less than the ends: the interval moves with the data, its size does not
    (wlo, whi), _ = toys.toy_quantiles("width", [0.16, 0.84])
    assert (whi - wlo)[0] < 0.35 * (hi - lo)[0]
    assert "median of 64 toys" in repr(toys)


def test_bad_toy_settings_are_refused_by_name(argon, toys):
    m = argon
    with pytest.raises(ValueError, match="method='bootstrap' is not valid; choices: asimov, toys"):
        cj.sensitivity(m, "sin2_theta_w", [1.0], method="bootstrap")
    with pytest.raises(ValueError, match="n_toys"):
        cj.sensitivity(m, "sin2_theta_w", [1.0], method="toys", n_toys=0)
    with pytest.raises(ValueError, match="nuisances"):
        cj.sensitivity(m, "sin2_theta_w", [1.0], method="toys", nuisances="drawn")
    asimov = dataclasses.replace(toys, toy_lower=None, toy_upper=None)
    with pytest.raises(ValueError, match="method='toys'"):
        asimov.toy_quantiles()
    with pytest.raises(ValueError, match="choices: upper, lower, width"):
        toys.toy_quantiles("middle")


def test_plot_draws_the_toy_medians(toys, tmp_path):
    from cevnsjax import plotting

    wide = dataclasses.replace(
        toys,
        exposures=np.array([1.0, 4.0]),
        **{k: np.repeat(getattr(toys, k), 2, axis=0) for k in ("best_fit", "lower", "upper", "toy_lower", "toy_upper")},
    )
    fig = plotting.plot_sensitivity([wide], ["COH-Ar-750"])
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "COH-Ar-750: median of 64 toys, 68% band hatched" in labels
    fig.savefig(tmp_path / "toys.png")
