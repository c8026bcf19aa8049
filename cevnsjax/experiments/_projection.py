"""The skeleton of the nuclear-recoil projections at pion decay-at-rest sources (Asimov data).

``coh_ar_750``, ``coh_cryocsi``, ``naivete`` (the SNS) and the ``ess_*`` family (the ESS) are one
detector model with different defaults; each module holds its :class:`Design` (the defaults and
where they come from) and registers ``builder(...)``.  A projection is not a measurement: the
"data" are the expected counts at the build's default parameters (the SM), so the best fit is the
truth, chi^2_min = 0 and a profile is the expected (median, Asimov) sensitivity.

Signal (docs/physics.md section 19).  CEvNS on ``mass_kg`` of the target at ``distance_m`` from
the source, pi-DAR spectra (Eqs. (37)-(39)) with ``nu_per_pot`` neutrinos per flavour per proton,
``years`` x ``pot_per_year`` protons (Eq. (40)), every beyond-SM parameter available
(:meth:`cevnsjax.folding.Folding.cevns_spectra`).  Nu-e scattering is not included (the
scintillators' pulse-shape cuts and the germanium analysis windows keep nuclear recoils).

Detector response, computed once at build time (as for the argon data: the evaluation is as fast):

* visible energy E_ee = QF_i T (keVee), a constant quenching factor ``quenching`` of the
  reference element (QF_i of the other elements in the design's fixed ratio), known to
  ``quenching_prior`` (relative): the response is computed at QF x (1, 1 + q, 1 - q) and morphed
  with the unit-Gaussian nuisance ``theta_qf`` (Eq. (160); exact at 0 and +-1 sigma, as the
  quenching nuisance of the reactor-germanium projection, :mod:`._reactor_ge`);
* observable: the reconstructed recoil energy E = E_ee / QF_ref (keVnr, the calibration with the
  nominal quenching), Gaussian with sigma_ee^2 = sigma0^2 + E_ee / Y (noise plus the Poisson
  statistics of ``light_yield`` Y quanta per keVee; Eq. (153)), so that a quenching other than the
  nominal one moves every recoil's reconstructed energy (across the threshold, too);
* ``n_bins`` equal bins from ``threshold_kevnr`` to ``max_kevnr``, a flat ``efficiency`` above
  the threshold.

Background: a flat steady-state ``background`` in counts per keVnr per kg per day, times the
beam-coincident live time (``years`` x 5000 beam hours x the source's duty factor, Eq. (152)),
scaled by ``eta_bkg`` (prior ``background_prior``).  Nuisances ``eta_flux`` (prior ``flux_prior``;
tag ``sns_flux`` at the SNS, shared with the COHERENT data in combinations, ``ess_flux`` at the
ESS), ``eta_bkg`` and ``theta_qf``, all free by default.  ``quenching_prior`` defaults to 5%, the
quenching scale of the reactor-germanium projection; each design may set its own.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..detectors import resolution
from ..folding import Folding, build_folding
from ..likelihood import Poisson
from ..likelihood.morphing import mixture_weights
from ..parameters import Parameter, ParameterSet, shape_nuisance
from ..physics import catalogue, nuclei
from ..physics.amplitude import SignalConfig
from ..sources import ess, sns
from ._base import Experiment, parameter_set, with_asimov_data
from ._csi import neutron_radii as csi_neutron_radii
from ._csi import radius_parameters as csi_radius_parameters
from ._options import REFINE, Option, check_positive, signal_config, signal_options
from ._plots import stacked_spectrum

#: Beam hours in an operating year of either source (SNS and ESS: 5000 h, arXiv:1911.00762, 2204.04575).
BEAM_HOURS_PER_YEAR = 5000.0
#: SNS beam-coincidence window per pulse [us] (the prompt and ~4.5 muon lifetimes) and repetition rate [Hz].
SNS_WINDOW_US, SNS_REPETITION_HZ = 10.0, 60.0
#: An SNS year at 1.4 MW and 1 GeV: 1.57e23 protons (Eq. (150)); 0.0848 nu/flavour/POT (arXiv:2110.07730).
SNS_POT_PER_YEAR = ess.protons_on_target(1.4, 1.0, BEAM_HOURS_PER_YEAR)
SNS_NU_PER_POT = 0.0848
#: Log-uniform recoil panels over the recoil range (at refine = 1); those inside the first uniform panel are kept.
N_GEOMETRIC = 8
#: Default relative uncertainty of the quenching factor (the 5% scale of the reactor-germanium projection).
QUENCHING_PRIOR = 0.05


@dataclasses.dataclass(frozen=True)
class Source:
    """A pulsed pi-DAR source: default exposure, yield, flux tag and beam-coincident duty factor."""

    name: str
    pot_per_year: float
    nu_per_pot: float
    duty_factor: float
    flux_tag: str


SOURCES = {
    "sns": Source(
        "SNS", SNS_POT_PER_YEAR, SNS_NU_PER_POT, ess.duty_factor(SNS_REPETITION_HZ, SNS_WINDOW_US), "sns_flux"
    ),
    "ess": Source(
        "ESS",
        ess.protons_on_target(ess.POWER_MW, ess.PROTON_ENERGY_GEV, ess.BEAM_HOURS_PER_YEAR),
        ess.NU_PER_POT,
        ess.duty_factor(ess.REPETITION_HZ, ess.PULSE_LENGTH_US + ess.WINDOW_AFTER_US),
        "ess_flux",
    ),
}


@dataclasses.dataclass(frozen=True)
class Design:
    """The defaults of one projected detector (each module cites where they come from).

    Attributes:
        target: :func:`cevnsjax.physics.nuclei.target` name (``"Ar"``, ``"CsI"``, ``"NaI"``, ``"Xe"``, ``"Ge"``).
        source: ``"sns"`` or ``"ess"``.
        title: plot title.
        relative_quenching: QF of each element relative to the reference (the first), by element symbol.
        defaults: option name -> default value (the detector options of :func:`options`).
    """

    target: str
    source: str
    title: str
    defaults: dict
    relative_quenching: dict = dataclasses.field(default_factory=dict)


def _detector_options(d: dict, source: Source) -> dict[str, Option]:
    return {
        "mass_kg": Option(d["mass_kg"], type=float, doc="target (fiducial) mass [kg]", positive=True),
        "distance_m": Option(d["distance_m"], type=float, doc="distance from the source [m]", positive=True),
        "years": Option(d.get("years", 1.0), type=float, doc="exposure [years of 5000 beam hours]", positive=True),
        "pot_per_year": Option(
            source.pot_per_year, type=float, doc=f"protons on target per {source.name} year", positive=True
        ),
        "nu_per_pot": Option(source.nu_per_pot, type=float, doc="neutrinos per flavour per proton", positive=True),
        "threshold_kevnr": Option(d["threshold_kevnr"], type=float, doc="analysis threshold [keVnr]", positive=True),
        "max_kevnr": Option(d["max_kevnr"], type=float, doc="upper end of the analysis range [keVnr]", positive=True),
        "n_bins": Option(d.get("n_bins", 20), type=int, doc="number of equal energy bins", minimum=1, maximum=500),
        "quenching": Option(
            d["quenching"], type=float, doc="quenching factor of the reference element [keVee/keVnr]", positive=True
        ),
        "light_yield": Option(
            d["light_yield"], type=float, doc="detected quanta per keVee (resolution statistics)", positive=True
        ),
        "sigma0_kevee": Option(d.get("sigma0_kevee", 0.0), type=float, doc="electronic noise [keVee]", minimum=0.0),
        "efficiency": Option(
            d.get("efficiency", 1.0),
            type=float,
            doc="flat signal efficiency above threshold",
            positive=True,
            maximum=1.0,
        ),
        "background": Option(
            d["background"], type=float, doc="steady-state background [counts/keVnr/kg/day]", minimum=0.0
        ),
        "background_prior": Option(
            d.get("background_prior", 0.05), type=float, doc="relative prior width of eta_bkg", positive=True
        ),
        "flux_prior": Option(
            d.get("flux_prior", 0.10), type=float, doc="relative prior width of eta_flux", positive=True
        ),
        "quenching_prior": Option(
            d.get("quenching_prior", QUENCHING_PRIOR),
            type=float,
            doc="relative uncertainty of the quenching factor (the +-1 sigma of theta_qf)",
            positive=True,
            maximum=0.5,
        ),
    }


def options(design: Design) -> dict[str, Option]:
    """The option table of a projection: its detector options, the signal options and ``refine``."""
    return {**_detector_options(design.defaults, SOURCES[design.source]), **signal_options(), "refine": REFINE}


class Projection(Experiment):
    """A projected nuclear-recoil detector at a pi-DAR source (each module names its subclass).

    Attributes:
        folding: CEvNS quadrature (isotopes of the target; one component per flavour unless ``sterile``).
        response: bin probabilities x efficiency x recoil weights at theta_qf = 0, +1, -1, shape
            (3, n_bins, n_iso, n_T).
        rp: proton rms radii of the isotopes [fm]; skin_offset: R_n - R_n(reference) of each isotope [fm].
        edges: bin edges [keVnr]; background: counts per bin.
        likelihood: Poisson on the Asimov counts; radii: radius parameter names in the isotope
            order of ``rn_index``; csi: whether the radius is the CsI ``rn_csi`` pair.
    """

    folding: Folding
    response: jax.Array
    rp: jax.Array
    skin_offset: jax.Array
    edges: jax.Array
    background: jax.Array
    likelihood: Poisson
    radius: str = eqx.field(static=True)
    rn_index: tuple[int, ...] = eqx.field(static=True)
    title: str = eqx.field(static=True)
    parameters: ParameterSet = eqx.field(static=True)
    signal: SignalConfig = eqx.field(static=True)
    name: eqx.AbstractClassVar[str]

    def _neutron_radii(self, params) -> jax.Array:
        """R_n of every isotope [fm]: the radius parameters plus each isotope's fixed offset."""
        if self.radius == "rn_csi":
            return csi_neutron_radii(params, separate=False)
        names = self.radius.split(",")
        values = jnp.stack([jnp.asarray(params[n]) for n in names])
        return values[jnp.asarray(self.rn_index)] + self.skin_offset

    def expected(self, params) -> dict[str, jax.Array]:
        """Expected counts per component (``cevns``, ``bkg``), each shape (n_bins,)."""
        spectra = self.folding.cevns_spectra(params, self._neutron_radii(params), self.rp, self.signal)
        per_variant = jnp.sum(self.folding.counts(self.response, spectra), axis=0)  # (3, n_bins)
        # Eq. (160) of docs/physics.md: the responses at the quenching variants morphed by theta_qf
        cevns = jnp.maximum(mixture_weights(params, 3, (("theta_qf", 1, 2),)) @ per_variant, 0.0)
        return {"cevns": params["eta_flux"] * cevns, "bkg": params["eta_bkg"] * self.background}

    def plot(self, params, path: str) -> None:
        """Stacked expected spectrum over the Asimov data (PNG)."""
        exp = {k: np.asarray(v) for k, v in self.expected(params).items()}
        data = np.asarray(self.data)
        stacked_spectrum(
            np.asarray(self.edges), exp, data, np.sqrt(data), xlabel="E [keVnr]", title=self.title, path=path
        )


#: Neutron skin R_n - R_p [fm] of the default radii (illustrative; CsI: the nuclear-model radii).
DEFAULT_SKIN_FM = 0.1


def _radius_name(iso: nuclei.Isotope) -> str:
    """``rn_ar40``, ``rn_xe132``, ``rn_na23``, ``rn_i127``; germanium ``rn_ge`` (as ``sns_ge_projection``)."""
    element = iso.name.lstrip("0123456789")
    return "rn_ge" if element == "Ge" else f"rn_{element.lower()}{iso.A}"


def _radius_parameters(tgt: nuclei.Target, form: str) -> tuple[list[Parameter], str, tuple[int, ...], np.ndarray]:
    """Radius parameters, their names, the parameter index of each isotope and the fixed skin offsets [fm].

    One radius per element: that of its most abundant isotope (``rn_ar40``, ``rn_xe132``, ...), default
    R_p + 0.1 fm (an illustrative skin), the other isotopes sharing its skin; CsI uses ``rn_csi``
    (docs/physics.md section 6), so that it is shared with the COHERENT CsI data.
    """
    if tgt.name == "CsI":
        return csi_radius_parameters(form, separate=False), "rn_csi", (0, 0), np.zeros(2)
    elements = list(dict.fromkeys(i.name.lstrip("0123456789") for i in tgt.isotopes))
    refs = []
    for el in elements:
        members = [(m, i) for i, m in zip(tgt.isotopes, tgt.multiplicities, strict=True) if i.name.endswith(el)]
        refs.append(max(members, key=lambda pair: pair[0])[1])
    params = [
        catalogue.neutron_radius(_radius_name(r), r.proton_radius + DEFAULT_SKIN_FM, r.proton_radius, form, r.name)
        for r in refs
    ]
    index = tuple(elements.index(i.name.lstrip("0123456789")) for i in tgt.isotopes)
    offset = np.array([i.proton_radius - refs[k].proton_radius for i, k in zip(tgt.isotopes, index, strict=True)])
    return params, ",".join(p.name for p in params), index, offset


def _response(opts: dict, edges: np.ndarray, folding: Folding, rel: np.ndarray, nominal: float, qf: float):
    """Bin probabilities x efficiency x recoil weights (n_bins, n_iso, n_T) at the true quenching ``qf``.

    The observable is calibrated with the ``nominal`` quenching: E = E_ee / QF_nominal [keVnr].
    """
    e_ee = qf * rel[:, None] * 1e3 * np.asarray(folding.T)  # keVee
    sigma_ee = np.sqrt(opts["sigma0_kevee"] ** 2 + e_ee / opts["light_yield"])
    # Eqs. (153) and (160) of docs/physics.md: the reconstructed recoil energy E_ee / QF_nominal in the bins
    bins = resolution.gaussian_bins(edges, e_ee / nominal, sigma_ee / nominal)
    return bins * opts["efficiency"] * np.asarray(folding.wT)


def build_projection(cls: type[Projection], design: Design, **opts) -> Projection:
    """Build the projection ``cls`` of ``design`` with the given options (the module docstring describes them).

    Raises:
        ValueError: a threshold not below ``max_kevnr`` (other ranges are refused by the option table).
    """
    check_positive(mass_kg=opts["mass_kg"], years=opts["years"], light_yield=opts["light_yield"])
    thr, top = opts["threshold_kevnr"], opts["max_kevnr"]
    if not thr < top:
        raise ValueError(f"options threshold_kevnr={thr}, max_kevnr={top}: the threshold must be below max_kevnr")
    source = SOURCES[design.source]
    sterile = opts["sterile"]
    config = signal_config(
        preset=opts["preset"],
        form_factor=opts["form_factor"],
        zz_boxes=opts["zz_boxes"],
        radius_q_dependence=opts["radius_q_dependence"],
        mediator=opts["mediator"],
        sterile=sterile,
        baseline=sns.baseline(opts["distance_m"]),
        couplings=opts["couplings"],
    )
    c = config.constants
    tgt = nuclei.target(design.target)
    comps = sns.components(c)  # the pi-DAR spectra, the same at every spallation source
    flu = sns.fluence(opts["nu_per_pot"], opts["years"] * opts["pot_per_year"], opts["distance_m"])
    # recoils from a quarter of the threshold (upward fluctuations) to 1.5 x the range [MeV]; uniform
    # panels, the first one split log-uniformly (N_GEOMETRIC panels over the range): that resolves a
    # threshold far below the range (ess_ar: 0.1 of 150 keVnr) and adds little elsewhere
    t_nr = (2.5e-4 * thr, 1.5e-3 * top)
    n_panels = 24 * opts["refine"]
    first = t_nr[0] + (t_nr[1] - t_nr[0]) / n_panels
    geometric = np.geomspace(*t_nr, N_GEOMETRIC * opts["refine"] + 1)
    folding = build_folding(
        tgt,
        comps,
        [flu] * len(comps),
        opts["mass_kg"],
        t_nr,
        n_panels=n_panels,
        n_e=24 * opts["refine"],
        breakpoints=geometric[geometric < first],
    )
    if not sterile:  # no timing in the analysis: one component per flavour
        folding = folding.merged_by_flavour()
    rel = np.array([design.relative_quenching.get(i.name.lstrip("0123456789"), 1.0) for i in tgt.isotopes])
    radii, radius, index, offset = _radius_parameters(tgt, opts["form_factor"])
    edges = np.linspace(thr, top, opts["n_bins"] + 1)
    live_days = opts["years"] * BEAM_HOURS_PER_YEAR / 24.0
    per_bin = opts["background"] * opts["mass_kg"] * live_days * source.duty_factor * np.diff(edges)
    nuisances = [
        Parameter(
            "eta_flux",
            1.0,
            lower=0.0,
            upper=3.0,
            constraint=(1.0, opts["flux_prior"]),
            free=True,
            tags=(source.flux_tag,),
            label=r"$\eta_{\rm flux}$",
            doc=f"{source.name} neutrino-flux normalisation ({100 * opts['flux_prior']:.3g}% prior)",
        ),
        Parameter(
            "eta_bkg",
            1.0,
            lower=0.0,
            upper=3.0,
            constraint=(1.0, opts["background_prior"]),
            free=True,
            label=r"$\eta_{\rm bkg}$",
            doc="steady-state background normalisation",
        ),
        shape_nuisance(
            "theta_qf",
            r"$\theta_{\rm QF}$",
            f"quenching factor towards x(1 +- {opts['quenching_prior']:.3g}) [sigma]",
        ),
    ]
    qf, q = opts["quenching"], opts["quenching_prior"]
    response = np.stack([_response(opts, edges, folding, rel, qf, qf * scale) for scale in (1.0, 1.0 + q, 1.0 - q)])
    model = cls(
        folding=folding,
        response=jnp.asarray(response),
        rp=jnp.asarray([i.proton_radius for i in tgt.isotopes]),
        skin_offset=jnp.asarray(offset),
        edges=jnp.asarray(edges),
        background=jnp.asarray(per_bin),
        likelihood=Poisson(jnp.zeros(opts["n_bins"])),
        radius=radius,
        rn_index=index,
        title=design.title,
        parameters=parameter_set(c, radii, nuisances, sterile=sterile),
        signal=config,
    )
    return with_asimov_data(model)


def builder(cls: type[Projection], design: Design) -> Callable[..., Projection]:
    """``build(**options) -> cls`` with the signature of the design's option table (for the registry)."""
    table = options(design)

    def build(**opts) -> Projection:
        return build_projection(cls, design, **({k: o.default for k, o in table.items()} | opts))

    build.__signature__ = inspect.Signature(
        [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=o.default) for k, o in table.items()],
        return_annotation=cls,
    )
    build.__doc__ = f"Build {cls.name} (the module docstrings of {cls.__module__} and {__name__} describe the options)."
    build.__module__ = cls.__module__
    build.__qualname__ = "build"
    return build


def light_yield_for(resolution_at_threshold: float, quenching: float, threshold_kevnr: float) -> float:
    """Quanta per keVee for which the Poisson resolution at threshold is ``resolution_at_threshold`` (sigma/E).

    Examples:
        >>> round(light_yield_for(0.3, 0.1, 1.0), 3)  # 30% at 1 keVnr, QF 10%: 111 quanta per keVee
        111.111
    """
    return 1.0 / (resolution_at_threshold**2 * quenching * threshold_kevnr)
