"""Reading a store's named graphs: how many triples each holds, and what one holds."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
from collections.abc import Sequence

import pyoxigraph as ox

from ..errors import EndpointError, QueryError
from ..rdfio import XML_FORMATS
from .http import (
    Endpoint,
    open_request,
    transport_error,
    with_param,
    with_retries,
)
from .query import run_query


def count_triples(endpoint: Endpoint, graph: str) -> int:
    """How many triples the named graph ``graph`` holds (0 if it does not exist).

    :raises EndpointError: if the service cannot answer.
    """
    return count_graphs(endpoint, [graph])[graph]


def count_graphs(endpoint: Endpoint, graphs: Sequence[str]) -> dict[str, int]:
    """How many triples each named graph holds (0 if it does not exist), in one query.

    Each graph is counted in its own sub-select with the graph named as a constant, so a store
    counts it with one index scan, whatever else it holds.

    :raises EndpointError: if the service cannot answer.
    """
    unique = list(dict.fromkeys(graphs))
    if not unique:
        return {}
    branches = [f"{{ {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} }} "
                f"BIND (<{g}> AS ?g) }}" for g in unique]
    query = "SELECT ?g ?n WHERE {\n  " + "\n  UNION ".join(branches) + "\n}"
    try:
        result = run_query(query, endpoint=endpoint, service_default_graph=True)
    except QueryError as exc:  # a timeout, here a failure of the store
        raise EndpointError(str(exc)) from None
    column = {name: i for i, name in enumerate(result.variables)}
    counts: dict[str, int] = {}
    for row in result.rows:
        name, value = row[column.get("g", 0)], row[column.get("n", 1)]
        if isinstance(name, ox.NamedNode) and isinstance(value, ox.Literal):
            counts[name.value] = int(value.value)
    missing = [g for g in unique if g not in counts]
    if missing:
        raise EndpointError(f"{endpoint.redact(endpoint.query_url)} gave no triple count for "
                            f"<{missing[0]}>")
    return counts


class UnreadableGraphError(EndpointError):
    """A service answered a read of a graph in a form this tool cannot parse."""


#: Statuses meaning "this service does not offer that", which a fallback can work around.
UNSUPPORTED_STATUSES = frozenset({400, 404, 405, 406, 415, 501})

_RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9"


def has_blank_node(triple: ox.Triple) -> bool:
    """Whether a triple mentions a blank node (which no other request can name again)."""
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def read_graph(endpoint: Endpoint, graph: str, expected: int | None = None
               ) -> tuple[set[ox.Triple], int]:
    """What a named graph holds: its triples without blank nodes, and how many have one.

    A GSP ``GET`` (a SPARQL ``CONSTRUCT`` where the service has no GSP), parsed as it streams
    in. Blank nodes are only counted: the store's labels for them mean nothing to another
    request, so a load replaces those triples by pattern rather than one by one.

    A service that cuts every answer at a number of rows (``endpoint.row_cap``; Virtuoso's
    ``ResultSetMaxRows``, 10,000 by default, applies to GSP ``GET`` too) is read in pages of
    that many triples (``CONSTRUCT … LIMIT … OFFSET``); so is one whose single answer held
    fewer triples than ``expected``, in pages the size of that answer. Pages are not ordered
    (an ``ORDER BY`` over a whole graph is refused beyond the cap, too): a caller compares the
    total with the graph's count, which catches a page read twice or skipped.

    :raises UnreadableGraphError: if the answer is in a format this tool cannot parse, or
        broken.
    :raises EndpointError: if the request fails (see :func:`http_request`).
    """
    if endpoint.row_cap:
        return _read_pages(endpoint, graph, endpoint.row_cap)
    ground, blank = _read(endpoint, graph, None)
    got = len(ground) + blank
    if expected is not None and 0 < got < expected:
        return _read_pages(endpoint, graph, got)
    return ground, blank


def _read_pages(endpoint: Endpoint, graph: str, size: int) -> tuple[set[ox.Triple], int]:
    ground: set[ox.Triple] = set()
    blank = offset = 0
    while True:
        page, page_blank = _read(endpoint, graph, (size, offset))
        ground |= page
        blank += page_blank
        offset += size
        if len(page) + page_blank < size:
            return ground, blank


def _read(endpoint: Endpoint, graph: str, page: tuple[int, int] | None
          ) -> tuple[set[ox.Triple], int]:
    if endpoint.gsp_url and page is None:
        url, method, body = with_param(endpoint.gsp_url, graph=graph), "GET", None
        headers = {"Accept": _RDF_ACCEPT}
        service = "Graph Store Protocol service"
    else:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        if page is not None:
            query += f" LIMIT {page[0]} OFFSET {page[1]}"
        url, method = endpoint.query_url, "POST"
        body = urllib.parse.urlencode({"query": query}).encode("utf-8")
        headers = {"Accept": _RDF_ACCEPT, "Content-Type": "application/x-www-form-urlencoded"}
        service = "SPARQL service"

    def call() -> tuple[set[ox.Triple], int]:
        with open_request(endpoint, method, url, body, headers) as response:
            media = response.headers.get_content_type()
            fmt = ox.RdfFormat.from_media_type(media)
            if fmt is None or fmt in XML_FORMATS:  # not asked for: its DTD could exhaust memory
                raise UnreadableGraphError(f"it answered in {media}")
            ground: set[ox.Triple] = set()
            blank = 0
            try:
                for quad in ox.parse(response, format=fmt, base_iri=graph):
                    triple = quad.triple
                    if has_blank_node(triple):
                        blank += 1
                    else:
                        ground.add(triple)
            except SyntaxError as exc:
                raise UnreadableGraphError(f"its answer does not parse: {exc}") from None
            return ground, blank

    try:
        return with_retries(endpoint, call)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise transport_error(endpoint, url, exc, service) from None
