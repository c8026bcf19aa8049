"""Hand-off to the tools physicists already trust: iminuit and pyhf.

* :func:`to_minuit` builds an ``iminuit.Minuit`` on any model's named parameters (limits,
  fixed flags, ``errordef = 1`` for chi^2 = -2 ln L, the JAX gradient), for MIGRAD, HESSE,
  MINOS, ``mnprofile`` and ``mncontour`` by hand.
* :func:`to_pyhf` writes a binned Poisson experiment as a HistFactory workspace (pyhf JSON,
  CERN-OPEN-2012-016) at fixed physics parameters, so pyhf's CLs and upper-limit tools apply.
  Each nuisance becomes the HistFactory modifier that reproduces the model exactly:

  - an unconstrained normalisation (``mu_cevns``): ``normfactor``;
  - a normalisation with a Gaussian prior ``(1, sigma)`` of components that nothing else
    changes (``eta_ss``, ``eta_brn``, ``eta_nin``): a ``histosys`` at ``1 +- sigma`` (linear,
    so exact), whose parameter is the pull ``(eta - 1) / sigma``;
  - the one constrained normalisation of components that also change shape (``eta_flux``):
    the ``lumi`` modifier (linear, Gaussian constraint ``(1, sigma)``; HistFactory allows one);
  - a shape nuisance with a unit Gaussian prior (``theta_qf``, ``theta_qf_1``, ``theta_eff``):
    a ``histosys`` from the templates at -1 and +1 with interpolation ``code2`` (quadratic
    inside, linear outside: the template morphing of docs/physics.md Eq. (86));

  and the construction is checked: the HistFactory expectation must reproduce the model's
  at a point away from the nominal one, or the nuisance that does not fit (a timing shift
  such as ``t_offset``, which moves events non-linearly) is named, to be fixed.  pyhf's
  -ln L then equals ``chi2 / 2`` up to a constant (tests/test_handoff.py).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from .inference._objective import build, compiled
from .likelihood.poisson import Poisson
from .model import Model

#: pyhf model settings the exported workspaces need (``histosys`` interpolation code2).
PYHF_MODIFIER_SETTINGS = {"histosys": {"interpcode": "code2"}}


def to_minuit(
    model: Model,
    free: Iterable[str] | str | None = None,
    fixed: Mapping[str, float] | None = None,
    start: Mapping[str, float] | None = None,
    constraints: Mapping[str, tuple[float, float]] | None = None,
):
    """An ``iminuit.Minuit`` over every parameter of ``model``, the non-free ones fixed.

    Args:
        model: the likelihood model.
        free, fixed, start, constraints: as for :func:`cevnsjax.fit` (the free set is the
            model's default one plus ``free`` minus ``fixed``; ``fixed`` values and ``start``
            values are the initial values).

    Returns:
        A ``Minuit`` of ``chi2`` (model chi^2 plus extra constraints) with parameter names,
        limits from the bounds, ``fixed`` flags, ``errordef = 1``, the tolerance of
        :func:`cevnsjax.fit` (EDM < 1e-6) and the jitted JAX gradient; release a fixed parameter with ``m.fixed["name"] = False``.

    Examples:
        >>> from cevnsjax.model import FunctionModel
        >>> from cevnsjax.parameters import Parameter, ParameterSet
        >>> ps = ParameterSet([Parameter("x", 0.0, free=True), Parameter("y", 1.0, lower=0.0)])
        >>> m = to_minuit(FunctionModel(lambda p: (p["x"] - p["y"]) ** 2 / 0.25, ps))
        >>> m.migrad().valid, round(m.values["x"], 6), round(m.errors["x"], 6), m.fixed["y"]
        (True, 1.0, 0.5, True)
    """
    from iminuit import Minuit

    chosen = build(model, free, fixed, start, constraints)
    ps = model.parameters
    every = build(model, list(ps), None, chosen.base, chosen.constraints)
    f = compiled(every, "chi2", lambda o: jax.jit(o.chi2))
    g = compiled(every, "grad", lambda o: jax.jit(jax.grad(o.chi2, argnums=1)))
    inputs = every.inputs

    def chi2(x):
        return float(f(inputs, jnp.asarray(x, dtype=float)))

    def grad(x):
        return np.asarray(g(inputs, jnp.asarray(x, dtype=float)))

    m = Minuit(chi2, every.x0, grad=grad, name=every.free)
    m.errordef = Minuit.LEAST_SQUARES
    m.tol = 1e-6 / 0.002  # MIGRAD stops at EDM < 0.002 tol errordef = 1e-6, cj.fit's tolerance
    m.limits = [
        (lo if math.isfinite(lo) else None, hi if math.isfinite(hi) else None)
        for lo, hi in zip(every.lower, every.upper)
    ]
    for name in every.free:
        m.fixed[name] = name not in chosen.free
    return m


@dataclasses.dataclass(frozen=True)
class PyhfExport:
    """A HistFactory workspace of a model and the map between its parameters and ours.

    Attributes:
        workspace: the pyhf JSON workspace (one channel, the bins flattened in C order).
        point: the model point the templates were computed at (physics values, fixed nuisances).
        modifiers: ``our name -> (pyhf name, kind)``; kind ``"normfactor"``, ``"lumi"``
            (value = ours), ``"pull"`` (value = ``(ours - mean) / sigma``).
        constraints: ``our name -> (mean, sigma)`` of the pulls and of the lumi parameter.
    """

    workspace: dict
    point: dict[str, float]
    modifiers: dict[str, tuple[str, str]]
    constraints: dict[str, tuple[float, float]]

    def model(self):
        """The ``pyhf.Model`` (with :data:`PYHF_MODIFIER_SETTINGS`) and the observed data."""
        import pyhf

        ws = pyhf.Workspace(self.workspace)
        model = ws.model(modifier_settings=PYHF_MODIFIER_SETTINGS)
        return model, ws.data(model)

    def pars(self, pyhf_model, values: Mapping[str, float] | None = None) -> np.ndarray:
        """pyhf parameter vector for our ``values`` (missing ones at the export point)."""
        values = {**self.point, **dict(values or {})}
        out = np.asarray(pyhf_model.config.suggested_init(), dtype=float)
        for ours, (theirs, kind) in self.modifiers.items():
            v = float(values[ours])
            if kind == "pull":
                mean, sigma = self.constraints[ours]
                v = (v - mean) / sigma
            out[pyhf_model.config.par_slice(theirs)] = v
        return out

    def to_json(self, path: str | None = None) -> str:
        """The workspace as JSON text (written to ``path`` when given): ``pyhf cls path``."""
        text = json.dumps(self.workspace, indent=1)
        if path is not None:
            with open(path, "w") as f:
                f.write(text)
        return text


def to_pyhf(
    model: Model,
    fixed: Mapping[str, float] | None = None,
    *,
    poi: str | None = None,
    free: Iterable[str] | str | None = None,
    channel: str | None = None,
) -> PyhfExport:
    """Export a binned Poisson experiment as a pyhf (HistFactory) workspace.

    Args:
        model: an experiment with a :class:`~cevnsjax.likelihood.Poisson` likelihood.
        fixed: values of parameters held fixed (physics parameters stay at their defaults
            unless given here; nuisances given here leave the workspace).
        poi: the parameter of interest, an unconstrained normalisation (default ``mu_cevns``).
        free: nuisances besides the model's default free set (and the poi).
        channel: channel name (default: the model's name).

    Returns:
        The :class:`PyhfExport` (workspace, parameter map); ``export.model()`` builds the
        ``pyhf.Model`` with the settings it needs.

    Raises:
        ValueError: not a binned Poisson experiment, or a nuisance HistFactory cannot represent
            (named, with the advice to fix it).
    """
    if not isinstance(getattr(model, "likelihood", None), Poisson) or not hasattr(model, "expected"):
        raise ValueError(f"{model.name} is not a binned Poisson experiment; pyhf export needs one")
    ps = model.parameters
    poi = poi or ("mu_cevns" if "mu_cevns" in ps else None)
    if poi is None:
        raise ValueError(f"give poi=...; parameters: {', '.join(ps)}")
    obj = build(model, [*([] if free is None else [free] if isinstance(free, str) else free), poi], fixed)
    nuisances = list(obj.free)
    point = dict(obj.base)
    run = compiled(obj, "expected", lambda o: jax.jit(lambda leaves, p: o.rebuild(leaves).expected(p)))

    def expected(values: Mapping[str, float]) -> dict[str, np.ndarray]:
        p = {n: jnp.asarray(float(v)) for n, v in {**point, **values}.items()}
        return {k: np.ravel(np.asarray(v, dtype=float)) for k, v in run(obj.leaves, p).items()}

    def prior(name):
        c = ps[name].constraint
        return None if c is None else (float(c[0]), float(c[1]))

    nominal_at = {n: prior(n)[0] if prior(n) else point[n] for n in nuisances}
    base = expected(nominal_at)
    kinds, effects = {}, {}
    for n in nuisances:
        x0 = nominal_at[n]
        step = prior(n)[1] if prior(n) else 0.1
        moved = expected({**nominal_at, n: x0 + step})
        hit = [c for c in base if not np.allclose(moved[c], base[c], rtol=1e-13, atol=0.0)]
        scaled = x0 != 0 and all(np.allclose(moved[c], base[c] * (x0 + step) / x0, rtol=1e-11, atol=0.0) for c in hit)
        effects[n] = hit
        kinds[n] = "norm" if scaled else "shape"
    touched = {c: [n for n in nuisances if c in effects[n]] for c in base}
    samples = {c: [] for c in base}
    modifiers, constraints, config = {}, {}, []
    lumi_used = None
    for n in nuisances:
        pr = prior(n)
        bounds = [ps[n].lower, ps[n].upper]
        if not effects[n]:
            continue
        if kinds[n] == "norm" and pr is None and nominal_at[n] == 1.0:
            for c in effects[n]:
                samples[c].append({"name": n, "type": "normfactor", "data": None})
            modifiers[n] = (n, "normfactor")
            config.append({"name": n, "bounds": [bounds], "inits": [1.0]})
        elif kinds[n] == "norm" and pr is not None and pr[0] == 1.0 and all(touched[c] == [n] for c in effects[n]):
            mean, sigma = pr
            for c in effects[n]:
                hi, lo = base[c] * (1 + sigma), base[c] * (1 - sigma)
                samples[c].append(
                    {"name": n, "type": "histosys", "data": {"hi_data": hi.tolist(), "lo_data": lo.tolist()}}
                )
            _pull(n, pr, bounds, modifiers, constraints, config)
        elif kinds[n] == "norm" and pr is not None and pr[0] == 1.0 and lumi_used is None:
            lumi_used = n
            for c in effects[n]:
                samples[c].append({"name": "lumi", "type": "lumi", "data": None})
            modifiers[n] = ("lumi", "lumi")
            constraints[n] = pr
            config.append({"name": "lumi", "auxdata": [pr[0]], "sigmas": [pr[1]], "bounds": [bounds], "inits": [1.0]})
        elif kinds[n] == "shape" and pr is not None:
            mean, sigma = pr
            up, down = expected({**nominal_at, n: mean + sigma}), expected({**nominal_at, n: mean - sigma})
            for c in effects[n]:
                samples[c].append(
                    {"name": n, "type": "histosys", "data": {"hi_data": up[c].tolist(), "lo_data": down[c].tolist()}}
                )
            _pull(n, pr, bounds, modifiers, constraints, config)
        else:
            why = (
                "changes the spectral shape without a Gaussian prior"
                if kinds[n] == "shape"
                else "is a normalisation HistFactory has no modifier for (a second constrained one of shaped "
                "components, or one whose nominal value is not 1)"
            )
            raise ValueError(f"{n} {why}; HistFactory cannot represent it: fix it (fixed={{'{n}': value}})")
    channel = channel or model.name
    export = PyhfExport(
        workspace={
            "channels": [
                {
                    "name": channel,
                    "samples": [{"name": c, "data": base[c].tolist(), "modifiers": samples[c]} for c in base],
                }
            ],
            "observations": [{"name": channel, "data": [float(x) for x in np.ravel(np.asarray(model.data))]}],
            "measurements": [{"name": f"{model.name}_{poi}", "config": {"poi": poi, "parameters": config}}],
            "version": "1.0.0",
        },
        point={n: float(v) for n, v in point.items()},
        modifiers=modifiers,
        constraints=constraints,
    )
    for n in modifiers:  # one nuisance at a time names the culprit, then all together
        _check(export, expected, nominal_at, base, [n])
    _check(export, expected, nominal_at, base, list(modifiers))
    return export


def _pull(name, prior, bounds, modifiers, constraints, config) -> None:
    mean, sigma = prior
    modifiers[name] = (name, "pull")
    constraints[name] = prior
    pulls = [(b - mean) / sigma if math.isfinite(b) else (-10.0 if i == 0 else 10.0) for i, b in enumerate(bounds)]
    config.append({"name": name, "bounds": [[max(pulls[0], -10.0), min(pulls[1], 10.0)]], "inits": [0.0]})


def _histosys(alpha: float, nom, hi, lo):
    """HistFactory's interpolation code2 (quadratic inside |alpha| <= 1, linear outside)."""
    a, b = 0.5 * (hi + lo) - nom, 0.5 * (hi - lo)
    if alpha > 1:
        return (b + 2 * a) * (alpha - 1) + hi - nom
    if alpha < -1:
        return (b - 2 * a) * (alpha + 1) + lo - nom
    return a * alpha**2 + b * alpha


def _check(export: PyhfExport, expected, nominal_at, base, moved: list[str]) -> None:
    """The HistFactory expectation reproduces the model with the ``moved`` nuisances away from nominal."""
    values = {}
    for i, n in enumerate(moved):
        alpha = (0.63, -1.37, 1.71, -0.29)[i % 4]
        if export.modifiers[n][1] == "pull":
            mean, sigma = export.constraints[n]
            values[n] = mean + alpha * sigma
        else:
            values[n] = nominal_at[n] * (1 + 0.1 * alpha)
    ours = expected({**nominal_at, **values})
    theirs = {pyhf_name: n for n, (pyhf_name, _) in export.modifiers.items()}
    for sample in export.workspace["channels"][0]["samples"]:
        nom = np.asarray(sample["data"])
        rate, factor = nom.copy(), 1.0
        for mod in sample["modifiers"]:
            n = theirs[mod["name"]]
            value = values.get(n, nominal_at[n])
            if mod["type"] == "histosys":
                mean, sigma = export.constraints[n]
                hi, lo = np.asarray(mod["data"]["hi_data"]), np.asarray(mod["data"]["lo_data"])
                rate += _histosys((value - mean) / sigma, nom, hi, lo)
            else:
                factor *= value
        scale = max(1.0, float(np.max(np.abs(nom))))
        if not np.allclose(factor * rate, ours[sample["name"]], rtol=1e-9, atol=1e-12 * scale):
            raise ValueError(
                f"the HistFactory model of component '{sample['name']}' does not reproduce ours when "
                f"{', '.join(moved)} move{'s' if len(moved) == 1 else ''}: not a histosys morphing; "
                f"fix {'it' if len(moved) == 1 else 'them'} (fixed={{'{moved[0]}': value}})"
            )
