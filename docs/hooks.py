"""mkdocs hooks: pages generated from the code, and the notebooks as tutorials.

* ``docs/experiments.md``: the ``<!-- experiments -->`` marker becomes one section per experiment
  (options, parameters, data, papers) from the experiment table (``cevnsjax.info``), which
  ``tests/test_info.py`` checks against the registry.
* ``docs/cli.md``: the ``<!-- cli -->`` marker becomes the ``--help`` text of every command.

The notebooks are ``docs/tutorials`` (a link to ``notebooks/``), rendered by mkdocs-jupyter from
their committed outputs, not executed.
"""

from __future__ import annotations


def on_page_markdown(markdown, page, config, files):
    if "<!-- experiments -->" in markdown:
        markdown = markdown.replace("<!-- experiments -->", _experiments())
    if "<!-- cli -->" in markdown:
        markdown = markdown.replace("<!-- cli -->", _cli())
    return markdown


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _experiments() -> str:
    from cevnsjax._info import table

    out = []
    for name, e in sorted(table().items()):
        out += [f"## `{name}`", "", f"{e.summary}.", ""]
        out.append(f"Papers: {', '.join(e.papers) or 'none cited'}. ")
        if e.data:
            out.append(
                "Data: "
                + "; ".join(f"release `{d['release']}` ({d['source']}, {len(d['files'])} files)" for d in e.data)
                + "."
            )
        else:
            out.append("Data: none read (Asimov data).")
        out += ["", "| option | default | choices or type | meaning |", "| --- | --- | --- | --- |"]
        for key, o in e.options.items():
            allowed = " \\| ".join(f"`{c}`" for c in o["choices"]) if o["choices"] else o["type"]
            out.append(f"| `{key}` | `{o['default']}` | {allowed} | {_md(o['doc'])} |")
        out += ["", "| parameter | default | unit | bounds | prior (mean, sigma) | free | meaning |"]
        out.append("| --- | --- | --- | --- | --- | --- | --- |")
        hidden = [p["name"] for p in e.parameters if p["sm"]]
        for p in e.parameters:
            if p["sm"]:
                continue
            lo = "-inf" if p["lower"] is None else f"{p['lower']:g}"
            hi = "inf" if p["upper"] is None else f"{p['upper']:g}"
            prior = "" if p["prior"] is None else f"{p['prior'][0]:g}, {p['prior'][1]:g}"
            out.append(
                f"| `{p['name']}` | {p['default']:g} | {p['unit']} | [{lo}, {hi}] | {prior} | "
                f"{'yes' if p['free'] else ''} | {_md(p['doc'])} |"
            )
        out += [
            "",
            f"Beyond-SM parameters at their SM values ({len(hidden)}): {', '.join(f'`{n}`' for n in hidden)}.",
            "",
        ]
    return "\n".join(out)


def _cli() -> str:
    import click

    from cevnsjax.cli import main

    out = []
    ctx = click.Context(main, info_name="cevnsjax")
    out += ["## `cevnsjax`", "", "```text", main.get_help(ctx), "```", ""]
    for name in main.list_commands(ctx):
        cmd = main.get_command(ctx, name)
        commands = [(name, cmd)]
        if isinstance(cmd, click.Group):
            commands += [(f"{name} {sub}", cmd.get_command(ctx, sub)) for sub in cmd.list_commands(ctx)]
        for full, c in commands:
            sub = click.Context(c, info_name=f"cevnsjax {full}", parent=None)
            out += [f"## `cevnsjax {full}`", "", "```text", c.get_help(sub), "```", ""]
    return "\n".join(out)
