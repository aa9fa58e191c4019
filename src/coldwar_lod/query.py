"""Running SPARQL queries: the shipped questions, embedded or against any SPARQL 1.1 endpoint.

The questions a historian of 1968 asks ship as ``queries/*.rq``, one per file, each opening
with a header::

    #+ summary: Which states took part in the invasion, and in what role
    #+ description: Longer text, continued on lines that start with "#+" and
    #+   two or more spaces.
    #+ tags: invasion, participation

:func:`run_query` runs a query in an embedded Oxigraph store (the built dataset in its default
graph) or, with ``endpoint``, against a SPARQL 1.1 service through SPARQLWrapper. The same
query gives the same answer both ways: the shipped queries use no ``GRAPH`` or ``FROM``, and a
remote query is sent with the SPARQL Protocol parameter ``default-graph-uri=BASE/graph/data``,
the graph ``coldwar-lod load`` puts the data in. Every query is parsed locally first, so a
malformed one is reported with its line and column before anything is sent.

>>> from coldwar_lod.query import run_query, shipped_queries
>>> "timeline" in shipped_queries()
True
>>> result = run_query("SELECT (1 + 1 AS ?two) WHERE {}", store=__import__("pyoxigraph").Store())
>>> result.rows[0][0].value
'2'
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import time
import urllib.error
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from .errors import EndpointError, InputError, QueryError, did_you_mean
from .namespaces import IriSpace
from .resources import resource_dir
from .store import (
    TIMEOUT_WORDS,
    Endpoint,
    first_line,
    is_timeout,
    status_error,
    transport_error,
    with_retries,
)

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Build

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: Output formats of :meth:`QueryResult.serialize`.
FORMATS = ("table", "csv", "json", "tsv")

#: Header fields every shipped query has.
HEADER_FIELDS = ("summary", "description", "tags")

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ERROR_AT = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)


# --------------------------------------------------------------------------------------------
# The catalogue of shipped queries


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query and where it came from (a shipped name or a file), with its header fields."""

    name: str
    text: str
    origin: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    shipped: bool = False

    @classmethod
    def from_file(cls, path: Path, shipped: bool = False) -> NamedQuery:
        """Read a query file and its ``#+`` header.

        :raises InputError: if the file cannot be read.
        """
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the query {path}: {exc}") from None
        header = parse_header(text)
        tags = tuple(t.strip() for t in header.get("tags", "").split(",") if t.strip())
        return cls(path.stem, text, str(path), header.get("summary", ""),
                   header.get("description", ""), tags, shipped)


def parse_header(text: str) -> dict[str, str]:
    """The ``#+ key: value`` fields at the top of a query (continuation lines: ``#+``, 2 spaces).

    >>> parse_header("#+ summary: Who\\n#+ tags: a, b\\n#+   c\\nSELECT * {}")
    {'summary': 'Who', 'tags': 'a, b c'}
    """
    fields: dict[str, str] = {}
    key: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        if match := re.fullmatch(r"#\+ (\w+):\s*(.*)", stripped):
            key = match.group(1)
            fields[key] = match.group(2).strip()
        elif key and (match := re.fullmatch(r"#\+\s{2,}(.*)", stripped)):
            fields[key] = f"{fields[key]} {match.group(1).strip()}".strip()
        else:
            key = None
    return fields


def shipped_queries() -> dict[str, NamedQuery]:
    """The queries that ship with the package, by name (the file name without ``.rq``)."""
    folder = resource_dir("queries")
    return {p.stem: NamedQuery.from_file(p, shipped=True) for p in sorted(folder.glob("*.rq"))}


def load_query(spec: str) -> NamedQuery:
    """A shipped query by name, or any query file by path.

    :raises InputError: if ``spec`` is neither a file nor a shipped query's name.
    """
    path = Path(spec)
    if path.is_file():
        return NamedQuery.from_file(path)
    catalogue = shipped_queries()
    if spec in catalogue:
        return catalogue[spec]
    if path.suffix == ".rq" or "/" in spec:
        raise InputError(f"no such query file: {spec}")
    raise InputError(f"unknown query {spec!r}{did_you_mean(spec, catalogue)}; "
                     "`coldwar-lod queries` lists the shipped ones")


# --------------------------------------------------------------------------------------------
# Syntax


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


@dataclass(slots=True)
class QueryResult:
    """The answer to a query: a table of RDF terms (or a boolean for ASK).

    For CONSTRUCT and DESCRIBE (``kind == "graph"``) the table has the columns ``subject``,
    ``predicate``, ``object``, sorted. ``None`` is an unbound value.
    """

    kind: str
    variables: list[str]
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    seconds: float = 0.0
    where: str = "embedded"

    def __len__(self) -> int:
        return len(self.rows)

    def same_answer(self, other: QueryResult) -> bool:
        """Whether both give the same terms in the same order (timings aside)."""
        return (self.kind, self.variables, self.rows, self.boolean) == (
            other.kind, other.variables, other.rows, other.boolean)

    def serialize(self, fmt: str = "table", prefixes: Mapping[str, str] | None = None) -> str:
        """The result as ``table`` (compact, for reading), ``csv``, ``tsv`` or ``json``.

        ``csv``, ``tsv`` and ``json`` are the W3C SPARQL 1.1 result formats; ``tsv`` keeps
        every term exactly (it is the format of the golden results).

        :raises InputError: for an unknown format.
        """
        if fmt == "table":
            return self.to_table(prefixes)
        if fmt == "csv":
            return self.to_csv()
        if fmt == "tsv":
            return self.to_tsv()
        if fmt == "json":
            return self.to_json()
        raise InputError(f"unknown result format {fmt!r}; one of: {', '.join(FORMATS)}")

    def to_tsv(self) -> str:
        """SPARQL 1.1 TSV: terms in N-Triples syntax, tabs in strings escaped."""
        if self.kind == "ask":
            return "?boolean\n" + ("true" if self.boolean else "false") + "\n"
        out = ["\t".join(f"?{v}" for v in self.variables)]
        for row in self.rows:
            out.append("\t".join("" if t is None else str(t).replace("\t", "\\t") for t in row))
        return "\n".join(out) + "\n"

    def to_csv(self) -> str:
        """SPARQL 1.1 CSV: plain values (IRIs and lexical forms), CRLF line ends."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if self.kind == "ask":
            writer.writerows([["boolean"], ["true" if self.boolean else "false"]])
            return buffer.getvalue()
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow([_plain(t) for t in row])
        return buffer.getvalue()

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}) + "\n"
        bindings = [{v: _json_term(t) for v, t in zip(self.variables, row, strict=True)
                     if t is not None} for row in self.rows]
        doc = {"head": {"vars": self.variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"

    def to_table(self, prefixes: Mapping[str, str] | None = None, width: int = 60) -> str:
        """An aligned text table; IRIs shortened with ``prefixes``, long cells cut at ``width``."""
        if self.kind == "ask":
            return ("yes" if self.boolean else "no") + "\n"
        ordered = sorted((prefixes or {}).items(), key=lambda p: -len(p[1]))

        def cell(term: Term | None) -> str:
            text = _short(term, ordered)
            return text if len(text) <= width else text[: width - 1] + "…"

        table = [self.variables, *[[cell(t) for t in row] for row in self.rows]]
        widths = [max(len(r[i]) for r in table) for i in range(len(self.variables))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                 for r in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines) + "\n"

    @classmethod
    def from_tsv(cls, data: str | bytes) -> QueryResult:
        """Read a result written by :meth:`to_tsv` (e.g. a golden file).

        :raises QueryError: if the text is not SPARQL TSV.
        """
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if raw.startswith(b"?boolean\n"):
            return cls("ask", [], boolean=raw.split(b"\n")[1].strip() == b"true")
        try:
            parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.TSV)
            return _from_solutions(parsed)  # type: ignore[arg-type]
        except (SyntaxError, ValueError) as exc:
            raise QueryError(f"not a SPARQL TSV result: {exc}") from None


def _from_solutions(solutions: ox.QuerySolutions) -> QueryResult:
    names = [v.value for v in solutions.variables]
    rows = [tuple(s[i] for i in range(len(names))) for s in solutions]
    return QueryResult("select", names, rows)


def _from_triples(triples: Any) -> QueryResult:
    rows = sorted(((t.subject, t.predicate, t.object) for t in triples),
                  key=lambda r: tuple(str(x) for x in r))
    return QueryResult("graph", ["subject", "predicate", "object"], list(rows))


def _plain(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _short(term: Term | None, prefixes: Sequence[tuple[str, str]]) -> str:
    if isinstance(term, ox.NamedNode):
        for name, ns in prefixes:
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{name}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    return " ".join(_plain(term).split())


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


# --------------------------------------------------------------------------------------------
# Running


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
            from .pipeline import build

            source = build(None, base)
        store = source.store()
    started = time.perf_counter()
    answer = store.query(text)
    if isinstance(answer, ox.QueryBoolean):
        result = QueryResult("ask", [], boolean=bool(answer))
    elif isinstance(answer, ox.QuerySolutions):
        result = _from_solutions(answer)
    else:
        result = _from_triples(answer)
    result.seconds = time.perf_counter() - started
    return result


def _run_remote(text: str, kind: str, endpoint: Endpoint,
                default_graph: str | None) -> QueryResult:
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    wrapper = SPARQLWrapper(endpoint.query_url, agent=endpoint.headers()["User-Agent"])
    wrapper.setQuery(text)
    wrapper.setMethod(POST)
    wrapper.setOnlyConneg(True)  # standard content negotiation, no ad-hoc format parameters
    wrapper.setReturnFormat(TURTLE if kind == "graph" else JSON)
    wrapper.timeout = endpoint.timeout  # type: ignore[assignment]  # setTimeout() truncates
    if default_graph:
        wrapper.addDefaultGraph(default_graph)
    if endpoint.auth:
        wrapper.addCustomHttpHeader("Authorization", endpoint.auth)
    where = endpoint.redact(endpoint.query_url)

    def call() -> tuple[str, bytes]:
        response = wrapper.query().response
        try:
            return response.headers.get("Content-Type", ""), response.read()
        finally:
            response.close()

    started = time.perf_counter()
    try:
        content_type, body = with_retries(endpoint, call)
    except SPARQLWrapperException as exc:
        raise _wrapper_error(exc, endpoint, where) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        if is_timeout(exc):
            raise QueryError(f"the query timed out after {endpoint.timeout:g} s at {where} "
                             "(raise --timeout, or simplify the query)") from None
        error = transport_error(endpoint, endpoint.query_url, exc)
        if isinstance(exc, urllib.error.HTTPError) and TIMEOUT_WORDS.search(str(error)):
            raise QueryError(f"the query timed out at {where}: {error}") from None
        raise error from None
    result = _parse_answer(kind, content_type, body, where)
    result.seconds = time.perf_counter() - started
    result.where = where
    return result


def _wrapper_error(exc: Exception, endpoint: Endpoint,
                   where: str) -> QueryError | EndpointError:
    """Map SPARQLWrapper's status exceptions to ours, with the service's own message."""
    statuses = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404,
                "URITooLong": 414, "EndPointInternalError": 500}
    status = statuses.get(type(exc).__name__, 500)
    body = _wrapper_body(exc)
    detail = endpoint.redact(first_line(body))
    if status == 400:
        return QueryError(f"{where} rejected the query (HTTP 400): {detail}")
    if TIMEOUT_WORDS.search(detail):
        return QueryError(f"the query timed out at {where} (HTTP {status}): {detail}")
    return status_error(endpoint, endpoint.query_url, status, body)



def _wrapper_body(exc: Exception) -> bytes:
    """The service's message, which SPARQLWrapper keeps only inside its exception text."""
    import ast

    text = str(exc)
    marker = "Response:\n"
    if marker in text:
        try:
            value = ast.literal_eval(text.split(marker, 1)[1].strip())
        except (ValueError, SyntaxError):
            return b""
        if isinstance(value, bytes):
            return value
    return b""


def _parse_answer(kind: str, content_type: str, body: bytes, where: str) -> QueryResult:
    media = content_type.split(";")[0].strip()
    try:
        if kind == "graph":
            rdf_format = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
            return _from_triples(list(ox.parse(body, rdf_format)))
        results_format = (ox.QueryResultsFormat.from_media_type(media)
                          or ox.QueryResultsFormat.JSON)
        parsed = ox.parse_query_results(body, format=results_format)
        if isinstance(parsed, ox.QueryBoolean):
            return QueryResult("ask", [], boolean=bool(parsed))
        return _from_solutions(parsed)
    except (SyntaxError, ValueError) as exc:
        tail = body[-300:].decode("utf-8", "replace")
        if TIMEOUT_WORDS.search(tail):
            said = re.split(r"[\[{,]", tail.strip().splitlines()[-1])[-1].strip()
            raise QueryError(f"the query timed out at {where}: the service stopped half-way "
                             f"through its answer: {first_line(said)}") from None
        raise EndpointError(f"{where} sent a malformed answer ({media or 'no content type'}): "
                            f"{first_line(str(exc))}") from None


__all__ = ["FORMATS", "HEADER_FIELDS", "NamedQuery", "QueryResult", "check_syntax",
           "load_query", "parse_header", "run_query", "shipped_queries", "syntax_message"]
