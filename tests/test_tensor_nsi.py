"""Tensor NSI: the cross-section term against a Dirac-trace calculation and the published formula in numpy,
its flavour structure, its absence of interference, and finite gradients (docs/physics.md section 17)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from cevnsjax.constants import HBARC2_MEV2_CM2, XS_UNIT_CM2, pdg2022
from cevnsjax.folding import build_folding
from cevnsjax.parameters import ParameterSet
from cevnsjax.physics import cross_sections as xs
from cevnsjax.physics import form_factors as ffm
from cevnsjax.physics.amplitude import SignalConfig
from cevnsjax.physics.catalogue import PAIRS, bsm_parameters
from cevnsjax.physics.kinematics import momentum_transfer
from cevnsjax.physics.nuclei import isotope, target
from cevnsjax.sources import sns

C = pdg2022


# --- an independent |M|^2 by Dirac traces (numpy), for a point-like spin-1/2 target of charge Q ---
_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_PAULI = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]], complex)]
_G = np.array([np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _PAULI])
_G5 = 1j * _G[0] @ _G[1] @ _G[2] @ _G[3]
_ETA = np.array([1.0, -1.0, -1.0, -1.0])
_SIGMA = 0.5j * (np.einsum("aij,bjk->abik", _G, _G) - np.einsum("bij,ajk->abik", _G, _G))
_PL = (np.eye(4) - _G5) / 2


def _slash(p):
    return np.einsum("a,a,aij->ij", _ETA, p, _G)


def _bar(a):
    """gamma^0 a^dagger gamma^0 for a stack of matrices (last two axes)."""
    return _G[0] @ np.conj(np.swapaxes(a, -1, -2)) @ _G[0]


def _trace_dsigma_dT(E, T, M, kind):
    """dsigma/dT / (G_F^2 Q^2) [MeV^-3] for L = -(G_F/sqrt2) Q [nu-bar Gamma nu][N-bar Gamma' N], left-handed nu.

    ``vector``: Gamma = gamma^mu (1 - gamma5), Gamma' = gamma_mu; ``tensor``: Gamma = sigma^{mu nu},
    Gamma' = sigma_{mu nu}.  |M|^2 summed over final spins, averaged over the target's; dsigma/dT =
    |M|^2/(32 pi M E^2) in the target's rest frame.
    """
    Ep, pp = E - T, math.sqrt((M + T) ** 2 - M**2)
    cos = (E**2 + Ep**2 - pp**2) / (2 * E * Ep)
    k, kp = np.array([E, 0, 0, E]), np.array([Ep, Ep * math.sqrt(1 - cos**2), 0, Ep * cos])
    p = np.array([M, 0, 0, 0])
    ppr = k + p - kp
    nu_in, nu_out = _slash(k), _slash(kp)
    n_in, n_out = _slash(p) + M * np.eye(4), _slash(ppr) + M * np.eye(4)
    if kind == "vector":
        lep = _G @ (np.eye(4) - _G5)  # gamma^mu (1 - g5), index mu up
        had = _G
        L = np.einsum("ij,ajk,kl,bli->ab", nu_out, lep, nu_in, _bar(lep))
        H = np.einsum("ij,ajk,kl,bli->ab", n_out, had, n_in, _bar(had))
        amp2 = np.einsum("a,b,ab,ab->", _ETA, _ETA, L, H)
    else:
        lep = _SIGMA @ _PL
        L = np.einsum("ij,abjk,kl,cdli->abcd", nu_out, lep, nu_in, _bar(lep))
        H = np.einsum("ij,abjk,kl,cdli->abcd", n_out, _SIGMA, n_in, _bar(_SIGMA))
        amp2 = np.einsum("a,b,c,d,abcd,abcd->", _ETA, _ETA, _ETA, _ETA, L, H)
    return 0.5 * 0.5 * amp2.real / (32 * math.pi * M * E**2)  # (G_F/sqrt2)^2 and the target-spin average


def _published(E, T, M, qt2, *, exact):
    """dsigma_T/dT = 2 G_F^2 M/pi Q_T^2 (1 - MT/(4E^2) [- T/E]) [cm^2/MeV], Eq. (122) of docs/physics.md."""
    kin = 1 - M * T / (4 * E**2) - (T / E if exact else 0.0)
    return 2 * C.G_F**2 * M / math.pi * qt2 * kin * HBARC2_MEV2_CM2


def test_trace_calculation_fixes_the_normalisation():
    """The vector trace reproduces G_F^2 M/pi (1 - MT/2E^2 - T/E) (the SM term's normalisation), the tensor
    trace 2 G_F^2 M/pi (1 - MT/4E^2 - T/E): the tensor term of the library, per unit charge."""
    M, E = 1000.0, 30.0
    for T in (0.01, 0.05):
        vec = _trace_dsigma_dT(E, T, M, "vector")
        ten = _trace_dsigma_dT(E, T, M, "tensor")
        assert vec == pytest.approx(M / math.pi * (1 - M * T / (2 * E**2) - T / E), rel=1e-5)
        assert ten == pytest.approx(2 * M / math.pi * (1 - M * T / (4 * E**2) - T / E), rel=1e-5)


@pytest.mark.parametrize("exact", [False, True])
def test_cross_section_term_against_trace_and_formula(exact):
    """dsigma/dT(eps^T) - dsigma/dT(0) for cesium (point nucleus) equals the published formula and the trace."""
    cs = isotope("133Cs")
    eu, ed = 0.07, -0.03
    qt = (2 * eu + ed) * cs.Z + (eu + 2 * ed) * cs.N
    kw = dict(rn=5.01, form_factor_name="unity", exact=exact)
    for E, T in ((30.0, 0.004), (50.0, 0.02), (15.0, 0.003)):
        got = float(
            xs.dsigma_dT(E, T, cs, "nu_mu", params={"epsT_u_mumu": eu, "epsT_d_mumu": ed}, **kw)
            - xs.dsigma_dT(E, T, cs, "nu_mu", **kw)
        )
        assert got == pytest.approx(_published(E, T, cs.mass, qt**2, exact=exact), rel=1e-9)
        if exact:
            ref = _trace_dsigma_dT(E, T, cs.mass, "tensor") * C.G_F**2 * qt**2 * HBARC2_MEV2_CM2
            assert got == pytest.approx(ref, rel=1e-6)
    # beyond the kinematic limit every term is zero, the tensor one included
    assert float(xs.dsigma_dT(1.0, 0.01, cs, "nu_mu", params={"epsT_u_mumu": 0.1}, **kw)) == 0.0


def test_limits_and_ratio_to_the_vector_term():
    """T -> 0: dsigma_T/dsigma_V -> 2 Q_T^2/Q_V^2; a tensor with Q_T = Q_V/sqrt2 gives the SM at T -> 0."""
    ar = isotope("40Ar")
    kw = dict(rn=3.4, form_factor_name="unity", c=C, zz_boxes=False)
    E, T = 30.0, 1e-9
    sm = float(xs.dsigma_dT(E, T, ar, "nu_e", **kw))
    eu = 0.05
    tens = float(xs.dsigma_dT(E, T, ar, "nu_e", params={"epsT_u_ee": eu}, **kw)) - sm
    qt = 2 * eu * ar.Z + eu * ar.N
    sm_ref = C.G_F**2 * ar.mass / math.pi * HBARC2_MEV2_CM2  # per Q_V^2
    qv2 = sm / sm_ref
    assert tens / sm == pytest.approx(2 * qt**2 / qv2, rel=1e-6)
    # the kinematic factors differ: at T = T_max/2 (leading order) the tensor one is 3/4, the vector one 1/2
    Th = E**2 / ar.mass
    tens_h = float(xs.dsigma_dT(E, Th, ar, "nu_e", params={"epsT_u_ee": eu}, **kw)) - float(
        xs.dsigma_dT(E, Th, ar, "nu_e", **kw)
    )
    assert tens_h / tens == pytest.approx(0.75, rel=1e-7)  # T = 1e-9 MeV is not quite 0


@pytest.fixture(scope="module")
def setup():
    tgt = target("CsI")
    f = build_folding(tgt, sns.components(C), [1e14] * 3, 10.0, (1e-4, 0.1), n_panels=6, n_t=6, n_e=16)
    rp = jnp.asarray([i.proton_radius for i in tgt.isotopes])
    rn = rp + 0.2
    base = ParameterSet(bsm_parameters(C)).defaults()
    config = SignalConfig(C, "helm", True)
    spectra = jax.jit(lambda p: f.cevns_spectra({**base, **p}, rn, rp, config))
    return f, rp, rn, spectra


def test_folded_tensor_term_no_interference_and_flavours(setup):
    """Folded spectra: the tensor term is the numpy sum over the flux nodes of the formula, adds to the SM
    (no interference: exactly quadratic), and an eps^T_ll' acts on flavours l and l' only."""
    f, rp, rn, spectra = setup
    sm = np.asarray(spectra({}))
    eu, ed = 0.1, 0.02
    d = np.asarray(spectra({"epsT_u_ee": eu, "epsT_d_ee": ed})) - sm
    q = momentum_transfer(f.T, f.M[:, None])
    FZ, FN = np.asarray(ffm.helm(q, rp[:, None])), np.asarray(ffm.helm(q, rn[:, None]))
    Zf, Nf, M = np.asarray(f.Z)[:, None], np.asarray(f.N)[:, None], np.asarray(f.M)[:, None, None]
    qt2 = ((2 * eu + ed) * Zf * FZ + (eu + 2 * ed) * Nf * FN) ** 2
    E, wE, T = np.asarray(f.E), np.asarray(f.wE), np.asarray(f.T)[:, :, None]
    kin = np.sum(wE * (1 - M * T / (4 * E**2)), axis=-1)  # direct sum over the neutrino-energy nodes
    ref = 2 * C.G_F**2 * np.asarray(f.M)[:, None] / math.pi * HBARC2_MEV2_CM2 / XS_UNIT_CM2 * qt2 * kin
    flav = np.asarray(f.flavour)
    for c in range(len(flav)):
        np.testing.assert_allclose(d[c], ref[c] if flav[c] == 0 else 0.0, rtol=1e-12, atol=1e-12 * ref.max())
    d2 = np.asarray(spectra({"epsT_u_ee": 2 * eu, "epsT_d_ee": 2 * ed})) - sm
    np.testing.assert_allclose(d2, 4 * d, rtol=1e-10, atol=1e-12 * d.max())
    # a sign flip changes nothing (no interference with the vector amplitude)
    np.testing.assert_allclose(np.asarray(spectra({"epsT_u_ee": -eu, "epsT_d_ee": -ed})), sm + d, rtol=1e-12)
    # a transition coupling (e <-> mu) adds the same term to both flavours, incoherently
    for (i, j), pair in PAIRS.items():
        dt = np.asarray(spectra({f"epsT_u_{pair}": eu, f"epsT_d_{pair}": ed})) - sm
        for c in range(len(flav)):
            expect = ref[c] if flav[c] in (i, j) else 0.0
            np.testing.assert_allclose(dt[c], expect, rtol=1e-12, atol=1e-12 * ref.max())


def test_gradients_finite_at_zero_and_bounds(setup):
    _, _, _, spectra = setup
    names = [f"epsT_{q}_{fl}" for q in ("u", "d") for fl in ("ee", "mumu", *PAIRS.values())]
    for value in (0.0, 5.0, -5.0):
        g = jax.grad(lambda p: jnp.sum(spectra(p)))({n: jnp.asarray(value) for n in names})
        assert all(np.isfinite(float(g[n])) for n in names)
