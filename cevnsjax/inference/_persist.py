"""Saving and loading results: ``to_dict``, ``to_json``, :func:`load`, exact to the last bit.

Every result class mixes in :class:`Persistent`, which serialises the dataclass fields
generically (a field added to a result class is saved and loaded without further code):

* finite floats as JSON numbers (Python writes the shortest repr that reads back to the
  same double, so they round-trip exactly); non-finite ones as ``{"__float__": "nan"}``
  (``"inf"``, ``"-inf"``; a NaN with a non-default bit pattern keeps its bits as hex);
* arrays as ``{"__ndarray__": {"dtype", "shape", "data"}}`` with the flat values in the
  same way (non-finite elements as the strings ``"nan"``, ``"inf"``, ``"-inf"``);
* tuples as ``{"__tuple__": [...]}``, nested result classes (the global fit of a profile,
  a :class:`~cevnsjax.inference.NamedMatrix`) as ``{"__type__": name, "fields": {...}}``.

The JSON object carries, besides the ``result`` fields, what the run was about: ``type``,
the library ``version``, the ``experiments`` and their build ``options``, the model's
``parameters`` (unit, bounds, default, label, kind, prior) and the call's ``settings``
(:func:`attach`, called by every engine).  Objects that cannot be saved (the
``iminuit.Minuit`` of a fit, the numpyro ``MCMC`` of a sample) are attributes outside the
fields and are not written.

Examples:
    >>> from cevnsjax.inference import NamedMatrix
    >>> import numpy as np
    >>> m = NamedMatrix(("a",), np.array([[float("nan")]]))
    >>> back = load(m.to_json())
    >>> back.names, np.isnan(back.array[0, 0])
    (('a',), np.True_)
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import struct
import tempfile
from collections.abc import Mapping
from importlib import metadata as _metadata
from pathlib import Path

import numpy as np

FORMAT = "cevnsjax-result"
FORMAT_VERSION = 1

#: Result classes by name (filled by :class:`Persistent` subclasses).
TYPES: dict[str, type] = {}

_NAN_BITS = struct.unpack("<Q", struct.pack("<d", float("nan")))[0]


@functools.cache
def library_version() -> str:
    """The installed cevnsjax version (``"unknown"`` when it is not installed)."""
    try:
        return _metadata.version("cevnsjax")
    except _metadata.PackageNotFoundError:
        return "unknown"


class Persistent:
    """Mixin of the result dataclasses: ``to_dict``, ``to_json``, ``from_dict``, ``from_json``.

    Attributes outside the dataclass fields (``metadata``, a fit's ``minuit``) are set with
    :meth:`_attach` and are not compared or saved, except ``metadata``, which becomes the JSON's
    header.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        TYPES[cls.__name__] = cls

    @property
    def metadata(self) -> dict:
        """What the result is about: experiments, options, parameters, settings (see :func:`attach`)."""
        return self.__dict__.get("_metadata", {})

    def _attach(self, **attributes) -> None:
        """Set attributes outside the (frozen) fields: ``_metadata``, ``minuit``."""
        for name, value in attributes.items():
            object.__setattr__(self, name, value)

    def to_dict(self) -> dict:
        """The result as a JSON-ready dict (header plus ``result``: the encoded fields)."""
        return document(self)

    def to_json(self, path: str | os.PathLike | None = None) -> str:
        """The result as a JSON string; also written to ``path`` (atomically) when given."""
        text = json.dumps(document(self), allow_nan=False)
        if path is not None:
            write_atomic(path, text)
        return text

    @classmethod
    def from_dict(cls, data: Mapping):
        """Inverse of :meth:`to_dict` (``cls`` or, called on :class:`Persistent`, any result type)."""
        result = from_dict(data)
        if cls is not Persistent and not isinstance(result, cls):
            raise ValueError(f"the saved result is a {type(result).__name__}, not a {cls.__name__}")
        return result

    @classmethod
    def from_json(cls, source: str | os.PathLike):
        """Inverse of :meth:`to_json`: a path or the JSON text itself."""
        return cls.from_dict(read(source))


def document(result: Persistent) -> dict:
    """The JSON-ready dict of ``result``: header (type, version, metadata) and the encoded fields."""
    meta = result.metadata
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "type": type(result).__name__,
        "version": meta.get("version", library_version()),
        **encode({k: v for k, v in meta.items() if k != "version"}),
        "result": encode(_fields(result)),
    }


def _fields(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half a file)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read(source: str | os.PathLike | Mapping) -> dict:
    """The JSON object in ``source``: a dict, JSON text, or a file path."""
    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, str) and source.lstrip().startswith("{"):
        return json.loads(source)
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no result file '{path}'")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"'{path}' is not a JSON file ({err})") from None


def load(source: str | os.PathLike | Mapping):
    """A saved result (fit, profile, scan, sample, ...) from a file, JSON text or dict.

    Args:
        source: path of a file written by ``to_json(path)`` or ``--output``, the JSON text,
            or the dict of ``to_dict()``.

    Returns:
        The result object, equal field by field (to the last bit) to the saved one, with
        its ``metadata`` (experiments, options, version, parameters, settings).

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a cevnsjax result, an unknown result type, or a partial file of an
            interrupted run (continue that with ``--resume``).
    """
    return from_dict(read(source))


def from_dict(data: Mapping):
    """The result of a :meth:`Persistent.to_dict` dict (see :func:`load`)."""
    if data.get("format") != FORMAT:
        raise ValueError("not a cevnsjax result: the JSON has no 'format': 'cevnsjax-result' entry")
    if data.get("partial"):
        done = data.get("progress", {})
        raise ValueError(
            f"this is the partial file of an interrupted {data.get('type', 'run')} "
            f"({done.get('done', '?')} of {done.get('total', '?')} chunks done); continue it with --resume"
        )
    from . import _result  # noqa: F401  (defines the result types)

    kind = data.get("type")
    if kind not in TYPES:
        raise ValueError(f"unknown result type '{kind}'; known types: {', '.join(sorted(TYPES))}")
    result = _build(TYPES[kind], data["result"])
    header = ("format", "format_version", "type", "result")
    meta = decode({k: v for k, v in data.items() if k not in header})
    result._attach(_metadata=meta)
    return result


def _build(cls, encoded: Mapping):
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {k: decode(v) for k, v in encoded.items() if k in fields}
    missing = [n for n, f in fields.items() if n not in values and _required(f)]
    if missing:
        raise ValueError(f"the saved {cls.__name__} lacks the field(s) {', '.join(missing)}")
    return cls(**values)


def _required(field: dataclasses.Field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _float(x: float):
    if math.isfinite(x):
        return x
    if math.isnan(x):
        bits = struct.unpack("<Q", struct.pack("<d", x))[0]
        return {"__float__": "nan" if bits == _NAN_BITS else f"nan:{bits:#018x}"}
    return {"__float__": "inf" if x > 0 else "-inf"}


def _unfloat(text: str) -> float:
    if text.startswith("nan:"):
        return struct.unpack("<d", struct.pack("<Q", int(text[4:], 16)))[0]
    return float(text)


def _array(a: np.ndarray) -> dict:
    if a.dtype.kind not in "biuf":
        raise TypeError(f"cannot save an array of dtype {a.dtype}")
    flat = a.ravel()
    data = flat.tolist()
    if a.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(flat))
        if bad.size:
            canonical = np.array(np.nan, dtype=a.dtype).view(f"u{a.dtype.itemsize}")
            bits = flat.view(f"u{a.dtype.itemsize}")
            for i in bad:
                x = flat[i]
                if np.isnan(x):
                    data[i] = "nan" if bits[i] == canonical else f"nan:{int(bits[i]):#x}"
                else:
                    data[i] = "inf" if x > 0 else "-inf"
    return {"__ndarray__": {"dtype": a.dtype.str, "shape": list(a.shape), "data": data}}


def _unarray(spec: Mapping) -> np.ndarray:
    dtype = np.dtype(spec["dtype"])
    data = spec["data"]
    if dtype.kind == "f" and any(isinstance(x, str) for x in data):
        values = np.array([0.0 if isinstance(x, str) else x for x in data], dtype=dtype)
        bits = values.view(f"u{dtype.itemsize}")
        for i, x in enumerate(data):
            if isinstance(x, str):
                if x.startswith("nan:"):
                    bits[i] = int(x[4:], 16)
                else:
                    values[i] = float(x)
        return values.reshape(spec["shape"])
    return np.array(data, dtype=dtype).reshape(spec["shape"])


def encode(obj):
    """``obj`` as JSON-ready values that :func:`decode` turns back into equal objects."""
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return _float(float(obj))
    if type(obj).__name__ in TYPES and dataclasses.is_dataclass(obj):
        return {"__type__": type(obj).__name__, "fields": encode(_fields(obj))}
    if isinstance(obj, Mapping):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str):
                raise TypeError(f"cannot save a mapping with the non-string key {k!r}")
            out[k] = encode(v)
        return out
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(v) for v in obj]}
    if isinstance(obj, list):
        return [encode(v) for v in obj]
    if isinstance(obj, np.ndarray) or hasattr(obj, "__array__"):
        return _array(np.asarray(obj))
    raise TypeError(f"cannot save a {type(obj).__name__}")


def decode(obj):
    """Inverse of :func:`encode`."""
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if len(obj) == 1:
        ((key, value),) = obj.items()
        if key == "__float__":
            return _unfloat(value)
        if key == "__tuple__":
            return tuple(decode(v) for v in value)
        if key == "__ndarray__":
            return _unarray(value)
    if set(obj) == {"__type__", "fields"}:
        if obj["__type__"] not in TYPES:
            raise ValueError(f"unknown saved type '{obj['__type__']}'")
        return _build(TYPES[obj["__type__"]], obj["fields"])
    return {k: decode(v) for k, v in obj.items()}


def describe(model) -> dict:
    """``experiments``, ``options`` and ``parameters`` of a model (the header of a saved result).

    Options are those given to :func:`cevnsjax.experiment` (remembered on the model it
    built); a combination lists each of its experiments.
    """
    parts = list(getattr(model, "models", None) or [model])
    ps = model.parameters
    return {
        "model": model.name,
        "experiments": [m.name for m in parts],
        "options": {m.name: dict(getattr(m, "build_options", {})) for m in parts},
        "parameters": {
            n: {
                "unit": p.unit,
                "lower": p.lower,
                "upper": p.upper,
                "default": p.default,
                "label": p.label,
                "kind": p.kind,
                "constraint": None if p.constraint is None else list(p.constraint),
                "free": p.free,
            }
            for n, p in ps.items()
        },
    }


def attach(result, model, **settings):
    """Record on ``result`` what it is about (:func:`describe`, the version, the call's settings).

    Args:
        result: a :class:`Persistent` result.
        model: the model it was computed from.
        settings: the call's choices (free, fixed, start, constraints, engine, ...); mappings and
            arrays are copied.

    Returns:
        ``result`` itself.
    """
    clean = {k: decode(encode(_plain(v))) for k, v in settings.items()}
    result._attach(_metadata={"version": library_version(), **describe(model), "settings": clean})
    return result


def _plain(value):
    if value is None or isinstance(value, (str, bool, int, float, np.ndarray)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return np.asarray(value)
