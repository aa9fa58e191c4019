"""The ``coldwar-lod`` command: parse arguments, call the library, print, map errors to exits.

Exit codes: 0 success (data conforms), 1 SHACL violations, 2 usage or input error, 3 internal
error, 4 endpoint error, 5 query error, 130 interrupted. Tracebacks are shown only with
``--debug``. A reader that stops reading (``| head``) ends the command quietly, with 0.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import coldwar_lod as api

from . import errors
from .errors import ColdwarError, InputError, InputErrors

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """Options shared by every command."""

    def __init__(self, debug: bool, base: str | None, data: Path | None, validator: str) -> None:
        self.debug = debug
        self.base = base
        self.data = data
        self.validator = validator
        self.spreadsheet_safe = True


def handle_errors(func: F) -> F:
    """Turn errors into messages and exit codes (tracebacks only with ``--debug``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_object(Context) and ctx.find_object(Context).debug)  # type: ignore[union-attr]
        try:
            result = func(*args, **kwargs)
            sys.stdout.flush()  # here, so that a closed pipe is caught below
            return result
        except BrokenPipeError:  # the reader went away (`| head`): nothing more to tell it
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(errors.EXIT_OK)
        except InputErrors as exc:
            if debug:
                raise
            for err in exc.errors:
                click.echo(f"error: {err}", err=True)
            if len(exc.errors) > 1:
                click.echo(f"{len(exc.errors)} problems in the data; nothing was written.",
                           err=True)
            sys.exit(exc.exit_code)
        except ColdwarError as exc:
            if debug:
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted; outputs are unchanged.", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug:
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                       "(this is a bug; run again with --debug for the traceback)", err=True)
            sys.exit(errors.EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


class SharedOptionsGroup(click.Group):
    """A group whose commands also take the main options (``--debug``, ``--base``, ``--data``,
    ``--validator``) after their name, where users type them: ``coldwar-lod validate
    --validator turbo`` is ``coldwar-lod --validator turbo validate``."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, click.Group):
            cmd.params.extend(_late_options())
        super().add_command(cmd, name)


def _late_options() -> list[click.Option]:
    """The main options as options of a command (hidden from its help; they override the
    values given before the command)."""

    def keep(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
        def store(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
            shared = ctx.find_object(Context)
            if shared is not None and value not in (None, False):
                setattr(shared, name, value)
        return store

    return [
        click.Option(["--debug"], is_flag=True, expose_value=False, hidden=True,
                     callback=keep("debug"), is_eager=True),
        click.Option(["--base"], expose_value=False, hidden=True, callback=keep("base")),
        click.Option(["--data"], type=click.Path(file_okay=False, path_type=Path),
                     expose_value=False, hidden=True, callback=keep("data")),
        click.Option(["--validator"], type=click.Choice(["oxigraph", "turbo", "pyshacl"]),
                     expose_value=False, hidden=True, callback=keep("validator")),
    ]


@click.group(cls=SharedOptionsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("--base", envvar="COLDWAR_LOD_BASE", metavar="IRI",
              help="Base IRI to publish under [env COLDWAR_LOD_BASE; default "
                   "https://w3id.org/coldwar-lod/].")
@click.option("--data", "data", envvar="COLDWAR_LOD_DATA",
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the records [env COLDWAR_LOD_DATA; default ./data if it holds "
                   "record files, else the copy shipped with the package].")
@click.option("--validator", type=click.Choice(["oxigraph", "turbo", "pyshacl"]),
              default="oxigraph", show_default=True,
              help="SHACL engine: the shapes as SPARQL in Oxigraph, pyshacl-turbo or pySHACL "
                   "(all give the same results).")
@click.version_option(package_name="coldwar-lod")
@click.pass_context
def main(ctx: click.Context, debug: bool, base: str | None, data: Path | None,
         validator: str) -> None:
    """Build, validate, export and query the 1968 Czechoslovak crisis as Linked Open Data.

    The options above are also taken after the command's name.
    """
    ctx.obj = Context(debug, base, data, validator)


def _build(ctx: Context) -> api.Build:
    return api.build(ctx.data, ctx.base)


def _stop_unless_conforms(report: api.ValidationReport, space: Any, unchanged: str) -> None:
    """The one way a command ends on data that does not conform: the report, what was left as
    it was, exit 1."""
    if report.conforms:
        return
    click.echo(report.text(space.prefixes()), err=True)
    click.echo(f"\nthe data does not conform; {unchanged}", err=True)
    sys.exit(errors.EXIT_VIOLATIONS)


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
    click.echo(f"read {len(records.entities) + len(records.claims)} records from {records.folder}")
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
@click.pass_obj
@handle_errors
def export_cmd(ctx: Context, fmt: str, output: Path | None) -> None:
    """Build, validate and write the dataset in one format."""
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


def _keep_spreadsheet_safe(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    shared = ctx.find_object(Context)
    if shared is not None:
        shared.spreadsheet_safe = value


#: ``-f csv``: cells a spreadsheet would run as formulas get a leading ``'`` unless turned off.
_SPREADSHEET_SAFE = click.option(
    "--spreadsheet-safe/--raw-csv", default=True, show_default=True, expose_value=False,
    callback=_keep_spreadsheet_safe,
    help="With -f csv: prefix with ' the values a spreadsheet would run as formulas (starting "
         "with = + - @, not numbers); --raw-csv writes them as they are.")


def _endpoint_options(func: F) -> F:
    """The options that say where a SPARQL service is and how patient to be with it."""
    for option in reversed([
        click.option("--timeout", type=float, default=60.0, show_default=True, metavar="SECONDS",
                     help="Give up on a request after this long."),
        click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
                     help="Retries of a request that failed transiently (dropped connection, "
                          "HTTP 502/503/504), with exponential backoff."),
    ]):
        func = option(func)
    return func


@main.command("query")
@click.argument("query", metavar="NAME|FILE")
@click.option("--endpoint", metavar="URL", envvar="COLDWAR_LOD_ENDPOINT",
              help="Query this SPARQL 1.1 endpoint instead of the built dataset "
                   "[env COLDWAR_LOD_ENDPOINT].")
@click.option("--graph", metavar="IRI",
              help="With --endpoint: the named graph holding the data, sent as "
                   "default-graph-uri [default: BASE/graph/data]; 'none' queries the "
                   "service's own default graph.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "json", "tsv"]),
              default="table", show_default=True, help="Result format (csv, json, tsv: the "
              "W3C SPARQL result formats).")
@_SPREADSHEET_SAFE
@_endpoint_options
@click.pass_obj
@handle_errors
def query_cmd(ctx: Context, query: str, endpoint: str | None, graph: str | None, fmt: str,
              timeout: float, retries: int) -> None:
    """Run a shipped query (by NAME, see `coldwar-lod queries`) or any query FILE.

    By default the query runs on the dataset built from the records, in an embedded store;
    with --endpoint, on any SPARQL 1.1 service (see `coldwar-lod load`). Results go to
    standard output, the row count and time to standard error. Exit 4 if the endpoint is
    unreachable or fails, 5 if the query is malformed, rejected or times out.
    """
    named = api.load_query(query)
    space = api.IriSpace.from_base(ctx.base)
    if endpoint:
        service = api.Endpoint.from_url(endpoint, timeout=timeout, retries=retries)
        result = api.run_query(named, endpoint=service, base=space.base,
                           graph=None if graph in (None, "none") else graph,
                           service_default_graph=graph == "none")
    else:
        if graph:
            raise InputError("--graph applies to queries sent to an --endpoint")
        built = _build(ctx)
        space = built.space
        result = api.run_query(named, built)
    click.echo(result.serialize(fmt, space.prefixes(), spreadsheet_safe=ctx.spreadsheet_safe),
               nl=False)
    count = "yes/no" if result.kind == "ask" else f"{len(result.rows)} row(s)"
    click.echo(f"{count} in {result.seconds:.3f} s ({result.where})", err=True)


@main.command("queries")
@click.option("-v", "--verbose", is_flag=True, help="Also print each description and tags.")
@handle_errors
def queries_cmd(verbose: bool) -> None:
    """List the shipped queries: name and summary (run one with `coldwar-lod query NAME`)."""
    import textwrap

    catalogue = api.shipped_queries()
    width = max((len(name) for name in catalogue), default=0)
    for name, named in catalogue.items():
        click.echo(f"{name:<{width}}  {named.summary}")
        if verbose:
            for line in textwrap.wrap(named.description, 88):
                click.echo(f"{'':<{width}}    {line}")
            click.echo(f"{'':<{width}}    tags: {', '.join(named.tags)}")


@main.command("load")
@click.option("--endpoint", metavar="URL", envvar="COLDWAR_LOD_ENDPOINT", required=True,
              help="The store's SPARQL query endpoint [env COLDWAR_LOD_ENDPOINT]; the update "
                   "and Graph Store Protocol URLs are derived from it (see README).")
@click.option("--update-endpoint", metavar="URL", help="The SPARQL Update endpoint, if not "
              "the derived one.")
@click.option("--gsp-endpoint", metavar="URL", help="The Graph Store Protocol endpoint, if not "
              "the derived one; 'none' uploads with SPARQL Update instead.")
@click.option("--graph", metavar="IRI", help="Named graph for the data [default: "
              "BASE/graph/data]; the ontology and shapes go to BASE/graph/ontology and "
              "BASE/graph/shapes.")
@click.option("--replace", is_flag=True, help="Replace graphs that already hold triples "
              "(atomically: all graphs or none).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Triples per upload request.")
@_endpoint_options
@click.pass_obj
@handle_errors
def load_cmd(ctx: Context, endpoint: str, update_endpoint: str | None,
             gsp_endpoint: str | None, graph: str | None, replace: bool, chunk_size: int,
             timeout: float, retries: int) -> None:
    """Build, validate and load the dataset into a SPARQL 1.1 store.

    Uploads with the Graph Store HTTP Protocol (SPARQL Update where the store has none) into
    temporary graphs, checks their triple counts, then replaces the target graphs in one
    update request, so a failed or interrupted load leaves the store as it was. Credentials:
    COLDWAR_LOD_ENDPOINT_USER and COLDWAR_LOD_ENDPOINT_PASSWORD, or COLDWAR_LOD_ENDPOINT_TOKEN.
    Exit 1 if the data does not conform, 2 for bad options or an occupied graph without
    --replace, 4 if the store fails.
    """
    service = api.Endpoint.from_url(endpoint, update_url=update_endpoint,
                                    gsp_url="" if gsp_endpoint == "none" else gsp_endpoint,
                                    timeout=timeout, retries=retries)

    def progress(line: str) -> None:
        click.echo(line, err=True)

    click.echo(f"endpoint: {service.describe()}")
    checked, done = api.load(service, ctx.data, ctx.base, ctx.validator, graph=graph,
                             replace=replace, chunk_size=chunk_size, progress=progress)
    _stop_unless_conforms(checked.report, checked.build.space, "the store was not touched.")
    assert done is not None
    how = "Graph Store Protocol" if done.method == "gsp" else "SPARQL Update"
    width = max(len(g.iri) for g in done.graphs) + 2
    for g in done.graphs:
        click.echo(f"  {'<' + g.iri + '>':<{width}} {done.after[g.iri]:>9,} triples "
                   f"(before: {done.before[g.iri]:,})")
    click.echo(f"loaded {done.triples:,} triples into {len(done.graphs)} graphs with {how} "
               f"({done.requests} write requests) in {done.seconds:.2f} s; counts verified")


# --------------------------------------------------------------------------------------------
# Wikidata: check the links, compare the facts


@main.group("wikidata", cls=SharedOptionsGroup)
def wikidata_group() -> None:
    """Check our links to Wikidata, and compare our facts with Wikidata's.

    Both commands ask a Wikidata SPARQL service (default the Wikidata Query Service) in
    batches, one request at a time, naming this tool in the User-Agent.
    """


def _wikidata_options(func: F) -> F:
    """Where Wikidata is, how to show the report, and how patient to be."""
    for option in reversed([
        click.option("--endpoint", metavar="URL", envvar="COLDWAR_LOD_WIKIDATA_ENDPOINT",
                     default="https://query.wikidata.org/sparql", show_default=True,
                     help="The Wikidata SPARQL endpoint (used exactly as written) "
                          "[env COLDWAR_LOD_WIKIDATA_ENDPOINT]."),
        click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "json", "tsv"]),
                     default="table", show_default=True, help="Report format (csv, json, tsv: "
                     "the W3C SPARQL result formats, as `coldwar-lod query` writes them)."),
        click.option("--batch-size", type=click.IntRange(min=1), default=200, show_default=True,
                     help="Items per request (VALUES)."),
        _SPREADSHEET_SAFE,
    ]):
        func = option(func)
    return _endpoint_options(func)


@wikidata_group.command("check")
@_wikidata_options
@click.pass_obj
@handle_errors
def wikidata_check_cmd(ctx: Context, endpoint: str, fmt: str, batch_size: int, timeout: float,
                       retries: int) -> None:
    """Check every Wikidata link: does the item exist, is it a redirect, its English label.

    One row per linked entity: ok, label differs (ours and Wikidata's, shown side by side: a
    difference to look at, not an error), redirected (to which item) or missing; with the
    item's instance-of (P31) values. The report goes to standard output, the summary to
    standard error. Exit 0 if every link resolves, 1 if any item is missing or redirected,
    4 if the endpoint is unreachable or fails, 5 if it rejects a query or times out.
    """
    report, prefixes = _wikidata_report(ctx, api.check_links, endpoint, fmt, batch_size, timeout,
                                        retries)
    short = api.shortener(prefixes)
    for check in report.violations:
        click.echo(f"{check.status}: {short(check.link.entity)} "
                   f"({check.link.qid}): {check.note}", err=True)
    if report.violations:
        sys.exit(errors.EXIT_VIOLATIONS)


@wikidata_group.command("compare")
@_wikidata_options
@click.pass_obj
@handle_errors
def wikidata_compare_cmd(ctx: Context, endpoint: str, fmt: str, batch_size: int,
                         timeout: float, retries: int) -> None:
    """Compare our facts between linked entities with Wikidata's statements.

    Participants (P710, or P1344 on the participant), place (P276 or P17), member of (P463)
    and part of (P361, or P527 on the whole): both, only here (with our claims and sources)
    or only in Wikidata. Dates (P585, P580, P582): agree or disagree at the precision both
    sides have (day, month or year), only here or only in Wikidata. Only facts whose subject
    and object are both linked can be compared; links are followed through redirects. Exit 0
    when the comparison ran (differences are its content), 4 or 5 as for `check`.
    """
    _wikidata_report(ctx, api.compare_with_wikidata, endpoint, fmt, batch_size, timeout, retries)


def _wikidata_report(ctx: Context, run: Callable[..., Any], endpoint: str, fmt: str,
                     batch_size: int, timeout: float, retries: int) -> tuple[Any, dict[str, str]]:
    """Build, run a Wikidata report, print it (summary to standard error)."""
    service = api.wikidata_endpoint(endpoint, timeout=timeout, retries=retries)
    result = _build(ctx)
    report = run(result, service, batch_size=batch_size)
    prefixes = result.space.prefixes()
    table = report.result(prefixes if fmt == "table" else None)
    click.echo(table.serialize(fmt, prefixes, spreadsheet_safe=ctx.spreadsheet_safe), nl=False)
    click.echo(report.summary(), err=True)
    return report, prefixes


# --------------------------------------------------------------------------------------------
# Releases (issue 17): the command only parses, calls coldwar_lod.release and prints.


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
    from .release import make_release

    done = make_release(version, root, data=ctx.data, base=ctx.base, date=date,
                        validator=ctx.validator)
    click.echo("\n".join(done.report()))

if __name__ == "__main__":  # pragma: no cover
    main()
