"""Commands on Wikidata: check the links, compare the facts."""

from __future__ import annotations

import sys
from collections.abc import Callable
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


