"""Form factors: F(0)=1, rms radius from the curvature, smoothness and gradients at q -> 0."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from cevnsjax.constants import HBARC_MEV_FM
from cevnsjax.physics import form_factors as ff

ANALYTIC = [ff.helm, ff.sfermi, ff.klein_nystrand]


@pytest.mark.parametrize("f", ANALYTIC + [ff.unity])
def test_normalised_at_zero(f):
    assert float(f(jnp.array(0.0), 3.45)) == 1.0


@pytest.mark.parametrize("f", ANALYTIC)
@pytest.mark.parametrize("r", [3.0, 3.45, 4.8, 5.5])
def test_rms_radius_from_curvature(f, r):
    """F = 1 - q^2 R^2/6 + ...: the second derivative at 0 returns the rms radius."""
    d2 = jax.grad(jax.grad(lambda q: f(q, r)))(0.0)
    assert np.sqrt(-3 * d2) * HBARC_MEV_FM == pytest.approx(r, rel=1e-10)


@pytest.mark.parametrize("f", ANALYTIC)
def test_gradients_finite_at_zero_and_continuous_across_series_switch(f):
    for q in [0.0, 1e-12, 1e-3, 1.0]:
        for argnum in (0, 1):
            g = jax.grad(f, argnums=argnum)(q, 4.0)
            h = jax.hessian(f, argnums=argnum)(q, 4.0)
            assert np.isfinite(g) and np.isfinite(h)
    # the series / closed-form switch sits at argument 0.1: values agree on both sides
    r = 4.0
    q_switch = np.linspace(1.0, 12.0, 400)
    vals = np.asarray(f(jnp.asarray(q_switch), r))
    assert np.all(np.abs(np.diff(vals, 2)) < 1e-6)


def test_sfermi_stable_form_equals_textbook_formula():
    import math

    r, t = 3.45, ff.SFERMI_T_FM
    a = t / (4 * math.log(3))
    c = math.sqrt(5 / 3 * (r**2 - 7 / 5 * (math.pi * a) ** 2))
    for q in [10.0, 50.0, 100.0, 200.0]:
        qf = q / HBARC_MEV_FM
        x, y = qf * c, math.pi * qf * a
        direct = 3 / (x * (x**2 + y**2)) * (y / math.sinh(y)) * (y / math.tanh(y) * math.sin(x) - x * math.cos(x))
        assert float(ff.sfermi(q, r)) == pytest.approx(direct, rel=1e-10)


def test_forms_agree_at_coherent_momenta():
    q = jnp.linspace(1.0, 100.0, 50)
    h = ff.helm(q, 3.45)
    for f in (ff.sfermi, ff.klein_nystrand):
        assert float(jnp.max(jnp.abs(f(q, 3.45) - h))) < 0.01


def test_proton_radii():
    assert ff.proton_radius(3.4274, 18, 22) == pytest.approx(3.448, abs=5e-4)
    assert ff.proton_radius(4.804, 55, 78) == pytest.approx(4.821, abs=5e-4)
    assert ff.proton_radius(4.749, 53, 74) == pytest.approx(4.766, abs=5e-4)


def test_lookup_errors():
    with pytest.raises(ValueError, match="choices: helm, sfermi, kn, unity"):
        ff.form_factor("gaussian")
    assert ff.form_factor("kn") is ff.klein_nystrand
    assert ff.min_radius("helm") == pytest.approx(np.sqrt(3) * 0.9)


def test_vmap_and_jit_equal_loop():
    qs = jnp.linspace(0.0, 150.0, 7)
    rs = jnp.linspace(3.3, 5.5, 7)
    batched = jax.vmap(ff.helm)(qs, rs)
    jitted = jax.jit(ff.sfermi)(qs, rs)
    for i in range(7):
        assert float(batched[i]) == pytest.approx(float(ff.helm(qs[i], rs[i])), rel=1e-14)
        assert float(jitted[i]) == pytest.approx(float(ff.sfermi(qs[i], rs[i])), rel=1e-13)
