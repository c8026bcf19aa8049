"""cevnsjax: differentiable likelihoods for coherent elastic neutrino-nucleus scattering."""
