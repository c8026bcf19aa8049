"""The model protocol every engine works with.

A model is anything with named ``parameters`` (a :class:`ParameterSet`) and a pure
``chi2(params)`` returning -2 ln L (least-squares chi^2 or Poisson deviance) *including*
its constraint terms, for a complete ``name -> scalar`` mapping.  Fits, profiles, grid
scans and NUTS (potential = chi2/2, flat priors inside bounds, so constraint terms act
as Gaussian priors) all take such a model; none of them knows about datasets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

import jax

from .parameters import ParameterSet

Params = Mapping[str, jax.Array]


@runtime_checkable
class Model(Protocol):
    """Structural type of a likelihood model.

    Attributes:
        name: identifier (experiment name or a combination of them).
        parameters: the named parameter specs (defaults, bounds, constraints).
        n_bins: number of data bins entering the chi^2 (for ndof = n_bins - n_free).
    """

    name: str
    parameters: ParameterSet
    n_bins: int

    def chi2(self, params: Params) -> jax.Array:
        """-2 ln L (with constraint terms) at a complete parameter mapping."""
        ...

    def components(self, params: Params) -> dict[str, jax.Array]:
        """Total expected events per signal/background component."""
        ...


class FunctionModel:
    """Wrap a plain ``chi2(params)`` function and its parameters as a Model.

    Examples:
        >>> import jax.numpy as jnp
        >>> from cevnsjax.parameters import Parameter, ParameterSet
        >>> m = FunctionModel(lambda p: (p["x"] - 1.0) ** 2,
        ...                   ParameterSet([Parameter("x", 0.0, free=True)]))
        >>> float(m.chi2({"x": jnp.array(3.0)}))
        4.0
    """

    def __init__(
        self,
        chi2: Callable[[Params], jax.Array],
        parameters: ParameterSet,
        *,
        name: str = "function",
        n_bins: int = 0,
        components: Callable[[Params], dict[str, jax.Array]] | None = None,
    ):
        self._chi2 = chi2
        self._components = components
        self.parameters = parameters
        self.name = name
        self.n_bins = n_bins

    def chi2(self, params: Params) -> jax.Array:
        return self._chi2(params)

    def components(self, params: Params) -> dict[str, jax.Array]:
        return {} if self._components is None else self._components(params)
