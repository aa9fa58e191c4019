"""The ``coldwar-lod`` command: parse arguments, call the library, print, map errors to exits.

Exit codes: 0 success (data conforms), 1 SHACL violations, 2 usage or input error, 3 internal
error, 4 endpoint error, 5 query error. Tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

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


def handle_errors(func: F) -> F:
    """Turn errors into messages and exit codes (tracebacks only with ``--debug``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_object(Context) and ctx.find_object(Context).debug)  # type: ignore[union-attr]
        try:
            return func(*args, **kwargs)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("--base", envvar="COLDWAR_LOD_BASE", metavar="IRI",
              help="Base IRI to publish under [env COLDWAR_LOD_BASE; default "
                   "https://w3id.org/coldwar-lod/].")
@click.option("--data", "data", envvar="COLDWAR_LOD_DATA",
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the records [env COLDWAR_LOD_DATA; default ./data if it holds "
                   "claims.csv, else the copy shipped with the package].")
@click.option("--validator", type=click.Choice(["oxigraph", "turbo", "pyshacl"]),
              default="oxigraph", show_default=True,
              help="SHACL engine: the shapes as SPARQL in Oxigraph, pyshacl-turbo or pySHACL "
                   "(all give the same results).")
@click.version_option(package_name="coldwar-lod")
@click.pass_context
def main(ctx: click.Context, debug: bool, base: str | None, data: Path | None,
         validator: str) -> None:
    """Build, validate, export and query the 1968 Czechoslovak crisis as Linked Open Data."""
    ctx.obj = Context(debug, base, data, validator)


def _build(ctx: Context) -> Any:
    from .pipeline import build

    return build(ctx.data, ctx.base)


@main.command("build")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("dist"), show_default=True, help="Output folder.")
@click.pass_obj
@handle_errors
def build_cmd(ctx: Context, out: Path) -> None:
    """Read data/, map to RDF, validate, and write the dataset to OUT.

    Nothing in OUT changes unless the build succeeds and the data conforms.
    """
    from .export import StagedFiles
    from .pipeline import build_and_render
    from .stats import count

    started = time.perf_counter()
    with StagedFiles() as staged:  # each file is written as soon as it is rendered
        result, report, _ = build_and_render(
            ctx.data, ctx.base, ctx.validator,
            on_file=lambda name, content: staged.add(out / name, content))
        click.echo(f"read {len(result.records.entities) + len(result.records.claims)} records "
                   f"from {result.records.folder}")
        if not report.conforms:  # leaving the block removes what was staged
            click.echo(report.text(result.space.prefixes()), err=True)
            click.echo(f"\nthe data does not conform; {out}/ was left as it was.", err=True)
            sys.exit(errors.EXIT_VIOLATIONS)
        written = staged.commit()
    for path, size in written.items():
        click.echo(f"wrote {path} ({size:,} bytes)")
    stats = count(result.records)
    entities = sum(stats.entities.values())
    click.echo(f"\n{len(result.triples):,} triples: {entities} entities, {stats.claims} claims "
               f"({stats.locators} locators), {stats.disagreements} disagreements, "
               f"{stats.wikidata_links} Wikidata links")
    if report.note:
        click.echo(f"({report.note})")
    click.echo(f"validation ({report.validator}): conforms, {len(report.warnings)} warning(s); "
               f"base {result.space.base}; {time.perf_counter() - started:.2f} s")


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line.")
@click.pass_obj
@handle_errors
def validate_cmd(ctx: Context, files: tuple[Path, ...], quiet: bool) -> None:
    """Validate the dataset built from the records, or the RDF FILES given.

    Exit 0 if it conforms, 1 if there are violations, 2 on unreadable input.
    """
    from .pipeline import validate
    from .rdfio import read_rdf
    from .validation import validate_triples

    if files:
        result = None
        with contextlib.suppress(ColdwarError):
            result = _build(ctx)  # without readable records, results have no file:line
        triples = read_rdf(files)
        from .namespaces import IriSpace

        space = result.space if result else IriSpace.from_base(ctx.base)
        report = validate_triples(triples, space, validator=ctx.validator,
                                  lineage=result.lineage if result else None)
    else:
        result = _build(ctx)
        space = result.space
        report = validate(result, ctx.validator)
    text = report.text(space.prefixes())
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
    from .export import write_files
    from .pipeline import validate

    result = _build(ctx)
    report = validate(result, ctx.validator)
    if not report.conforms:
        click.echo(report.text(result.space.prefixes()), err=True)
        sys.exit(errors.EXIT_VIOLATIONS)
    content = result.serialize(fmt)
    if output is None:
        sys.stdout.buffer.write(content)
    else:
        write_files({output: content})
        click.echo(f"wrote {output} ({len(content):,} bytes)", err=True)


@main.command("stats")
@click.pass_obj
@handle_errors
def stats_cmd(ctx: Context) -> None:
    """Count events, persons, states, claims per source, disagreements, links."""
    from .stats import count

    result = _build(ctx)
    rows = count(result.records).rows()
    rows.append(("triples", len(result.triples)))
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
    from .export import write_files
    from .wikidata import unlinked_tsv

    result = _build(ctx)
    content = unlinked_tsv(result.records, result.space)
    target = output or result.records.folder / "unlinked.tsv"
    write_files({target: content})
    count = len(content.splitlines()) - 1
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
    from .errors import did_you_mean
    from .records import load_records
    from .resources import default_data_dir
    from .sources import find_passages, source_text

    records = load_records(ctx.data or default_data_dir())
    row = records.entities.get(source)
    if row is None or row.kind != "sources":
        names = [r.slug for r in records.of_kind("sources")]
        raise InputError(f"unknown source {source!r}{did_you_mean(source, names)}; one of: "
                         f"{', '.join(names)}")
    found = find_passages(source_text(records, source, sources_dir), phrase)
    if not found:
        raise InputError(f"phrase not found in {source}")
    for loc in found:
        click.echo(f"{source}:{loc.start}-{loc.end}")


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
    from .namespaces import IriSpace
    from .query import load_query, run_query
    from .store import Endpoint

    named = load_query(query)
    space = IriSpace.from_base(ctx.base)
    if endpoint:
        service = Endpoint.from_url(endpoint, timeout=timeout, retries=retries)
        result = run_query(named, endpoint=service, base=space.base,
                           graph=None if graph in (None, "none") else graph,
                           service_default_graph=graph == "none")
    else:
        if graph:
            raise InputError("--graph applies to queries sent to an --endpoint")
        built = _build(ctx)
        space = built.space
        result = run_query(named, built)
    click.echo(result.serialize(fmt, space.prefixes()), nl=False)
    count = "yes/no" if result.kind == "ask" else f"{len(result.rows)} row(s)"
    click.echo(f"{count} in {result.seconds:.3f} s ({result.where})", err=True)


@main.command("queries")
@click.option("-v", "--verbose", is_flag=True, help="Also print each description and tags.")
@handle_errors
def queries_cmd(verbose: bool) -> None:
    """List the shipped queries: name and summary (run one with `coldwar-lod query NAME`)."""
    import textwrap

    from .query import shipped_queries

    catalogue = shipped_queries()
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
    from .pipeline import validate
    from .store import Endpoint, load_store

    service = Endpoint.from_url(endpoint, update_url=update_endpoint,
                                gsp_url="" if gsp_endpoint == "none" else gsp_endpoint,
                                timeout=timeout, retries=retries)
    result = _build(ctx)
    report = validate(result, ctx.validator)
    if not report.conforms:
        click.echo(report.text(result.space.prefixes()), err=True)
        click.echo("\nthe data does not conform; the store was not touched.", err=True)
        sys.exit(errors.EXIT_VIOLATIONS)
    click.echo(f"endpoint: {service.describe()}")

    def progress(line: str) -> None:
        click.echo(line, err=True)

    done = load_store(result, service, graph=graph, replace=replace, chunk_size=chunk_size,
                      progress=progress)
    how = "Graph Store Protocol" if done.method == "gsp" else "SPARQL Update"
    width = max(len(g.iri) for g in done.graphs) + 2
    for g in done.graphs:
        click.echo(f"  {'<' + g.iri + '>':<{width}} {done.after[g.iri]:>9,} triples "
                   f"(before: {done.before[g.iri]:,})")
    click.echo(f"loaded {done.triples:,} triples into {len(done.graphs)} graphs with {how} "
               f"({done.requests} write requests) in {done.seconds:.2f} s; counts verified")


# --------------------------------------------------------------------------------------------
# Wikidata: check the links, compare the facts


@main.group("wikidata")
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
    from .wikidata import check_links, shorten

    report, prefixes = _wikidata_report(ctx, check_links, endpoint, fmt, batch_size, timeout,
                                        retries)
    for check in report.violations:
        click.echo(f"{check.status}: {shorten(check.link.entity, prefixes)} "
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
    from .wikidata import compare_with_wikidata

    _wikidata_report(ctx, compare_with_wikidata, endpoint, fmt, batch_size, timeout, retries)


def _wikidata_report(ctx: Context, run: Callable[..., Any], endpoint: str, fmt: str,
                     batch_size: int, timeout: float, retries: int) -> tuple[Any, dict[str, str]]:
    """Build, run a Wikidata report, print it (summary to standard error)."""
    from .wikidata import wikidata_endpoint

    service = wikidata_endpoint(endpoint, timeout=timeout, retries=retries)
    result = _build(ctx)
    report = run(result, service, batch_size=batch_size)
    prefixes = result.space.prefixes()
    table = report.result(prefixes if fmt == "table" else None)
    click.echo(table.serialize(fmt, prefixes), nl=False)
    click.echo(report.summary(), err=True)
    return report, prefixes


# --- site and serve (issue 13): thin commands over coldwar_lod.site -------------------------


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
    from .site import build_site

    report = build_site(out, ctx.data, ctx.base, ctx.validator, redirect_to)
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
    from .site import make_server

    server = make_server(directory, port, verbose=verbose)
    bound = server.server_address[1]
    click.echo(f"serving {directory} at http://127.0.0.1:{bound}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()

# --- end of site and serve ------------------------------------------------------------------


if __name__ == "__main__":  # pragma: no cover
    main()
