"""Experiment figures: binned spectra of the fitted components over the data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def stacked_spectrum(edges, components: dict, data, data_err, *, xlabel: str, title: str, path: str) -> None:
    """Stacked histogram of ``components`` (name -> counts per bin) with data points, saved as PNG."""
    edges = np.asarray(edges)
    centres = 0.5 * (edges[1:] + edges[:-1])
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    bottom = np.zeros(len(centres))
    for name, counts in components.items():
        counts = np.asarray(counts)
        ax.stairs(bottom + counts, edges, baseline=bottom, fill=True, alpha=0.6, label=name)
        bottom = bottom + counts
    ax.stairs(bottom, edges, color="k", lw=1.2, label="total")
    ax.errorbar(centres, data, yerr=data_err, fmt="o", color="k", ms=4, label="data")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("events / bin")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
