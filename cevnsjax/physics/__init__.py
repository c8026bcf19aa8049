"""Physics layer: pure JAX functions of arrays (couplings, form factors, nuclei, cross sections)."""

from . import couplings, cross_sections, form_factors, nuclei
from .couplings import gvn, gvp, gvp_no_radius, r2_sm, radius_form_factor
from .cross_sections import dsigma_dT, e_min, kinematic_factor, t_max
from .form_factors import form_factor, helm, klein_nystrand, proton_radius, sfermi, unity
from .nuclei import Isotope, Target, isotope, target

__all__ = [
    "couplings",
    "cross_sections",
    "form_factors",
    "nuclei",
    "gvn",
    "gvp",
    "gvp_no_radius",
    "r2_sm",
    "radius_form_factor",
    "dsigma_dT",
    "e_min",
    "kinematic_factor",
    "t_max",
    "form_factor",
    "helm",
    "klein_nystrand",
    "proton_radius",
    "sfermi",
    "unity",
    "Isotope",
    "Target",
    "isotope",
    "target",
]
