"""Commands on Wikidata: check the links, compare the facts, suggest and accept new links,
export what Wikidata lacks; and ``reconcile``, the reconciliation service for OpenRefine."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

import coldwar_lod as api

from .. import errors
from .app import (
    _SPREADSHEET_SAFE,
    Context,
    F,
    SharedOptionsGroup,
    _build,
    _endpoint_options,
    handle_errors,
    main,
)


@main.group("wikidata", cls=SharedOptionsGroup)
def wikidata_group() -> None:
    """Check our links to Wikidata, compare our facts, suggest and accept new links, and give
    back what Wikidata lacks.

    The commands ask a Wikidata SPARQL service (default the Wikidata Query Service) in
    batches, one request at a time, naming this tool in the User-Agent and waiting as long as
    an HTTP 429's Retry-After asks.
    """


def _service_options(func: F) -> F:
    """Where Wikidata is, and how patient to be with it."""
    for option in reversed([
        click.option("--endpoint", metavar="URL", envvar="COLDWAR_LOD_WIKIDATA_ENDPOINT",
                     default="https://query.wikidata.org/sparql", show_default=True,
                     help="The Wikidata SPARQL endpoint (used exactly as written) "
                          "[env COLDWAR_LOD_WIKIDATA_ENDPOINT]."),
        click.option("--batch-size", type=click.IntRange(min=1), default=200, show_default=True,
                     help="Items per request (VALUES)."),
    ]):
        func = option(func)
    return _endpoint_options(func)


def _wikidata_options(func: F) -> F:
    """Where Wikidata is, how to show the report, and how patient to be."""
    for option in reversed([
        click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "json", "tsv"]),
                     default="table", show_default=True, help="Report format (csv, json, tsv: "
                     "the W3C SPARQL result formats, as `coldwar-lod query` writes them)."),
        _SPREADSHEET_SAFE,
    ]):
        func = option(func)
    return _service_options(func)


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


@wikidata_group.command("suggest")
@_wikidata_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("wikidata-review.tsv"), show_default=True,
              help="The review file to write (TSV, one row per candidate).")
@click.option("--limit", type=click.IntRange(min=1), default=5, show_default=True,
              help="Candidates kept per entity.")
@click.option("--search", type=click.Choice(["auto", "labels", "mwapi"]), default="auto",
              show_default=True, help="labels: exact labels and aliases (any endpoint); mwapi: "
              "also Wikidata's search service; auto: mwapi on query.wikidata.org only.")
@click.pass_obj
@handle_errors
def wikidata_suggest_cmd(ctx: Context, endpoint: str, fmt: str, batch_size: int,
                         timeout: float, retries: int, output: Path, limit: int,
                         search: str) -> None:
    """Suggest Wikidata items for every entity without a QID, for review; links nothing.

    Writes the review file (one row per candidate, best first, with the evidence for and
    against: labels, kind, dates, statements about items we link to) and prints the best
    candidate of each entity. Mark the right rows with decision=yes, then run
    `coldwar-lod wikidata accept FILE`. Exit 0 when it ran, 2 if the endpoint holds no
    Wikidata statements, 4 or 5 as for `check`.
    """
    service = api.wikidata_endpoint(endpoint, timeout=timeout, retries=retries)
    report = api.suggest_links(_build(ctx), service, limit=limit, search=search,
                               batch_size=batch_size)
    report.write_review(output)
    click.echo(report.result().serialize(fmt, spreadsheet_safe=ctx.spreadsheet_safe), nl=False)
    click.echo(f"{report.summary()}\nreview file: {output}", err=True)


@wikidata_group.command("accept")
@click.argument("review", type=click.Path(dir_okay=False, path_type=Path))
@_service_options
@click.pass_obj
@handle_errors
def wikidata_accept_cmd(ctx: Context, review: Path, endpoint: str, batch_size: int,
                        timeout: float, retries: int) -> None:
    """Link the entities whose rows are marked decision=yes in a review file.

    Each marked item is checked first (it exists, is not a redirect, its kind and a label
    fit); then the records, the verified-QID list (with the date and the evidence) and
    unlinked.tsv are written together. Exit 0 when done (or nothing is marked), 1 if a
    marked item fails a check (nothing is written), 2 for a malformed review file, 4 or 5
    as for `check`.
    """
    service = api.wikidata_endpoint(endpoint, timeout=timeout, retries=retries)
    report = api.accept_links(_build(ctx), review, service, batch_size=batch_size)
    for done in report.accepted:
        click.echo(f"linked {done.entity.short_id} -> {done.qid} ({done.wikidata_label}); "
                   f"{done.entity.record}")
    click.echo(report.summary(), err=True)


@wikidata_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["quickstatements", "wikibase-rdf"]),
              required=True, help="quickstatements: what the sources support and Wikidata "
              "lacks (asks the endpoint); wikibase-rdf: every claim in Wikidata's RDF model.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output.")
@_service_options
@click.pass_obj
@handle_errors
def wikidata_export_cmd(ctx: Context, fmt: str, output: Path | None, endpoint: str,
                        batch_size: int, timeout: float, retries: int) -> None:
    """Export for Wikidata: QuickStatements of what Wikidata lacks, or Wikibase RDF.

    QuickStatements v1: one line per reference, dates with their precision, deprecated claims
    and the sources' text never. Wikibase RDF (Turtle): statement nodes, p:/ps:/pq:/pr:,
    ranks and references, for Wikidata Query Service queries. The summary and what was left
    out go to standard error. Exit 0, or 4 and 5 as for `check`.
    """
    service = api.wikidata_endpoint(endpoint, timeout=timeout, retries=retries)
    data, summary = api.wikidata_export(_build(ctx), fmt, service, output=output,
                                        batch_size=batch_size)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    click.echo(summary + (f"\nwrote {output}" if output else ""), err=True)


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
# Reconciliation (OpenRefine)


@main.command("reconcile")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.pass_obj
@handle_errors
def reconcile_cmd(ctx: Context, port: int) -> None:
    """Serve a reconciliation service over the dataset on 127.0.0.1 (for OpenRefine).

    W3C Entity Reconciliation API 0.2: the manifest at the root, batch queries (GET or POST),
    types, property conditions (date, place, country, qid), previews and suggest, with CORS.
    Stop it with Ctrl-C. Exit 2 if the port is in use.
    """
    server = api.reconcile_service(_build(ctx), port)
    click.echo(f"reconciliation service at {server.url}/ (add it in OpenRefine: Reconcile > "
               "Start reconciling > Add standard service); Ctrl-C stops it", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped.", err=True)
