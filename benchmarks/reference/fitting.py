"""The usual numpy fitting tools: central-difference gradients and Minuit with numerical derivatives."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from iminuit import Minuit

Chi2 = Callable[[Mapping[str, float]], float]


def chi2_and_gradient(
    chi2: Chi2, params: Mapping[str, float], names: Sequence[str], step: float = 1e-5
) -> tuple[float, np.ndarray]:
    """chi^2 and its central-difference gradient with respect to ``names``."""
    grad = np.empty(len(names))
    for i, name in enumerate(names):
        h = step * max(1.0, abs(params[name]))
        grad[i] = (chi2({**params, name: params[name] + h}) - chi2({**params, name: params[name] - h})) / (2 * h)
    return chi2(params), grad


def fit(
    chi2: Chi2, base: Mapping[str, float], free: Sequence[str], bounds: Mapping[str, tuple[float, float]]
) -> Minuit:
    """MIGRAD + HESSE over ``free`` (Minuit's numerical gradient), the rest held at ``base``."""

    def fcn(x):
        return chi2({**base, **dict(zip(free, x, strict=True))})

    m = Minuit(fcn, [base[n] for n in free], name=list(free))
    m.errordef = Minuit.LEAST_SQUARES
    m.limits = [bounds[n] for n in free]
    m.migrad()
    m.hesse()
    return m
