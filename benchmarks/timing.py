"""Timing helpers: steady-state medians, and JAX compile time measured from JAX's own events.

JAX reports every tracing (``jaxpr_trace_duration``), lowering (``jaxpr_to_mlir_module_duration``)
and XLA compilation (``backend_compile_duration``) as a time span through
``jax.monitoring``.  The union of those spans during a call is its compile time; the
rest of the wall time is run time.  This separates the two even for calls that trace and
compile internally on every call (``cj.fit``, ``cj.profile``, ``cj.scan``, ``cj.sample``).
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator

import jax

COMPILE_EVENTS = frozenset(
    {
        "/jax/core/compile/jaxpr_trace_duration",
        "/jax/core/compile/jaxpr_to_mlir_module_duration",
        "/jax/core/compile/backend_compile_duration",
    }
)

_recorders: list[list[tuple[float, float]]] = []


def _listener(event: str, start: float, end: float, **_) -> None:
    if event in COMPILE_EVENTS:
        for spans in _recorders:
            spans.append((start, end))


jax.monitoring.register_event_time_span_listener(_listener)


def union_length(spans: list[tuple[float, float]]) -> float:
    """Total length of a union of intervals (nested traces are counted once)."""
    total, end = 0.0, -float("inf")
    for s, e in sorted(spans):
        if e > end:
            total += e - max(s, end)
            end = e
    return total


class Clock:
    """Wall time and compile time of the code run inside ``with measure() as clock``."""

    wall: float = 0.0
    compile: float = 0.0

    @property
    def run(self) -> float:
        return max(self.wall - self.compile, 0.0)


@contextlib.contextmanager
def measure() -> Iterator[Clock]:
    """Measure the wall and compile time of a block (block on JAX results inside it)."""
    clock, spans = Clock(), []
    _recorders.append(spans)
    start = time.perf_counter()
    try:
        yield clock
    finally:
        clock.wall = time.perf_counter() - start
        _recorders.remove(spans)
        clock.compile = min(union_length(spans), clock.wall)


def time_jitted(fn: Callable, *args, repeats: int, warmup_s: float = 0.5) -> dict[str, float]:
    """A jitted function: compile time of its first call, median wall time of ``repeats`` later calls.

    Between the two, untimed warm-up calls (up to ``repeats // 2`` of them, for at most ``warmup_s``
    seconds) let caches and the CPU clock settle, as timeit-style benchmarks do.

    Returns:
        ``{"cevnsjax_s": median run, "best_s": fastest run, "compile_s": first-call compile,
        "first_call_s": first-call wall}``.
    """
    with measure() as first:
        jax.block_until_ready(fn(*args))
    start = time.perf_counter()
    for _ in range(repeats // 2):
        jax.block_until_ready(fn(*args))
        if time.perf_counter() - start > warmup_s:
            break
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - start)
    return {
        "cevnsjax_s": statistics.median(times),
        "best_s": min(times),
        "compile_s": first.compile,
        "first_call_s": first.wall,
    }


def time_api(fn: Callable, repeats: int):
    """A library call (cj.fit, cj.profile, ...): the first call compiles, later ones may reuse it.

    Returns:
        ``(timings, last result)`` with timings ``{"cevnsjax_s", "compile_s", "api_wall_s",
        "first_call_s"}``: the median of (wall - compile), the first call's compile time, the
        median wall time of the calls after the first (all calls if only one), and the first
        call's wall time.
    """
    clocks, out = [], None
    for _ in range(repeats):
        with measure() as clock:
            out = jax.block_until_ready(fn())
        clocks.append(clock)
    later = clocks[1:] or clocks
    return {
        "cevnsjax_s": statistics.median(c.run for c in clocks),
        "compile_s": clocks[0].compile,
        "api_wall_s": statistics.median(c.wall for c in later),
        "first_call_s": clocks[0].wall,
    }, out


def time_python(fn: Callable, repeats: int):
    """Median wall time of a plain Python call and its last result."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out
