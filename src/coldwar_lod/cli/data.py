"""Commands on the dataset: build, validate, export, stats, unlinked, locate."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

import coldwar_lod as api

from .. import errors
from .app import Context, _build, _stop_unless_conforms, handle_errors, main


@main.command("build")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("dist"), show_default=True, help="Output folder.")
@click.pass_obj
@handle_errors
def build_cmd(ctx: Context, out: Path) -> None:
    """Read data/, map to RDF, validate, and write the dataset to OUT.

    Nothing in OUT changes unless the build succeeds and the data conforms.
    """
    done = api.write_dataset(out, ctx.data, ctx.base, ctx.validator)
    result, report = done.build, done.report
    records = result.records
    folder = records.folder
    with contextlib.suppress(ValueError):  # shown as the user would type it, where it can be
        folder = folder.relative_to(Path.cwd())
    click.echo(f"read {len(records.entities) + len(records.claims)} records from {folder}")
    _stop_unless_conforms(report, result.space, f"{out}/ was left as it was.")
    for path, size in done.files.items():
        click.echo(f"wrote {path} ({size:,} bytes)")
    stats = api.count(records)
    click.echo(f"\n{len(result.triples):,} triples: {sum(stats.entities.values())} entities, "
               f"{stats.claims} claims ({stats.locators} locators), {stats.disagreements} "
               f"disagreements, {stats.wikidata_links} Wikidata links")
    if report.note:
        click.echo(f"({report.note})")
    click.echo(f"validation ({report.validator}): conforms, {len(report.warnings)} warning(s); "
               f"base {result.space.base}; {done.seconds:.2f} s")


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line.")
@click.pass_obj
@handle_errors
def validate_cmd(ctx: Context, files: tuple[Path, ...], quiet: bool) -> None:
    """Validate the dataset built from the records, or the RDF FILES given.

    Exit 0 if it conforms, 1 if there are violations, 2 on unreadable input.
    """
    if files:
        report = api.validate_files(files, ctx.data, ctx.base, ctx.validator)
    else:
        report = api.validate(_build(ctx), ctx.validator)
    text = report.text(api.IriSpace.from_base(ctx.base).prefixes())
    click.echo(text.splitlines()[0] if quiet else text)
    sys.exit(errors.EXIT_OK if report.conforms else errors.EXIT_VIOLATIONS)


@main.command("export")
@click.option("-f", "--format", "fmt", default="turtle", show_default=True,
              type=click.Choice(["turtle", "json-ld", "nt", "trig", "nquads", "rdfxml"]),
              help="RDF serialization.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (atomically); default standard output.")
@click.option("--bulk", nargs=2, metavar="STORE DIR",
              type=(click.Choice(["oxigraph", "virtuoso", "fuseki", "graphdb", "qlever"]),
                    click.Path(file_okay=False, path_type=Path)),
              help="Instead: write into DIR the files and load.sh script for STORE's own bulk "
                   "loader (the graph names `load` uses).")
@click.pass_obj
@handle_errors
def export_cmd(ctx: Context, fmt: str, output: Path | None,
               bulk: tuple[str, Path] | None) -> None:
    """Build, validate and write the dataset in one format (or, with --bulk, the files for a
    store's bulk loader)."""
    if bulk:
        store, folder = bulk
        outcome = api.export_bulk(store, folder, ctx.data, ctx.base, ctx.validator)
        _stop_unless_conforms(outcome.report, outcome.build.space, "nothing was written.")
        for path, size in outcome.files.items():
            click.echo(f"wrote {path} ({size:,} bytes)")
        click.echo(f"then run: {folder / 'load.sh'}")
        return
    done, content = api.export(fmt, output, ctx.data, ctx.base, ctx.validator)
    _stop_unless_conforms(done.report, done.build.space, "nothing was written.")
    if output is None:
        sys.stdout.buffer.write(content)
    else:
        click.echo(f"wrote {output} ({len(content):,} bytes)", err=True)


@main.command("stats")
@click.pass_obj
@handle_errors
def stats_cmd(ctx: Context) -> None:
    """Count events, persons, states, claims per source, disagreements, links."""
    rows = api.statistics(ctx.data, ctx.base)
    width = max(len(label) for label, n in rows if n is not None)
    for label, n in rows:
        click.echo(label if n is None else f"{label:<{width}}  {n:>7,}")


@main.command("unlinked")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (atomically) [default: unlinked.tsv in the data folder].")
@click.pass_obj
@handle_errors
def unlinked_cmd(ctx: Context, output: Path | None) -> None:
    """List the entities without a verified Wikidata QID, for reconciliation."""
    target, count = api.write_unlinked(output, ctx.data, ctx.base)
    click.echo(f"wrote {target}: {count} entities without a Wikidata link")


@main.command("locate")
@click.argument("source")
@click.argument("phrase")
@click.option("--sources", "sources_dir", envvar="COLDWAR_LOD_SOURCES", required=True,
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of the source texts [env COLDWAR_LOD_SOURCES].")
@click.pass_obj
@handle_errors
def locate_cmd(ctx: Context, source: str, phrase: str, sources_dir: Path) -> None:
    """Print the locator(s) of PHRASE in SOURCE, for the locators column of claims.csv.

    Case and runs of white space are ignored.
    """
    for loc in api.locate(source, phrase, sources_dir, ctx.data):
        click.echo(f"{source}:{loc.start}-{loc.end}")

