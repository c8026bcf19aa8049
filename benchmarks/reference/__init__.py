"""Reference implementations: the scipy-quad / iminuit way of computing CEvNS predictions and fits.

Written independently of cevnsjax's physics (plain numpy, ``math`` and scipy): the same
recipe (docs/physics.md sections 2-11) coded the way public CEvNS scripts do it, with
``scipy.integrate.quad`` per analysis bin, nested per neutrino energy, and Minuit with
numerical gradients.  Only the released files are read through ``cevnsjax.datasets``
(locating and hash-checking them), so both sides see the same inputs.
"""
