"""The catalogue of physics parameters: names, units, bounds, SM defaults and labels.

Every experiment (and any other model, e.g. a weak-charge measurement) declares its physics
parameters from here, so that one name has one meaning, one unit and one SM value across the
library and :func:`cevnsjax.combine` can share them (all carry ``kind="physics"``).  Names
follow the command-line contract:

* ``sin2_theta_w``: low-energy weak mixing angle (default the preset's value);
* ``rn_<nucleus>``: neutron rms radii [fm] (declared by each experiment for its nuclei);
* ``r2_nu_<ll'>``: neutrino charge radii [1e-32 cm^2] (diagonal ee, mumu default to their SM
  values, docs/physics.md section 3; transitions emu, etau, mutau to 0);
* ``q_nu_<ll'>``: millicharges [1e-8 e]; ``mu_nu_e``, ``mu_nu_mu``: magnetic moments [1e-10 mu_B];
* ``eps_<q>_<ll'>``: vector NSI couplings to u, d quarks; ``epsT_<q>_<ll'>``: tensor NSI couplings
  (docs/physics.md section 17);
* ``g_zprime``, ``m_zprime`` [MeV]; ``g_phi``, ``m_phi`` [MeV]: light vector and scalar mediators;
* ``ue4_sq``, ``umu4_sq``, ``dm41_sq`` [eV^2]: 3+1 sterile mixing (declared with ``sterile=True``).

Derived parameters (:data:`DERIVED`) are not declared by any model: :func:`cevnsjax.tie` puts one in
place of the parameters it determines, e.g. ``sin2_2theta_ee`` for ``ue4_sq``.

:func:`sm_value` is the single place that says what an absent parameter means: the SM point,
where every beyond-SM term vanishes exactly.

Examples:
    >>> from cevnsjax.constants import pdg2022
    >>> names = [p.name for p in bsm_parameters(pdg2022)]
    >>> names[:3], len(names)
    (['r2_nu_ee', 'r2_nu_mumu', 'r2_nu_emu'], 36)
    >>> sm_value("m_zprime", pdg2022), sm_value("g_zprime", pdg2022)
    (10.0, 0.0)
"""

from __future__ import annotations

import functools
import re

import jax
import numpy as np

from ..constants import Constants
from ..parameters import Parameter
from . import couplings as cp
from . import oscillations as osc
from .electromagnetic import R2_UNIT_CM2
from .form_factors import min_radius

#: Flavour index pairs of the transition (off-diagonal) terms and their name suffixes.
PAIRS = {(0, 1): "emu", (0, 2): "etau", (1, 2): "mutau"}
#: Name suffixes of the diagonal terms, by flavour index.
DIAGONAL = {0: "ee", 1: "mumu", 2: "tautau"}
#: LaTeX of the flavour suffixes of the names, for the labels.
FLAVOUR_TEX = {
    "e": "e",
    "mu": r"\mu",
    "ee": "ee",
    "mumu": r"\mu\mu",
    "tautau": r"\tau\tau",
    "emu": r"e\mu",
    "etau": r"e\tau",
    "mutau": r"\mu\tau",
}

_R2_BOUND = 500.0  # |<r^2>| [1e-32 cm^2]
_MASS_RANGE_MEV = (1e-3, 1e5)
_MASS_DEFAULT_MEV = 10.0  # mediator masses: irrelevant while the couplings are 0


def _physics(name: str, default: float, unit: str, lower: float, upper: float, label: str, doc: str) -> Parameter:
    return Parameter(name, default, unit, lower, upper, label=label, doc=doc, kind="physics")


def sin2_theta_w(c: Constants) -> Parameter:
    """The weak mixing angle (low-energy MSbar), default the preset's value."""
    return _physics(
        "sin2_theta_w",
        c.sin2_theta_w,
        "",
        0.0,
        1.0,
        r"$\sin^2\theta_W$",
        "low-energy weak mixing angle (moves the tree-like term of g_V^p)",
    )


def _nucleus_tex(nucleus: str) -> str:
    """``"133Cs"`` -> ``^{133}\\mathrm{Cs}`` (mathtext); names without a mass number in roman."""
    mass, symbol = re.fullmatch(r"(\d*)(.*)", nucleus).groups()
    return (f"^{{{mass}}}" if mass else "") + rf"\mathrm{{{symbol}}}"


def neutron_radius(name: str, default: float, lower: float, form: str, nucleus: str) -> Parameter:
    """A neutron rms radius [fm] bounded below by ``lower`` (and by the form factor's smallest radius).

    Args:
        name: parameter name (``rn_ar40``, ``rn_csi``, ...).
        default: default radius [fm].
        lower: lower bound [fm], usually the proton radius (no negative neutron skin).
        form: form-factor name.
        nucleus: what the radius belongs to, for the label (``"40Ar"``, ``"CsI"``).
    """
    return _physics(
        name,
        default,
        "fm",
        max(lower, min_radius(form)),
        20.0,
        rf"$R_n({_nucleus_tex(nucleus)})$ [fm]",
        f"neutron rms radius of {nucleus}",
    )


@functools.lru_cache(maxsize=8)
def _r2_sm(c: Constants) -> np.ndarray:
    """SM charge radii [1e-32 cm^2] of (e, mu, tau), concrete even while tracing (read-only).

    Compiled ahead of time as one program (not one per operation); calling it runs outside any trace.
    """
    r2 = np.asarray(jax.jit(cp.r2_sm, static_argnums=0).lower(c).compile()()) / R2_UNIT_CM2
    r2.flags.writeable = False
    return r2


def bsm_parameters(c: Constants, *, sterile: bool = False) -> list[Parameter]:
    """The beyond-SM parameters at their SM values (units in the module docstring).

    Args:
        c: constants preset (the SM charge radii are its values).
        sterile: add the 3+1 mixing parameters.
    """
    r2 = _r2_sm(c)
    out = [
        _physics(
            "r2_nu_ee",
            float(r2[0]),
            "1e-32 cm^2",
            -_R2_BOUND,
            _R2_BOUND,
            r"$\langle r^2_{\nu_{ee}}\rangle$",
            "nu_e charge radius (SM value default)",
        ),
        _physics(
            "r2_nu_mumu",
            float(r2[1]),
            "1e-32 cm^2",
            -_R2_BOUND,
            _R2_BOUND,
            r"$\langle r^2_{\nu_{\mu\mu}}\rangle$",
            "nu_mu charge radius (SM value default)",
        ),
    ]
    for pair in PAIRS.values():
        out.append(
            _physics(
                f"r2_nu_{pair}",
                0.0,
                "1e-32 cm^2",
                -_R2_BOUND,
                _R2_BOUND,
                rf"$|\langle r^2_{{\nu_{{{FLAVOUR_TEX[pair]}}}}}\rangle|$",
                f"{pair} transition charge radius",
            )
        )
    for flav in ("ee", "mumu", *PAIRS.values()):
        out.append(
            _physics(
                f"q_nu_{flav}",
                0.0,
                "1e-8 e",
                -1e4,
                1e4,
                rf"$q_{{\nu_{{{FLAVOUR_TEX[flav]}}}}}$",
                f"{flav} neutrino millicharge",
            )
        )
    for flav in ("e", "mu"):
        out.append(
            _physics(
                f"mu_nu_{flav}",
                0.0,
                "1e-10 mu_B",
                0.0,
                1e4,
                rf"$\mu_{{\nu_{{{FLAVOUR_TEX[flav]}}}}}$",
                f"effective nu_{flav} magnetic moment (|mu| >= 0)",
            )
        )
    for flav in ("ee", "mumu", *PAIRS.values()):
        for q in ("u", "d"):
            out.append(
                _physics(
                    f"eps_{q}_{flav}",
                    0.0,
                    "",
                    -5.0,
                    5.0,
                    rf"$\varepsilon^{{{q}V}}_{{{FLAVOUR_TEX[flav]}}}$",
                    f"vector NSI coupling to {q} quarks, {flav}",
                )
            )
    for flav in ("ee", "mumu", *PAIRS.values()):
        for q in ("u", "d"):
            out.append(
                _physics(
                    f"epsT_{q}_{flav}",
                    0.0,
                    "",
                    -5.0,
                    5.0,
                    rf"$\varepsilon^{{{q}T}}_{{{flav}}}$",
                    f"tensor NSI coupling to {q} quarks, {flav}",
                )
            )
    out += [
        _physics("g_zprime", 0.0, "", 0.0, 1.0, r"$g_{Z'}$", "light vector mediator coupling"),
        _physics(
            "m_zprime", _MASS_DEFAULT_MEV, "MeV", *_MASS_RANGE_MEV, r"$M_{Z'}$ [MeV]", "light vector mediator mass"
        ),
        _physics("g_phi", 0.0, "", 0.0, 1.0, r"$g_\phi$", "light scalar mediator coupling"),
        _physics("m_phi", _MASS_DEFAULT_MEV, "MeV", *_MASS_RANGE_MEV, r"$M_\phi$ [MeV]", "light scalar mediator mass"),
    ]
    if sterile:
        out += [
            _physics("ue4_sq", 0.0, "", 0.0, 0.5, r"$|U_{e4}|^2$", "sterile mixing |U_e4|^2"),
            _physics("umu4_sq", 0.0, "", 0.0, 0.5, r"$|U_{\mu4}|^2$", "sterile mixing |U_mu4|^2"),
            _physics("dm41_sq", 1.0, "eV^2", 1e-3, 1e4, r"$\Delta m^2_{41}$ [eV$^2$]", "sterile mass splitting"),
        ]
    return out


def _mixing_angle(name: str, label: str, doc: str) -> Parameter:
    return _physics(name, 0.0, "", 0.0, 1.0, label, doc)


#: Derived parameters: name -> (its spec, {catalogue name it determines: the function giving that value}),
#: docs/physics.md section 17, Eqs. (127), (128).
DERIVED = {
    "sin2_2theta_ee": (
        _mixing_angle("sin2_2theta_ee", r"$\sin^2 2\theta_{ee}$", "nu_e disappearance 4|U_e4|^2(1-|U_e4|^2)"),
        {"ue4_sq": osc.mixing_from_disappearance},
    ),
    "sin2_2theta_mumu": (
        _mixing_angle("sin2_2theta_mumu", r"$\sin^2 2\theta_{\mu\mu}$", "nu_mu disappearance 4|U_mu4|^2(1-|U_mu4|^2)"),
        {"umu4_sq": osc.mixing_from_disappearance},
    ),
    "sin2_2theta_mue": (
        _mixing_angle("sin2_2theta_mue", r"$\sin^2 2\theta_{\mu e}$", "appearance 4|U_e4|^2|U_mu4|^2 (equal mixing)"),
        {"ue4_sq": osc.mixing_from_appearance, "umu4_sq": osc.mixing_from_appearance},
    ),
}


def sm_value(name: str, c: Constants) -> float:
    """The SM value of a beyond-SM parameter (what an absent name means).

    Raises:
        KeyError: ``name`` is not a beyond-SM parameter of the catalogue (``sin2_theta_w`` and the
            neutron radii have no SM value independent of the experiment: models declare them).
    """
    r2 = _r2_sm(c)
    if name in ("r2_nu_ee", "r2_nu_mumu"):
        return float(r2[0 if name == "r2_nu_ee" else 1])
    if name == "r2_nu_tautau":
        return float(r2[2])
    if name in ("m_zprime", "m_phi"):
        return _MASS_DEFAULT_MEV
    if name.startswith(("r2_nu_", "q_nu_", "mu_nu_", "eps_", "epsT_", "g_")) or name in ("ue4_sq", "umu4_sq", *DERIVED):
        return 0.0
    raise KeyError(f"'{name}' is not a beyond-SM parameter of the catalogue")
