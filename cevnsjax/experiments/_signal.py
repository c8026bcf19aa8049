"""Shared pieces of every CEvNS experiment: SM signal recoil spectra and physics parameter specs.

The beyond-SM terms (issue: BSM physics) extend :func:`cevns_recoil_spectra` through its
``params`` mapping, so experiments never compute couplings themselves.
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp

from ..constants import Constants
from ..folding import Folding
from ..parameters import Parameter
from ..physics import couplings as cp
from ..physics.form_factors import form_factor, min_radius
from ..rates import cevns_dndt, form_factors, weak_charge2


def sin2_theta_w_parameter(c: Constants) -> Parameter:
    """The weak mixing angle (low-energy MSbar), default the preset's value."""
    return Parameter(
        "sin2_theta_w", c.sin2_theta_w, unit="", lower=0.0, upper=1.0,
        label=r"$\sin^2\theta_W$", doc="low-energy weak mixing angle (moves the tree-like term of g_V^p)",
    )


def radius_parameter(name: str, default: float, lower: float, form: str, what: str) -> Parameter:
    """A neutron rms radius [fm] bounded below by ``lower`` (and by the form factor's minimum)."""
    return Parameter(
        name, default, unit="fm", lower=max(lower, min_radius(form)), upper=20.0,
        label=rf"$R_n({what})$ [fm]", doc=f"neutron rms radius of {what}",
    )


def cevns_recoil_spectra(
    folding: Folding,
    params: Mapping[str, jax.Array],
    *,
    rn: jax.Array,
    rp: jax.Array,
    form: str,
    c: Constants,
    zz_boxes: bool,
) -> jax.Array:
    """CEvNS dN/dT [events/MeV] per flux component, isotope and recoil node.

    Args:
        folding: the built flux x target quadrature.
        params: parameter mapping; uses ``sin2_theta_w``.
        rn, rp: neutron and proton rms radii per isotope [fm], shape (n_iso,).
        form: form-factor name (same form for protons and neutrons).
        c: constants preset.
        zz_boxes: include the ZZ box corrections.

    Returns:
        Array of shape (n_comp, n_iso, n_T).
    """
    gvp = cp.gvp(c, zz_boxes=zz_boxes, sin2_theta_w=params["sin2_theta_w"])
    gvn = cp.gvn(c, zz_boxes=zz_boxes)
    FZ, FN = form_factors(folding, form_factor(form), jnp.asarray(rp), jnp.asarray(rn))
    return cevns_dndt(folding, weak_charge2(folding, gvp, gvn, FZ, FN), c)
