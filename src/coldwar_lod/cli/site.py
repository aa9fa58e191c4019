"""The site commands: write the static site that publishes every IRI, and serve it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import coldwar_lod as api

from .. import errors
from .app import Context, handle_errors, main


@main.command("site")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("site"), show_default=True, help="Output folder.")
@click.option("--redirect-to", metavar="URL",
              help="Where the site is hosted, for the w3id.org .htaccess in OUT/_deploy.")
@click.pass_obj
@handle_errors
def site_cmd(ctx: Context, out: Path, redirect_to: str | None) -> None:
    """Build the dataset and write the site that publishes it (a page and four RDF documents
    per IRI; Apache and w3id.org configurations in OUT/_deploy) to OUT, all at once.

    Exit 0 written, 1 the data does not conform, 2 bad records or OUT unwritable.
    """
    report = api.build_site(out, ctx.data, ctx.base, ctx.validator, redirect_to)
    for line in report.lines():
        click.echo(line, err=not report.conforms)
    if not report.conforms:
        sys.exit(errors.EXIT_VIOLATIONS)


@main.command("serve")
@click.argument("directory", default="site",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("-v", "--verbose", is_flag=True, help="Log every request.")
@handle_errors
def serve_cmd(directory: Path, port: int, verbose: bool) -> None:
    """Serve the site in DIRECTORY on 127.0.0.1 with content negotiation (Ctrl-C stops).
    Exit 2 if DIRECTORY is not a site or the port is in use."""
    server = api.make_server(directory, port, verbose=verbose)
    bound = server.server_address[1]
    click.echo(f"serving {directory} at http://127.0.0.1:{bound}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()
