"""Commands on SPARQL: query (embedded or remote), queries, load."""

from __future__ import annotations

import click

import coldwar_lod as api

from ..errors import InputError
from .app import (
    _SPREADSHEET_SAFE,
    Context,
    _build,
    _endpoint_options,
    _stop_unless_conforms,
    handle_errors,
    main,
    sigterm_as_interrupt,
)

_STORE_HELP = ("The kind of store (its profile: URLs, authentication, row cap, durability; "
               "see README) [default: {}]; with a name, --endpoint may be the server's base URL.")


@main.command("query")
@click.argument("query", metavar="NAME|FILE")
@click.option("--store", type=click.Choice(api.store_names()), default="generic",
              help=_STORE_HELP.format("generic: the URL is the query URL, used as written"))
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
def query_cmd(ctx: Context, query: str, store: str, endpoint: str | None, graph: str | None,
              fmt: str, timeout: float, retries: int) -> None:
    """Run a shipped query (by NAME, see `coldwar-lod queries`) or any query FILE.

    By default the query runs on the dataset built from the records, in an embedded store;
    with --endpoint, on any SPARQL 1.1 service (see `coldwar-lod load`). Results go to
    standard output, the row count and time to standard error. Exit 4 if the endpoint is
    unreachable or fails, 5 if the query is malformed, rejected or times out.
    """
    named = api.load_query(query)
    space = api.IriSpace.from_base(ctx.base)
    if endpoint:
        service = api.store_endpoint(endpoint, store, timeout=timeout,
                                     retries=retries)
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


def _given(value: float, name: str) -> float | None:
    """The option's value if the user gave it, else ``None`` (the library's default)."""
    source = click.get_current_context().get_parameter_source(name)
    return None if source == click.core.ParameterSource.DEFAULT else value


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
@click.option("--store", type=click.Choice(api.store_names()), default="auto",
              help=_STORE_HELP.format("auto: asked from the server, else derived from the URL"))
@_endpoint_options
@click.pass_obj
@handle_errors
def load_cmd(ctx: Context, endpoint: str, update_endpoint: str | None,
             gsp_endpoint: str | None, graph: str | None, replace: bool, chunk_size: int,
             store: str, timeout: float, retries: int) -> None:
    """Build, validate and load the dataset into a SPARQL 1.1 store.

    Uploads with the Graph Store HTTP Protocol (SPARQL Update where the store has none) into
    temporary graphs, checks their triple counts, then replaces the target graphs in one
    update request, so a failed or interrupted load leaves the store as it was. Credentials:
    COLDWAR_LOD_ENDPOINT_USER and COLDWAR_LOD_ENDPOINT_PASSWORD, or COLDWAR_LOD_ENDPOINT_TOKEN
    (or in the URL, http://user:password@host/). Ctrl-C and SIGTERM stop it the same way: the
    temporary graphs are dropped. Exit 1 if the data does not conform, 2 for bad options or an
    occupied graph without --replace, 4 if the store fails.
    """
    service = api.store_endpoint(endpoint, store, update_url=update_endpoint,
                                 gsp_url="" if gsp_endpoint == "none" else gsp_endpoint,
                                 timeout=timeout, retries=retries)

    def progress(line: str) -> None:
        click.echo(line, err=True)

    click.echo(f"store: {service.store}; endpoint: {service.describe()}")
    with sigterm_as_interrupt():
        checked, done = api.load(service, ctx.data, ctx.base, ctx.validator, graph=graph,
                                 replace=replace, chunk_size=chunk_size, progress=progress,
                                 swap_timeout=_given(timeout, "timeout"))
    _stop_unless_conforms(checked.report, checked.build.space, "the store was not touched.")
    assert done is not None
    how = {"gsp": "Graph Store Protocol", "update": "SPARQL Update",
           "dataset": "Graph Store Protocol, all graphs in one request"}[done.method]
    width = max(len(g.iri) for g in done.graphs) + 2
    for g in done.graphs:
        click.echo(f"  {'<' + g.iri + '>':<{width}} {done.after[g.iri]:>9,} triples "
                   f"(before: {done.before[g.iri]:,})")
    click.echo(f"loaded {done.triples:,} triples into {len(done.graphs)} graphs with {how} "
               f"({done.requests} write requests) in {done.seconds:.2f} s; counts verified")


