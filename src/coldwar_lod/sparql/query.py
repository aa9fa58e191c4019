"""Running SPARQL queries, embedded or against any SPARQL 1.1 endpoint.

:func:`run_query` runs a query in an embedded Oxigraph store (the built dataset in its default
graph) or, with ``endpoint``, against a SPARQL 1.1 service (the SPARQL 1.1 Protocol, through
the package's one HTTP client, :mod:`coldwar_lod.sparql.http`). The same
query gives the same answer both ways: the shipped queries use no ``GRAPH`` or ``FROM``, and a
remote query is sent with the SPARQL Protocol parameter ``default-graph-uri=BASE/graph/data``,
the graph ``coldwar-lod load`` puts the data in. Every query is parsed locally first, so a
malformed one is reported with its line and column before anything is sent.

>>> result = run_query("SELECT (1 + 1 AS ?two) WHERE {}", store=__import__("pyoxigraph").Store())
>>> result.rows[0][0].value
'2'
"""

from __future__ import annotations

import re
import time
import urllib.parse
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..errors import EndpointError, InputError, QueryError
from ..namespaces import IriSpace
from ..rdfio import refuse_dtd
from .catalogue import NamedQuery
from .http import (
    TIMEOUT_WORDS,
    Endpoint,
    EndpointTimeoutError,
    HttpStatusError,
    first_line,
    http_request,
)
from .results import QueryResult, from_solutions, from_triples

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build

_ERROR_AT = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)


def check_syntax(text: str, origin: str = "query") -> str:
    """Parse a query locally; returns its form: ``select``, ``ask`` or ``graph``.

    (``graph`` is CONSTRUCT or DESCRIBE.)

    >>> check_syntax("ASK {}")
    'ask'
    >>> check_syntax("SELECT ?s WHERE {\\n  ?s ?p \\n}", "q.rq")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coldwar_lod.errors.QueryError: q.rq:2:3: malformed SPARQL query: it starts here ...

    :raises QueryError: if the query is malformed; the message gives the line and column.
    """
    try:
        parsed = ox.Store().query(text)  # parsing is eager, evaluation lazy
    except SyntaxError as exc:
        raise QueryError(syntax_message(text, origin, str(exc))) from None
    if isinstance(parsed, ox.QueryBoolean):
        return "ask"
    if isinstance(parsed, ox.QueryTriples):
        return "graph"
    return "select"


def syntax_message(text: str, origin: str, error: str) -> str:
    """``origin:line:column: malformed SPARQL query: ...`` with the line and a caret under it.

    Oxigraph decides whether a query is valid, but its parser reports the furthest point it
    reached, often the end of the query; rdflib's parser reports where the broken construct
    starts. The earlier of the two positions is shown.
    """
    match = _ERROR_AT.search(error)
    if not match:
        return f"{origin}: malformed SPARQL query: {first_line(error)}"
    line, column, detail = int(match.group(1)), int(match.group(2)), match.group(3)
    detail = " ".join(detail.split())
    if "Prefix not found" in detail:
        detail = "unknown prefix (declare it with PREFIX)"
    elif len(detail) > 160:
        detail = detail[:159] + "…"
    earlier = _rdflib_position(text)
    if earlier and earlier < (line, column):
        detail = f"it starts here (the parser stopped at {line}:{column}: {detail})"
        line, column = earlier
    lines = text.splitlines()
    shown = ""
    if 1 <= line <= len(lines):
        source = lines[line - 1].replace("\t", " ")
        shown = f"\n    {source}\n    {' ' * max(column - 1, 0)}^"
    return f"{origin}:{line}:{column}: malformed SPARQL query: {detail}{shown}"


def _rdflib_position(text: str) -> tuple[int, int] | None:
    """Where rdflib's SPARQL parser fails on ``text`` (1-based line and column), if it does."""
    from rdflib.plugins.sparql import parser

    try:
        parser.parseQuery(text)
    except Exception as exc:  # pyparsing's ParseException carries lineno and col
        line, column = getattr(exc, "lineno", None), getattr(exc, "col", None)
        if isinstance(line, int) and isinstance(column, int):
            return line, column
    return None


# --------------------------------------------------------------------------------------------
# Results

def run_query(query: str | NamedQuery, source: Build | None = None, *,
              store: ox.Store | None = None, endpoint: Endpoint | str | None = None,
              graph: str | None = None, service_default_graph: bool = False,
              base: str | None = None) -> QueryResult:
    """Run a query embedded (on the built dataset) or against a SPARQL 1.1 endpoint.

    :param query: SPARQL text, or a :class:`NamedQuery` (:func:`load_query`). Shipped queries
        are written under the default base and moved to the dataset's base.
    :param source: the dataset to query embedded; built from the default data if neither
        ``source``, ``store`` nor ``endpoint`` is given.
    :param store: an Oxigraph store to query instead (data in its default graph).
    :param endpoint: query this SPARQL service instead (an :class:`Endpoint` or its URL).
    :param graph: for an endpoint, the named graph that holds the data, sent as
        ``default-graph-uri`` (default ``BASE/graph/data``).
    :param service_default_graph: for an endpoint, send no ``default-graph-uri`` and query the
        service's own default graph.
    :param base: the base IRI (default: the source's, else ``https://w3id.org/coldwar-lod/``).
    :raises QueryError: for a malformed query (with line and column), a query the service
        rejects, or one that times out.
    :raises EndpointError: if the service cannot be reached or fails.

    >>> result = run_query("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    ...     "SELECT ?label WHERE { <https://w3id.org/coldwar-lod/id/event/prague-spring> "
    ...     "rdfs:label ?label FILTER(lang(?label) = 'en') }")
    >>> result.rows[0][0].value
    'Prague Spring'
    """
    space = source.space if source is not None else IriSpace.from_base(base)
    named = query if isinstance(query, NamedQuery) else NamedQuery("query", query, "query")
    text = space.rebase_text(named.text) if named.shipped else named.text
    kind = check_syntax(text, named.origin)
    if endpoint is not None:
        if isinstance(endpoint, str):
            endpoint = Endpoint.from_url(endpoint)
        default_graph = None if service_default_graph else (graph or space.base + "graph/data")
        return _run_remote(text, kind, endpoint, default_graph)
    if store is None:
        if source is None:
            from ..pipeline import build

            source = build(None, base)
        store = source.store()
    started = time.perf_counter()
    answer = store.query(text)
    if isinstance(answer, ox.QueryBoolean):
        result = QueryResult("ask", [], boolean=bool(answer))
    elif isinstance(answer, ox.QuerySolutions):
        result = from_solutions(answer)
    else:
        result = from_triples(answer)
    result.seconds = time.perf_counter() - started
    return result


#: What a query asks the service to answer in, by query form.
_ACCEPT = {
    "graph": "application/n-triples, text/turtle;q=0.9",
    "select": "application/sparql-results+json",
    "ask": "application/sparql-results+json",
}


def _run_remote(text: str, kind: str, endpoint: Endpoint,
                default_graph: str | None) -> QueryResult:
    """Send a query by the SPARQL 1.1 Protocol (URL-encoded POST) and parse the answer."""
    form = [("query", text)] + ([("default-graph-uri", default_graph)] if default_graph else [])
    where = endpoint.redact(endpoint.query_url)
    started = time.perf_counter()
    try:
        answer = http_request(endpoint, "POST", endpoint.query_url,
                              body=urllib.parse.urlencode(form).encode("utf-8"),
                              headers={"Accept": _ACCEPT[kind],
                                       "Content-Type": "application/x-www-form-urlencoded"})
    except EndpointTimeoutError:
        raise QueryError(f"the query timed out after {endpoint.timeout:g} s at {where} "
                         "(raise --timeout, or simplify the query)") from None
    except HttpStatusError as exc:
        if exc.status == 400:
            raise QueryError(f"{where} rejected the query (HTTP 400): {exc.detail}") from None
        if TIMEOUT_WORDS.search(exc.detail):
            raise QueryError(f"the query timed out at {where} (HTTP {exc.status}): "
                             f"{exc.detail}") from None
        raise
    result = _parse_answer(kind, answer.content_type, answer.body, where)
    result.seconds = time.perf_counter() - started
    result.where = where
    return result


def _parse_answer(kind: str, content_type: str, body: bytes, where: str) -> QueryResult:
    media = content_type.split(";")[0].strip()
    if "xml" in media:  # not asked for; a DTD in it could exhaust memory (rdfio.refuse_dtd)
        try:
            refuse_dtd(body, where)
        except InputError as exc:
            raise EndpointError(f"{where} answered: {exc.message}") from None
    try:
        if kind == "graph":
            rdf_format = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
            return from_triples(list(ox.parse(body, rdf_format)))
        results_format = (ox.QueryResultsFormat.from_media_type(media)
                          or ox.QueryResultsFormat.JSON)
        parsed = ox.parse_query_results(body, format=results_format)
        if isinstance(parsed, ox.QueryBoolean):
            return QueryResult("ask", [], boolean=bool(parsed))
        return from_solutions(parsed)
    except (SyntaxError, ValueError) as exc:
        tail = body[-300:].decode("utf-8", "replace")
        if TIMEOUT_WORDS.search(tail):
            said = re.split(r"[\[{,]", tail.strip().splitlines()[-1])[-1].strip()
            raise QueryError(f"the query timed out at {where}: the service stopped half-way "
                             f"through its answer: {first_line(said)}") from None
        raise EndpointError(f"{where} sent a malformed answer ({media or 'no content type'}): "
                            f"{first_line(str(exc))}") from None


