"""Snapshot of the public API: a change here is a deliberate decision."""

import cevnsjax as cj


def test_top_level_names():
    assert set(cj.__all__) == {
        "configure",
        "constants",
        "datasets",
        "experiments",
        "inference",
        "physics",
        "experiment",
        "info",
        "exclusion",
        "fit",
        "load",
        "profile",
        "profile2d",
        "sample",
        "scan",
        "initialize_distributed",
        "toys",
        "feldman_cousins",
        "sensitivity",
        "combine",
        "tie",
        "to_minuit",
        "to_pyhf",
    }
    for name in cj.__all__:
        assert getattr(cj, name) is not None


def test_import_does_not_flip_x64():
    import subprocess
    import sys

    code = "import jax, cevnsjax; print(jax.config.jax_enable_x64, jax.config.read('jax_cpu_enable_async_dispatch'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False True"


def test_configure_sets_float64_and_inline_dispatch_before_the_first_computation():
    import subprocess
    import sys

    code = (
        "import jax, cevnsjax as cj; cj.configure(); "
        "print(jax.config.jax_enable_x64, jax.config.read('jax_cpu_enable_async_dispatch'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True False"
    late = (
        "import warnings, jax, jax.numpy as jnp, cevnsjax as cj; jnp.ones(2).block_until_ready(); "
        "warnings.simplefilter('error'); cj.configure()"
    )
    out = subprocess.run([sys.executable, "-c", late], capture_output=True, text=True)
    assert out.returncode != 0 and "already exists" in out.stderr


def test_presets_and_physics_namespace():
    assert cj.constants.pdg2018.name == "pdg2018" and cj.constants.pdg2022.name == "pdg2022"
    for name in ("gvp", "gvn", "r2_sm", "dsigma_dT", "helm", "sfermi", "klein_nystrand", "target", "isotope"):
        assert callable(getattr(cj.physics, name))


def test_experiments_leave_the_matplotlib_backend_alone():
    """Loading every experiment must not switch the user's backend (notebooks use the inline one)."""
    import subprocess
    import sys

    code = (
        "import matplotlib; matplotlib.use('svg'); import cevnsjax.experiments as ex; ex.names(); "
        "assert matplotlib.get_backend() == 'svg', matplotlib.get_backend()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
