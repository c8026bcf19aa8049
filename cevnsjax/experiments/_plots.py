"""Experiment figures: binned spectra of the fitted components over the data.

Figures are plain :class:`matplotlib.figure.Figure` objects written to files, without pyplot,
so that importing an experiment never changes the user's matplotlib backend (and matplotlib is
imported only when a figure is drawn).
"""

from __future__ import annotations

import numpy as np

#: Legend labels of the expected-count components (other names are shown with spaces for underscores).
LABELS = {
    "cevns": "CEvNS",
    "ss": "steady state",
    "brn": "BRN",
    "brn_prompt": "BRN prompt",
    "brn_delayed": "BRN delayed",
    "nin": "NIN",
    "es": r"$\nu$-e scattering",
    "ec_lines": "EC lines",
}


def label(name: str) -> str:
    """Legend label of a component."""
    return LABELS.get(name, name.replace("_", " "))


def stacked_spectrum(edges, components: dict, data, data_err, *, xlabel: str, title: str, path: str) -> None:
    """Stacked histogram of ``components`` (name -> counts per bin) with data points, saved as PNG."""
    edges = np.asarray(edges)
    centres = 0.5 * (edges[1:] + edges[:-1])
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.subplots()
    bottom = np.zeros(len(centres))
    for name, counts in components.items():
        counts = np.asarray(counts)
        ax.stairs(bottom + counts, edges, baseline=bottom, fill=True, alpha=0.6, label=label(name))
        bottom = bottom + counts
    ax.stairs(bottom, edges, color="k", lw=1.2, label="total")
    ax.errorbar(centres, data, yerr=data_err, fmt="o", color="k", ms=4, label="data")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("events / bin")
    ax.set_title(title)
    ax.legend()
    fig.savefig(path, dpi=120)
