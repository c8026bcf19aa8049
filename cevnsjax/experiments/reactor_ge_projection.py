"""Projected sensitivity of a germanium detector at a reactor (Asimov data): a CONUS-like or future setup.

A projection, not a measurement: the "data" are the expected counts at the build's default
parameters (the SM), so the best fit is the truth and a profile is the expected sensitivity.
Every detector number is an option; the defaults are a Dresden-II-like point-contact detector
(3 kg at 10.39 m from a 2.96 GW_th core, 68.5 eV noise, 0.2 keVee threshold) run for a year.

Signal and response are those of ``dresden_ii_2022`` (:mod:`._reactor_ge`): reactor
antineutrinos (option ``flux``), CEvNS on natural germanium with every beyond-SM parameter, nu-e
scattering on the electrons (option ``electron_scattering``), the quenching (option
``quenching``: the Fef or YBe tables of the Dresden-II release, or Lindhard) with its 5% scale
nuisance ``theta_qf``, and a Gaussian resolution with the Fano term and noise ``sigma_noise_kevee``.
Background: a flat ``background`` in counts per keVee per kg per day, scaled by ``eta_bkg``
(prior ``background_prior``).  Likelihood: binned Poisson on the Asimov counts of the exposure
mass x ``live_days``.  Nuisances: ``eta_flux`` (5%, tag ``reactor_flux``), ``theta_qf``, ``eta_bkg``.

Examples:
    >>> from cevnsjax.experiments import experiment
    >>> m = experiment("reactor_ge_projection", mass_kg=10.0, background=1.0)
    >>> m.n_bins, abs(float(m.chi2(m.parameters.defaults()))) < 1e-9
    (40, True)
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import datasets
from ..likelihood import Poisson
from ..parameters import Parameter, ParameterSet
from ..physics.amplitude import SignalConfig
from ..sources import reactor
from . import register
from ._base import Experiment, parameter_set, with_asimov_data
from ._options import (
    ELECTRON_SCATTERING,
    REFINE,
    Option,
    check_positive,
    check_positive_int,
    signal_options,
    uniform_edges,
)
from ._plots import stacked_spectrum
from ._reactor_ge import (
    FLUX,
    QUENCHING_OPTION,
    ReactorGermanium,
    build_reactor_germanium,
    germanium_parameters,
    quenching_function,
    reactor_signal,
)

NAME = "reactor_ge_projection"

OPTIONS = {
    "flux": FLUX,
    "quenching": QUENCHING_OPTION,
    **signal_options(),
    "mass_kg": Option(3.0, type=float, doc="germanium mass [kg]", positive=True),
    "distance_m": Option(10.39, type=float, doc="distance from the core [m]", positive=True),
    "power_mw": Option(2960.0, type=float, doc="thermal power [MW]", positive=True),
    "live_days": Option(365.0, type=float, doc="reactor-on live time [days]", positive=True),
    "threshold_kevee": Option(0.2, type=float, doc="analysis threshold [keVee]", positive=True),
    "max_kevee": Option(1.0, type=float, doc="upper end of the analysis range [keVee]", positive=True),
    "bin_kevee": Option(0.02, type=float, doc="bin width [keVee]", positive=True),
    "sigma_noise_kevee": Option(0.0685, type=float, doc="electronic noise sigma [keVee]", positive=True),
    "background": Option(0.0, type=float, doc="flat background [counts / keVee / kg / day]", minimum=0.0),
    "background_prior": Option(0.05, type=float, doc="relative prior width of eta_bkg", positive=True),
    "electron_scattering": ELECTRON_SCATTERING,
    "refine": REFINE,
}


class ReactorGeProjection(Experiment):
    """The built reactor-germanium projection.

    Attributes:
        detector: the germanium response to the reactor antineutrinos.
        edges: bin edges [keVee]; background: flat background counts per bin; likelihood: Poisson on Asimov counts.
    """

    detector: ReactorGermanium
    edges: jax.Array
    background: jax.Array
    likelihood: Poisson
    parameters: ParameterSet = eqx.field(static=True)
    signal: SignalConfig = eqx.field(static=True)
    name: ClassVar[str] = NAME

    def expected(self, params) -> dict[str, jax.Array]:
        """Expected counts per component (``cevns``, ``es`` if built, ``bkg``), each shape (n_bins,)."""
        out = {k: params["eta_flux"] * v for k, v in self.detector.rates(params, self.signal).items()}
        out["bkg"] = params["eta_bkg"] * self.background
        return out

    def plot(self, params, path: str) -> None:
        """Stacked expected spectrum over the Asimov data (PNG)."""
        exp = {k: np.asarray(v) for k, v in self.expected(params).items()}
        data = np.asarray(self.data)
        stacked_spectrum(
            np.asarray(self.edges),
            exp,
            data,
            np.sqrt(data),
            xlabel="E [keVee]",
            title="Germanium at a reactor (projection, Asimov data)",
            path=path,
        )


def build(
    flux: str = "hmve",
    quenching: str = "fef",
    form_factor: str = "helm",
    preset: str = "pdg2022",
    zz_boxes: bool = True,
    radius_q_dependence: bool = False,
    mediator: str = "universal",
    couplings: str = "radiative",
    sterile: bool = False,
    mass_kg: float = 3.0,
    distance_m: float = 10.39,
    power_mw: float = 2960.0,
    live_days: float = 365.0,
    threshold_kevee: float = 0.2,
    max_kevee: float = 1.0,
    bin_kevee: float = 0.02,
    sigma_noise_kevee: float = 0.0685,
    background: float = 0.0,
    background_prior: float = 0.05,
    electron_scattering: bool = True,
    refine: int = 1,
) -> ReactorGeProjection:
    """Build the projection (the module docstring describes every option).

    Raises:
        ValueError: a non-positive mass, distance, power, live time, bin width, noise or prior, a
            threshold not below ``max_kevee``, a negative background, ``refine`` < 1, an unavailable flux.
    """
    check_positive(
        mass_kg=mass_kg,
        distance_m=distance_m,
        power_mw=power_mw,
        live_days=live_days,
        bin_kevee=bin_kevee,
        sigma_noise_kevee=sigma_noise_kevee,
        threshold_kevee=threshold_kevee,
        background_prior=background_prior,
    )
    edges = uniform_edges(threshold_kevee, max_kevee, bin_kevee)
    if background < 0:
        raise ValueError(f"option background={background}: must be >= 0 (counts per keVee per kg per day)")
    check_positive_int("refine", refine)
    config = reactor_signal(
        preset=preset,
        form_factor=form_factor,
        zz_boxes=zz_boxes,
        radius_q_dependence=radius_q_dependence,
        mediator=mediator,
        couplings=couplings,
        sterile=sterile,
        distance_m=distance_m,
    )
    component, fluence = reactor.source(power_mw, distance_m, live_days, parametrisation=flux)
    n_bins = len(edges) - 1
    table = None if quenching == "lindhard" else datasets.load_dresden2022().quenching
    detector = build_reactor_germanium(
        component,
        fluence,
        mass_kg,
        edges,
        quenching_function(quenching, table),
        sigma_noise_kevee,
        config,
        electron_scattering=electron_scattering,
        refine=refine,
    )
    radius, nuisances = germanium_parameters(form_factor, quenching)
    nuisances.append(
        Parameter(
            "eta_bkg",
            1.0,
            lower=0.0,
            upper=3.0,
            constraint=(1.0, background_prior),
            free=True,
            label=r"$\eta_{\rm bkg}$",
            doc="flat background normalisation",
        )
    )
    model = ReactorGeProjection(
        detector=detector,
        edges=jnp.asarray(edges),
        background=jnp.full(n_bins, background * bin_kevee * mass_kg * live_days),
        likelihood=Poisson(jnp.zeros(n_bins)),
        parameters=parameter_set(config.constants, [radius], nuisances, sterile=sterile),
        signal=config,
    )
    return with_asimov_data(model)


register(NAME, build, OPTIONS, doc="germanium detector at a reactor: projected sensitivity with Asimov data")
