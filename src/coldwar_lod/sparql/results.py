"""The answer to a query, and the formats it is written in (table, W3C CSV, TSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import InputError, QueryError
from ..namespaces import XSD, shortener

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: Output formats of :meth:`QueryResult.serialize`.
FORMATS = ("table", "csv", "json", "tsv")


@dataclass(slots=True)
class QueryResult:
    """The answer to a query: a table of RDF terms (or a boolean for ASK).

    For CONSTRUCT and DESCRIBE (``kind == "graph"``) the table has the columns ``subject``,
    ``predicate``, ``object``, sorted. ``None`` is an unbound value.

    >>> import coldwar_lod
    >>> result = coldwar_lod.run_query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    >>> result.kind, result.variables, result.rows[0][0].value
    ('select', ['n'], '13211')
    >>> result.serialize("csv")
    'n\\r\\n13211\\r\\n'
    """

    kind: str
    variables: list[str]
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    seconds: float = 0.0
    where: str = "embedded"

    def __len__(self) -> int:
        return len(self.rows)

    def serialize(self, fmt: str = "table", prefixes: Mapping[str, str] | None = None,
                  *, spreadsheet_safe: bool = True) -> str:
        """The result as ``table`` (compact, for reading), ``csv``, ``tsv`` or ``json``.

        ``csv``, ``tsv`` and ``json`` are the W3C SPARQL 1.1 result formats; ``tsv`` keeps
        every term exactly (it is the format of the golden results). ``spreadsheet_safe``:
        see :meth:`to_csv`.

        :raises InputError: for an unknown format.
        """
        if fmt == "table":
            return self.to_table(prefixes)
        if fmt == "csv":
            return self.to_csv(spreadsheet_safe=spreadsheet_safe)
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

    def to_csv(self, *, spreadsheet_safe: bool = True) -> str:
        """SPARQL 1.1 CSV: plain values (IRIs and lexical forms), CRLF line ends.

        ``spreadsheet_safe`` (the default): a value that a spreadsheet would run as a formula
        (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and not a
        number) gets a leading ``'``, as OWASP advises against CSV injection.

        >>> r = QueryResult("select", ["v"], [(ox.Literal("=HYPERLINK(1)"),), (ox.Literal("-3"),)])
        >>> r.to_csv().splitlines()
        ['v', "'=HYPERLINK(1)", '-3']
        >>> r.to_csv(spreadsheet_safe=False).splitlines()[1]
        '=HYPERLINK(1)'
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if self.kind == "ask":
            writer.writerows([["boolean"], ["true" if self.boolean else "false"]])
            return buffer.getvalue()
        writer.writerow(self.variables)
        for row in self.rows:
            cells = [_plain(t) for t in row]
            writer.writerow([_defused(c) for c in cells] if spreadsheet_safe else cells)
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
        short = shortener(prefixes or {})

        def cell(term: Term | None) -> str:
            text = (f"<{term.value}>" if (name := short(term.value)) == term.value else name
                    ) if isinstance(term, ox.NamedNode) else " ".join(_plain(term).split())
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
            return from_solutions(parsed)  # type: ignore[arg-type]
        except (SyntaxError, ValueError) as exc:
            raise QueryError(f"not a SPARQL TSV result: {exc}") from None


def from_solutions(solutions: ox.QuerySolutions) -> QueryResult:
    names = [v.value for v in solutions.variables]
    rows = [tuple(s[i] for i in range(len(names))) for s in solutions]
    return QueryResult("select", names, rows)


def from_triples(triples: Any) -> QueryResult:
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


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defused(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (numbers are left as they are)."""
    if not cell.startswith(_FORMULA_STARTS):
        return cell
    try:
        float(cell)
    except ValueError:
        return "'" + cell
    return cell


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD.string.value:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


# --------------------------------------------------------------------------------------------
# Running

