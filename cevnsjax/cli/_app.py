"""The root click group and the shared output helpers (JSON last line, errors)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from functools import wraps

import click
import numpy as np

from ._lazy import LazyGroup


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cevnsjax")
def main():
    """cevnsjax: differentiable CEvNS likelihoods (couplings, data, fits, profiles, scans, NUTS)."""


def to_jsonable(obj):
    """Convert arrays / numpy scalars / nested containers to plain JSON types (NaN/inf -> null)."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):
        return to_jsonable(np.asarray(obj).tolist())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    return obj


def emit_json(obj) -> None:
    """Print ``obj`` as one JSON object on the last line of stdout."""
    click.echo(json.dumps(to_jsonable(obj)))


def handle_errors(func: Callable) -> Callable:
    """Turn user errors into a one-line stderr message, exit 2, and ``{"error": ...}`` with --json."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (ValueError, KeyError, FileNotFoundError, RuntimeError) as err:
            msg = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
            click.echo(f"error: {msg}", err=True)
            if kwargs.get("as_json"):
                click.echo(json.dumps({"error": str(msg)}))
            sys.exit(2)

    return wrapper
