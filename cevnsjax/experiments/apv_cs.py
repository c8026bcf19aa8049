"""Atomic parity violation in 133Cs: the measured weak charge as a Gaussian likelihood (arXiv:2102.06153).

One measurement, no spectrum: the "expected counts" are the weak charge an atomic calculation without
neutron skin would extract, Q_W^th(sin^2 theta_W) - N (q_n/q_p - 1) (components ``weak_charge`` and
``neutron_skin``, docs/physics.md section 11d, Eqs. (84), (89)-(91)), and the datum is

    Q_W^obs = -N beta [Im E_PNC/beta]_exp / (k_th - delta_th),      chi^2 = (Q_W^obs - mu)^2/(s_exp^2 + s_th^2),

with [Im E_PNC/beta]_exp = 1.5924 mV/cm (PDG average) and the atomic-theory choice ``amplitude``:

* ``dzuba2012``: k_th = 0.8977(40) (Dzuba et al. 2012, arXiv:1207.5864), beta = 27.064 a_B^3 (average):
  Q_W = -72.82 +- 0.26 (exp) +- 0.33 (th) at the calculation's own skin (the PDG 2021 value);
* ``sahoo2021``: k_th = 0.8893(27) (Sahoo, Das & Spiesberger 2021), beta = 27.139 a_B^3 (scalar/vector ratio):
  Q_W = -73.71 +- 0.26 (exp) +- 0.23 (th).

Both calculations contain the neutron-skin correction delta_th = -0.0018 (in units of k_th,
Derevianko; as removed in arXiv:2102.06153); it is taken out and recomputed from the neutron radius
``rn_cs133`` with the densities of the chosen form factor, so the radius is the one of the CsI
experiments (``separate_radii=true``) and a combination shares it and ``sin2_theta_w`` (both physics
parameters).  The proton radius is R_p(133Cs) = 4.821 fm (docs/physics.md section 6), as in
``coherent_csi_2021``.  The default radius, 4.94 fm (Helm), is the one at which the recomputed skin
equals delta_th, i.e. where the model returns the published Q_W.

A light vector mediator with vector couplings to electrons and quarks (the ``universal`` and
``b_minus_l`` models) is parity conserving at tree level: it does not change the weak charge, so this
model declares no mediator parameter and a combination takes them from the CEvNS experiments.  The
neutrino-specific signal options (``zz_boxes``, ``radius_q_dependence``, ``mediator``, ``sterile``)
are accepted, for one option table across experiments, and do not change this likelihood.

Examples:
    >>> import jax
    >>> jax.config.update("jax_enable_x64", True)
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("apv_cs", amplitude="dzuba2012")
    >>> p = m.parameters.defaults()  # the measured Q_W at the default radius:
    >>> round(float(m.likelihood.observed[0] - m.expected(p)["neutron_skin"][0]), 2)
    -72.82
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from scipy.optimize import brentq

from ..constants import preset as get_preset
from ..likelihood import LeastSquares
from ..parameters import ParameterSet
from ..physics import apv, catalogue, nuclei
from ..physics.amplitude import SignalConfig
from ..physics.couplings import tree_constants
from . import register
from ._base import Experiment
from ._options import Option, signal_options

NAME = "apv_cs"

E_OVER_BETA_MV_CM = 1.5924  # [Im E_PNC/beta]_exp, PDG average [mV/cm]
SKIN_TH = -0.0018  # neutron-skin correction inside both calculations [1e-11 i |e| a_B (-Q_W/N)]


@dataclasses.dataclass(frozen=True)
class Amplitude:
    """An atomic calculation of Im E_PNC with the polarisability it is paired with.

    Attributes:
        k_th: Im E_PNC per unit (-Q_W/N) [1e-11 i |e| a_B].
        beta: vector transition polarisability [a_B^3].
        sigma_exp, sigma_th: experimental and theoretical errors of the published Q_W.
        reference: where the numbers come from.
    """

    k_th: float
    beta: float
    sigma_exp: float
    sigma_th: float
    reference: str


AMPLITUDES = {
    "dzuba2012": Amplitude(0.8977, 27.064, 0.26, 0.33, "Dzuba et al. 2012 (arXiv:1207.5864), PDG 2021"),
    "sahoo2021": Amplitude(0.8893, 27.139, 0.26, 0.23, "Sahoo, Das & Spiesberger, PRD 103, L111303 (2021)"),
}

OPTIONS = {
    "amplitude": Option("dzuba2012", tuple(AMPLITUDES), doc="atomic PNC calculation (and its polarisability)"),
    **signal_options(preset="pdg2018"),
}


class ApvCesium(Experiment):
    """The weak charge of 133Cs from atomic parity violation (one Gaussian datum).

    Attributes:
        rp: proton rms radius of 133Cs [fm].
        likelihood: least squares of the extracted skinless weak charge.
    """

    rp: float = eqx.field(static=True)
    likelihood: LeastSquares
    parameters: ParameterSet = eqx.field(static=True)
    signal: SignalConfig = eqx.field(static=True)
    name: ClassVar[str] = NAME

    def expected(self, params) -> dict[str, jax.Array]:
        """Weak charge and the neutron-skin term of Eq. (89) of docs/physics.md, shape (1,) each."""
        cs = nuclei.isotope("133Cs")
        c = self.signal.constants
        qw = apv.weak_charge(params["sin2_theta_w"], cs.Z, cs.N, c, tree=self.signal.couplings == "tree")
        skin = apv.skin_shift(self.signal.form, params["rn_cs133"], self.rp, cs.Z, cs.N, cs.charge_radius, c)
        return {"weak_charge": jnp.reshape(qw, (1,)), "neutron_skin": jnp.reshape(-skin, (1,))}


def reference_radius(form: str, amplitude: str, preset: str = "pdg2018") -> float:
    """The neutron radius [fm] at which the recomputed skin equals the calculation's own (delta_th)."""
    cs = nuclei.isotope("133Cs")
    a = AMPLITUDES[amplitude]
    c = get_preset(preset)
    target = apv.extracted_weak_charge(E_OVER_BETA_MV_CM, a.beta, a.k_th, 0.0, cs.N) - apv.extracted_weak_charge(
        E_OVER_BETA_MV_CM, a.beta, a.k_th, SKIN_TH, cs.N
    )
    with jax.ensure_compile_time_eval():

        def f(rn):
            return float(apv.skin_shift(form, rn, cs.proton_radius, cs.Z, cs.N, cs.charge_radius, c)) - target

        return brentq(f, cs.proton_radius, cs.proton_radius + 2.0, xtol=1e-10)


def build(
    amplitude: str = "dzuba2012",
    form_factor: str = "helm",
    preset: str = "pdg2018",
    zz_boxes: bool = True,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    couplings: str = "radiative",
    sterile: bool = False,
) -> ApvCesium:
    """Build the cesium APV likelihood.

    Args:
        amplitude: ``dzuba2012`` or ``sahoo2021`` (module docstring).
        form_factor: nuclear densities for the skin term (``helm``, ``sfermi``, ``kn``; ``unity`` is a
            point nucleus: no skin term at all).
        preset: constants preset (alpha, the default sin^2 theta_W).
        couplings: ``radiative`` (the PDG weak charge of Eq. (84)) or ``tree`` (Z(1 - 4 s^2_W) - N, Eq. (126),
            default sin^2 theta_W 0.2312).
        zz_boxes, radius_q_dependence, mediator, sterile: accepted, no effect (module docstring).
    """
    if amplitude not in AMPLITUDES:
        raise ValueError(f"unknown amplitude '{amplitude}'; choices: {', '.join(AMPLITUDES)}")
    cs = nuclei.isotope("133Cs")
    a = AMPLITUDES[amplitude]
    c = get_preset(preset)
    if couplings == "tree":
        c = tree_constants(c)
    signal = SignalConfig(
        constants=c,
        form=form_factor,
        zz_boxes=zz_boxes,
        radius_q_dependence=radius_q_dependence,
        mediator=mediator,
        couplings=couplings,
    )
    observed = apv.extracted_weak_charge(E_OVER_BETA_MV_CM, a.beta, a.k_th, SKIN_TH, cs.N)
    rn_default = cs.proton_radius if form_factor == "unity" else reference_radius(form_factor, amplitude, preset)
    radius = catalogue.neutron_radius("rn_cs133", rn_default, cs.proton_radius, form_factor, "133Cs")
    return ApvCesium(
        rp=cs.proton_radius,
        likelihood=LeastSquares(jnp.asarray([observed]), jnp.asarray([a.sigma_exp**2 + a.sigma_th**2])),
        parameters=ParameterSet([catalogue.sin2_theta_w(c), radius]),
        signal=signal,
    )


register(NAME, build, OPTIONS, doc="Atomic parity violation in 133Cs: weak charge, Gaussian (arXiv:2102.06153)")
