"""The release command: a citable, versioned release of the dataset."""

from __future__ import annotations

from pathlib import Path

import click

import coldwar_lod as api

from .app import Context, handle_errors, main


@main.command("release")
@click.argument("version")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path(),
              show_default=True, help="Project folder: the release goes to ROOT/releases/"
              "VERSION/; ROOT/CHANGELOG.md, and CITATION.cff and .zenodo.json (from "
              "ROOT/citation.toml) are rewritten.")
@click.option("--date", metavar="YYYY-MM-DD", help="Release date [default: from "
              "SOURCE_DATE_EPOCH if set, else today (UTC)].")
@click.pass_obj
@handle_errors
def release_cmd(ctx: Context, version: str, root: Path, date: str | None) -> None:
    """Build the dataset and write release VERSION (a semantic version above the last).

    Every dump (and its gzip), SHA256SUMS, VoID/DCAT, the RDF Patch from the last release and
    the changelog, all or nothing. Exit 1 if the data does not conform, 2 for a bad, existing
    or lower version, a bad date, bad records or an unwritable folder (nothing is written).
    """
    done = api.make_release(version, root, data=ctx.data, base=ctx.base, date=date,
                        validator=ctx.validator)
    click.echo("\n".join(done.report()))
