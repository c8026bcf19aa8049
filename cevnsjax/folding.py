"""Generic flux folding: neutrino flux x cross section -> recoil spectra on quadrature nodes.

Built once (numpy) for a target, a set of flux components and recoil-energy
quadrature grids; evaluated as dense array contractions under jit:

    dN_c/dT (isotope i, T_k) = sum_j w[c,i,k,j] dsigma_{c,i}(E[c,i,k,j], T_k)

where the weights fold the neutrino-energy Gauss-Legendre rule on
[E_min(T_k), E_max], the normalised spectrum, the fluence and the number of
target nuclei.  A monochromatic line (the SNS prompt nu_mu) is treated
analytically: one node at the line energy with weight fluence x N_nuclei when
T_k < T_max(E_line), and the recoil grid has a panel edge at T_max(E_line) so the
step is integrated exactly.  Expected counts per analysis bin then follow from a
response matrix R[b, i, k] that already includes the recoil quadrature weights
(:mod:`cevnsjax.detectors.response`).

:class:`ElectronFolding` is the same construction for neutrino-electron elastic
scattering on the atomic electrons of each element (exact free-electron kinematics,
panel edges at the Z_eff ionisation edges), with the neutrino-energy moments of the
nu-e cross section precomputed (:func:`cevnsjax.physics.electron_scattering.energy_moments`).

The signal itself is the physics layer's (:mod:`cevnsjax.physics.amplitude`): a folding holds
the neutrino-energy moments of the cross section on its recoil nodes, and
:meth:`Folding.cevns_spectra` / :meth:`ElectronFolding.spectra` hand them, with the nuclear data,
to :func:`~cevnsjax.physics.amplitude.cevns_rate` / :func:`~cevnsjax.physics.amplitude.electron_rate`.
With sterile oscillations the moments are recomputed from the oscillated weights.

Reference: docs/physics.md section 10.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ._quadrature import composite_gauss_legendre, gauss_legendre, panel_edges
from .constants import XS_UNIT_CM2
from .physics import amplitude as amp
from .physics import electron_scattering as es
from .physics.form_factors import form_factor
from .physics.kinematics import e_min, momentum_transfer, t_max
from .physics.nuclei import Target
from .sources.flux import FluxComponent


class Folding(eqx.Module):
    """Quadrature-ready flux x target description.

    Attributes:
        T: recoil-energy nodes [MeV], shape (n_iso, n_T).
        wT: recoil quadrature weights [MeV], shape (n_iso, n_T).
        E: neutrino-energy nodes [MeV], shape (n_comp, n_iso, n_T, n_E).
        wE: folded weights [1e38 nuclei cm^-2 MeV^-1 x MeV], shape (n_comp, n_iso, n_T, n_E);
            sum_j wE * dsigma/dT[1e-38 cm^2/MeV] gives events per MeV of recoil (the 1e38 unit,
            :data:`~cevnsjax.constants.XS_UNIT_CM2`, keeps the weights finite in float32).
        moments: :func:`cevnsjax.physics.amplitude.cevns_moments` of wE (weak, magnetic, scalar),
            shape (3, n_comp, n_iso, n_T), precomputed because they depend on no parameter.
        M, Z, N: nuclear mass [MeV] and nucleon numbers per isotope, shape (n_iso,).
        flavour: lepton flavour index (0 e, 1 mu, 2 tau) of each component, shape (n_comp,).
        components: component names (static).
        timing: component timing classes (static).
        isotopes: isotope names (static).
        exact_kinematics: whether the exact kinematic factor and limits were used (static).
    """

    T: jax.Array
    wT: jax.Array
    E: jax.Array
    wE: jax.Array
    moments: jax.Array
    M: jax.Array
    Z: jax.Array
    N: jax.Array
    flavour: jax.Array
    components: tuple[str, ...] = eqx.field(static=True)
    timing: tuple[str, ...] = eqx.field(static=True)
    isotopes: tuple[str, ...] = eqx.field(static=True)
    exact_kinematics: bool = eqx.field(static=True)

    def cevns_spectra(
        self, params: Mapping[str, jax.Array], rn: jax.Array, rp: jax.Array, config: amp.SignalConfig
    ) -> jax.Array:
        """CEvNS dN/dT [events/MeV] per component, isotope and recoil node, shape (n_comp, n_iso, n_T).

        Args:
            params: named parameters (absent physics parameters are at the SM).
            rn: neutron rms radii per isotope [fm], shape (n_iso,).
            rp: proton rms radii per isotope [fm], shape (n_iso,).
            config: static signal choices (form factor, preset, boxes, mediator, baseline).
        """
        c = config.constants
        pt = amp.physics_point(params, c)
        M = self.M[:, None]
        ff = form_factor(config.form)
        q = momentum_transfer(self.T, M)  # |q| of Eq. (26) of docs/physics.md
        # F_Z, F_N of Eq. (25) of docs/physics.md
        FZ, FN = ff(q, jnp.asarray(rp)[:, None]), ff(q, jnp.asarray(rn)[:, None])
        # 1 - P(nu_l -> nu_s) of Eq. (44) of docs/physics.md, or None
        active = amp.survival(pt, self.flavour, self.E, config)
        moments = self.moments
        if active is not None:
            moments = amp.cevns_moments(
                self.E,
                self.wE * active,
                self.T[None, :, :, None],
                self.M[None, :, None, None],
                exact=self.exact_kinematics,
            )
        # Eq. (54) of docs/physics.md, per isotope i of Eq. (62)
        return amp.cevns_rate(pt, self.flavour, self.T, M, self.Z[:, None], self.N[:, None], FZ, FN, moments, config)

    def counts(self, response: jax.Array, dndt: jax.Array) -> jax.Array:
        """Fold recoil spectra with a response R[..., i, k] (weights included): shape (n_comp, ...)."""
        return jnp.einsum("...ik,cik->c...", response, dndt)  # N_b of Eq. (62) of docs/physics.md

    def merged_by_flavour(self) -> Folding:
        """The same folding with the components of each flavour combined into one.

        The CEvNS cross section depends on a component only through its flavour, so the summed
        spectrum is unchanged (to rounding) while every evaluation does less work (the SNS's three
        components become two).  Use it where nothing needs the components apart, i.e. without
        timing.  The precomputed kernels are summed; the energy nodes of a group are concatenated
        (zero-weight padding to the largest group) so that oscillated fluxes stay exact.  Names and
        timing classes are joined with "+".
        """
        flavour = np.asarray(self.flavour)
        groups = [np.flatnonzero(flavour == f) for f in dict.fromkeys(flavour.tolist())]
        width = max(len(g) for g in groups) * self.E.shape[-1]

        # on the host (numpy): a few array copies, not one compiled program per operation
        def energies(a, fill):
            rows = [np.concatenate([a[c] for c in g], axis=-1) for g in groups]
            return np.stack(
                [np.pad(r, [(0, 0)] * (r.ndim - 1) + [(0, width - r.shape[-1])], constant_values=fill) for r in rows]
            )

        def summed(a):
            return np.stack([a[g].sum(axis=0) for g in groups])

        E, wE, moments = np.asarray(self.E), np.asarray(self.wE), np.asarray(self.moments)
        return Folding(
            T=self.T,
            wT=self.wT,
            E=jax.device_put(energies(E, E.max())),
            wE=jax.device_put(energies(wE, 0.0)),
            moments=jax.device_put(np.stack([summed(m) for m in moments])),
            M=self.M,
            Z=self.Z,
            N=self.N,
            flavour=jax.device_put(flavour[[g[0] for g in groups]]),
            components=tuple("+".join(self.components[c] for c in g) for g in groups),
            timing=tuple("+".join(dict.fromkeys(self.timing[c] for c in g)) for g in groups),
            isotopes=self.isotopes,
            exact_kinematics=self.exact_kinematics,
        )


def _stack_grids(grids) -> tuple[np.ndarray, np.ndarray]:
    """Stack per-target (nodes, weights) rules into (n_targets, n_T) arrays.

    Rules with fewer nodes (different breakpoints) are padded with zero-weight copies of their last node.
    """
    n_T = max(len(t) for t, _ in grids)
    T = np.zeros((len(grids), n_T))
    wT = np.zeros((len(grids), n_T))
    for i, (t, w) in enumerate(grids):
        T[i, : len(t)], T[i, len(t) :] = t, t[-1]
        wT[i, : len(w)] = w
    return T, wT


def _energy_rule(flux, fluence, emin: np.ndarray, targets: np.ndarray, n_e: int) -> tuple[np.ndarray, np.ndarray]:
    """Neutrino-energy nodes and folded weights, each shape (n_comp, n_targets, n_T, n_nodes).

    A line gets one node at its energy (the other nodes repeat it with zero weight), with weight
    fluence x targets where E_min(T) < E_line; a continuous spectrum gets an n_e-point
    Gauss-Legendre rule on [E_min(T), E_max] weighted by spectrum x fluence x targets, split into
    panels at the component's breakpoints (kinks of a tabulated spectrum: exact there); panels
    below E_min(T) have zero width.  Components with fewer nodes are padded with zero weights.

    Args:
        emin: minimum neutrino energy per target and recoil node [MeV], shape (n_targets, n_T).
        targets: number of scatterers per target, shape (n_targets,).
    """
    rules = []
    for c, comp in enumerate(flux):
        if comp.line_energy is not None:
            E = np.full(emin.shape + (n_e,), comp.line_energy)
            w = np.zeros_like(E)
            w[..., 0] = np.where(emin < comp.line_energy, fluence[c] * targets[:, None], 0.0)
            rules.append((E, w))
            continue
        lo = np.minimum(emin, comp.e_max)
        cuts = [np.clip(b, lo, comp.e_max) for b in comp.breakpoints if b < comp.e_max]
        edges = np.stack([lo, *cuts, np.full_like(lo, comp.e_max)], axis=-1)  # (n_targets, n_T, n_panels + 1)
        nodes, w = gauss_legendre(edges[..., :-1], edges[..., 1:], n_e)  # (n_targets, n_T, n_panels, n_e)
        nodes, w = nodes.reshape(emin.shape + (-1,)), w.reshape(emin.shape + (-1,))
        rules.append((nodes, w * np.asarray(comp.spectrum(nodes)) * fluence[c] * targets[:, None, None]))
    width = max(E.shape[-1] for E, _ in rules)
    E = np.stack([np.pad(e, [(0, 0), (0, 0), (0, width - e.shape[-1])], mode="edge") for e, _ in rules])
    wE = np.stack([np.pad(w, [(0, 0), (0, 0), (0, width - w.shape[-1])]) for _, w in rules])
    return E, wE


# the physics layer's functions a build evaluates on its nodes, each compiled once per process and
# shapes (one program, not one per operation; a later build of the same experiment reuses it)
_t_max = jax.jit(t_max, static_argnames="exact")
_e_min = jax.jit(e_min, static_argnames="exact")
_cevns_moments = jax.jit(amp.cevns_moments, static_argnames="exact")


def build_folding(
    target: Target,
    flux: Sequence[FluxComponent],
    fluence: Sequence[float],
    mass_kg: float,
    t_range: tuple[float, float],
    *,
    n_panels: int = 24,
    n_t: int = 8,
    n_e: int = 24,
    isotope_scale: Sequence[float] | None = None,
    exact_kinematics: bool = False,
    shared_grid: bool = False,
    breakpoints: Sequence[float] = (),
) -> Folding:
    """Prepare the quadrature arrays for a target exposed to a set of flux components.

    Args:
        target: detector material (isotopes and nuclei per formula unit).
        flux: flux components (lines or normalised continuous spectra).
        fluence: neutrinos per cm^2 for each component.
        mass_kg: detector (fiducial) mass [kg].
        t_range: (T_lo, T_hi) recoil range [MeV]; the upper end is capped per isotope at
            the kinematic limit of the highest neutrino energy.
        n_panels: recoil panels per isotope (uniform, plus breakpoints at line edges).
        n_t: Gauss-Legendre nodes per recoil panel.
        n_e: Gauss-Legendre nodes in neutrino energy per recoil node.
        isotope_scale: optional multiplier of the number of nuclei per isotope.
        exact_kinematics: use the exact kinematic factor and limits instead of the leading-order
            ones of arXiv:2005.01645 (see :mod:`cevnsjax.physics.cross_sections`).
        shared_grid: one recoil grid for every isotope, that of the lightest (the largest kinematic
            limit; nodes beyond a heavier isotope's limit get zero weight), with the breakpoints of
            all isotopes: a response that depends on T only is then the same for every isotope.
        breakpoints: further recoil panel edges [MeV] (e.g. geometric ones near a low threshold).

    Returns:
        A :class:`Folding` (arrays on the default device).
    """
    nuclei = np.asarray(target.nuclei_per_kg()) * mass_kg * XS_UNIT_CM2  # n_i of Eq. (30) of docs/physics.md, in 1e38
    if isotope_scale is not None:
        nuclei = nuclei * np.asarray(isotope_scale)
    M = np.array([iso.mass for iso in target.isotopes])
    # T_max of Eq. (28) of docs/physics.md for the highest energy and every line, per isotope; the
    # physics layer's functions run here as one compiled program each (jit), not one per operation
    energies = np.array([max(f.e_max for f in flux), *(f.line_energy for f in flux if f.line_energy is not None)])
    tops = np.asarray(_t_max(energies, M[:, None], exact=exact_kinematics))
    grids = [(min(t_range[1], float(top[0])), [*(float(t) for t in top[1:]), *breakpoints]) for top in tops]
    if shared_grid:
        top = max(hi for hi, _ in grids)
        breaks = sorted({b for hi, lines in grids for b in (*lines, hi) if b < top})
        grids = [(top, breaks)] * len(grids)
    T, wT = _stack_grids([composite_gauss_legendre(panel_edges(t_range[0], hi, n_panels, b), n_t) for hi, b in grids])
    # E_min of Eq. (29) of docs/physics.md; weights of Eqs. (62) and (64)
    emin = np.asarray(_e_min(T, M[:, None], exact=exact_kinematics))
    E, wE = _energy_rule(flux, fluence, emin, nuclei, n_e)
    return Folding(
        T=jax.device_put(T),
        wT=jax.device_put(wT),
        E=jax.device_put(E),
        wE=jax.device_put(wE),
        moments=_cevns_moments(E, wE, T[None, :, :, None], M[None, :, None, None], exact=exact_kinematics),
        M=jax.device_put(M),
        Z=jax.device_put(np.array([float(i.Z) for i in target.isotopes])),
        N=jax.device_put(np.array([float(i.N) for i in target.isotopes])),
        flavour=jax.device_put(np.array([f.flavour for f in flux])),
        components=tuple(f.name for f in flux),
        timing=tuple(f.timing for f in flux),
        isotopes=tuple(i.name for i in target.isotopes),
        exact_kinematics=exact_kinematics,
    )


class ElectronFolding(eqx.Module):
    """Quadrature-ready flux x atomic-electron description for neutrino-electron elastic scattering.

    The "targets" are the elements of the detector (e.g. Cs and I), each with its Z_eff(T_e)
    step function; electron recoils use the exact kinematics of a free electron
    (E_min = (T + sqrt(T^2 + 2 m_e T))/2).  The recoil grid is log-spaced (or uniform), with
    panel edges at every ionisation edge so that the Z_eff steps are integrated exactly.

    Attributes:
        T, wT: electron recoil nodes and weights [MeV], shape (n_el, n_T).
        E, wE: neutrino-energy nodes [MeV] and folded weights (1e38 atoms cm^-2 MeV^-1 x MeV),
            shape (n_comp, n_el, n_T, n_E).
        z_eff: Z_eff on the recoil nodes, shape (n_el, n_T).
        moments: :func:`cevnsjax.physics.electron_scattering.energy_moments` of wE,
            shape (4, n_comp, n_el, n_T).
        flavour: lepton flavour of each component, shape (n_comp,).
        antineutrino: 1.0 for antineutrino components, else 0.0, shape (n_comp,).
        components, timing, elements: names (static).
    """

    T: jax.Array
    wT: jax.Array
    E: jax.Array
    wE: jax.Array
    z_eff: jax.Array
    moments: jax.Array
    flavour: jax.Array
    antineutrino: jax.Array
    components: tuple[str, ...] = eqx.field(static=True)
    timing: tuple[str, ...] = eqx.field(static=True)
    elements: tuple[str, ...] = eqx.field(static=True)

    def spectra(self, params: Mapping[str, jax.Array], config: amp.SignalConfig) -> jax.Array:
        """nu-e dN/dT_e [events/MeV] per component, element and recoil node, shape (n_comp, n_el, n_T)."""
        pt = amp.physics_point(params, config.constants)
        active = amp.survival(pt, self.flavour, self.E, config)
        moments = self.moments
        if active is not None:
            moments = es.energy_moments(self.E, self.wE * active, self.T[None, :, :, None], config.constants.m_e)
        # Eqs. (55) and (60) of docs/physics.md
        return amp.electron_rate(pt, self.flavour, self.antineutrino, self.T, self.z_eff, moments, config)

    def counts(self, response: jax.Array, dndt: jax.Array) -> jax.Array:
        """Fold recoil spectra with a response R[..., i, k] (weights included): shape (n_comp, ...)."""
        return jnp.einsum("...ik,cik->c...", response, dndt)  # N_b of Eq. (62) of docs/physics.md


def build_electron_folding(
    elements: Sequence[str],
    atoms_per_kg: Sequence[float],
    flux: Sequence[FluxComponent],
    fluence: Sequence[float],
    mass_kg: float,
    t_range: tuple[float, float],
    electron_mass: float,
    *,
    n_panels: int = 24,
    n_t: int = 8,
    n_e: int = 24,
    geometric: bool = True,
) -> ElectronFolding:
    """Prepare the quadrature arrays for nu-e scattering on the atomic electrons of a detector.

    Args:
        elements: element symbols with a Z_eff table (``Cs``, ``I``, ``Ge``).
        atoms_per_kg: atoms of each element per kg of detector.
        flux: flux components.
        fluence: their neutrinos per cm^2.
        mass_kg: detector mass [kg].
        t_range: (T_lo, T_hi) electron recoil range [MeV], T_lo > 0.
        electron_mass: m_e [MeV] of the constants preset.
        n_panels: recoil panels per element (plus the ionisation edges).
        n_t: Gauss-Legendre nodes per recoil panel.
        n_e: Gauss-Legendre nodes in neutrino energy.
        geometric: log-spaced panels (broad resolutions, 1/T_e terms); else uniform ones (narrow
            resolutions need nodes closer than the resolution everywhere).

    Returns:
        An :class:`ElectronFolding`.
    """
    if not 0 < t_range[0] < t_range[1]:
        raise ValueError(f"electron recoil range {t_range} MeV: need 0 < T_lo < T_hi")
    grids = []
    for element in elements:
        edges_kev = es.Z_EFF_TABLES[element][0] if element in es.Z_EFF_TABLES else ()
        breaks = [1e-3 * e for e in edges_kev]
        grids.append(composite_gauss_legendre(panel_edges(*t_range, n_panels, breaks, geometric=geometric), n_t))
    T, wT = _stack_grids(grids)
    atoms = np.asarray(atoms_per_kg, dtype=float) * mass_kg * XS_UNIT_CM2  # in 1e38, as the nuclei
    # E_min of Eq. (57) of docs/physics.md (exact, M = m_e); weights of Eq. (62)
    E, wE = _energy_rule(flux, fluence, np.asarray(e_min(T, electron_mass, exact=True)), atoms, n_e)
    return ElectronFolding(
        T=jnp.asarray(T),
        wT=jnp.asarray(wT),
        E=jnp.asarray(E),
        wE=jnp.asarray(wE),
        z_eff=jnp.stack([es.z_eff(el, t) for el, t in zip(elements, T, strict=True)]),
        moments=es.energy_moments(E, wE, T[None, :, :, None], electron_mass),
        flavour=jnp.asarray([f.flavour for f in flux]),
        antineutrino=jnp.asarray([float(f.antineutrino) for f in flux]),
        components=tuple(f.name for f in flux),
        timing=tuple(f.timing for f in flux),
        elements=tuple(elements),
    )
