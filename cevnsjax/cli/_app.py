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


class _Group(LazyGroup):
    """The root group: click's own refusals (bad types, choices, paths) follow the error contract too.

    Every error is one line ``error: ...`` on stderr, exit code 2, and with ``--json`` also
    ``{"error": ...}`` as the last stdout line; an unexpected exception is reported the same way
    (as an internal error to report), never as a traceback.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        try:
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.Abort:
            _fail("interrupted", "--json" in argv, code=130)
        except click.exceptions.NoArgsIsHelpError as err:  # a bare group: its help, as click prints it
            err.show()
            sys.exit(err.exit_code)
        except click.ClickException as err:
            where = f" (see '{err.ctx.command_path} --help')" if getattr(err, "ctx", None) else ""
            _fail(err.format_message().replace("\n", " ") + where, "--json" in argv, code=err.exit_code)
        except Exception as err:  # the contract: no traceback reaches a user
            _fail(f"internal error ({type(err).__name__}: {err}); please report it", "--json" in argv, code=3)
        if standalone_mode:  # like click's standalone mode: a finished command exits 0
            sys.exit(0)
        return result


def _fail(message: str, as_json: bool, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    if as_json:
        click.echo(json.dumps({"error": message}))
    sys.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
    """Turn user errors (bad values, unreadable files) into one line on stderr, exit 2, and ``{"error": ...}`` with --json."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (ValueError, KeyError, OSError, RuntimeError, FloatingPointError) as err:
            msg = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
            _fail(str(msg).replace("\n", " "), bool(kwargs.get("as_json")))

    return wrapper
