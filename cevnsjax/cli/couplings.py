"""``cevnsjax couplings``: the SM neutral-current couplings and neutrino charge radii of a preset."""

from __future__ import annotations

import click

from ..constants import FLAVOURS, PRESETS, preset
from ..physics import couplings as cp
from ._app import emit_json, handle_errors, main


def coupling_table(preset_name: str, zz_boxes: bool) -> dict:
    """The couplings of a preset as plain floats (the JSON contract of CLI.md)."""
    c = preset(preset_name)
    gvp = cp.gvp(c, zz_boxes=zz_boxes)
    r2 = cp.r2_sm(c)
    return {
        "preset": c.name,
        "zz_boxes": zz_boxes,
        "gVp": {f: float(gvp[i]) for i, f in enumerate(FLAVOURS)},
        "gVn": float(cp.gvn(c, zz_boxes=zz_boxes)),
        "gVp_no_radius": float(cp.gvp_no_radius(c, zz_boxes=zz_boxes)),
        "r2_sm_cm2": {f: float(r2[i]) for i, f in enumerate(FLAVOURS)},
        "radius_to_coupling_cm-2": cp.radius_to_coupling(c),
    }


@main.command()
@click.option("--preset", "preset_name", type=click.Choice(sorted(PRESETS)), default="pdg2022", show_default=True)
@click.option("--no-zz-boxes", is_flag=True, help="Omit the ZZ box corrections (as arXiv:2005.01645).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object as the last stdout line.")
@handle_errors
def couplings(preset_name: str, no_zz_boxes: bool, as_json: bool):
    """Radiatively corrected g_V^p(nu_l), g_V^n and SM neutrino charge radii."""
    t = coupling_table(preset_name, not no_zz_boxes)
    if as_json:
        emit_json(t)
        return
    click.echo(f"preset {t['preset']}, ZZ boxes {'on' if t['zz_boxes'] else 'off'}")
    click.echo(f"{'flavour':<8} {'g_V^p':>9} {'<r^2>_SM [1e-32 cm^2]':>24}")
    for f in FLAVOURS:
        click.echo(f"{f:<8} {t['gVp'][f]:>9.4f} {t['r2_sm_cm2'][f] / 1e-32:>24.3f}")
    click.echo(f"g_V^n = {t['gVn']:.4f}")
    click.echo(f"g~_V^p (no charge-radius term) = {t['gVp_no_radius']:.4f}")
    click.echo(f"sqrt2 pi alpha/(3 G_F) = {t['radius_to_coupling_cm-2']:.3e} cm^-2")
