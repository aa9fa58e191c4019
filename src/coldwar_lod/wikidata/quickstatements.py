"""What the sources support and Wikidata lacks, as QuickStatements (version 1 commands).

From a comparison (:func:`compare_with_wikidata`), the facts and dates that are ``only here``
become statements on the linked items, one line per reference so that QuickStatements does not
merge references (each line adds its reference to the same statement):

``Q1773668<TAB>P710<TAB>Q15180<TAB>S854<TAB>"http://..."<TAB>S304<TAB>"368-384"``

A reference is the source: ``S248`` (stated in) its QID where it has one, ``S854`` (reference
URL) its URL, ``S304`` (page(s)) its pages; a source with neither QID nor URL cannot be cited
on Wikidata and gives no line. Dates carry their precision (``/9`` year, ``/10`` month, ``/11``
day; finer ones are written as days, a season as its year), an interval is a start time (P580)
and an end time (P582), an approximate date is qualified ``P1480`` circa (Q5727902), an
uncertain one ``P1480`` presumably (Q18122778). Two claims with different values stay two
statements. Deprecated claims are never exported, and no text of the sources is: the values
are items, dates, URLs and page numbers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..dates import DateError, Span, parse_date
from .compare import ONLY_HERE, Comparison, ComparisonReport

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build
    from ..records import Row

#: Wikidata's precisions for ours (a season is written as its year, a minute as its day).
PRECISION = {"year": 9, "season": 9, "month": 10, "day": 11, "minute": 11}
#: ``P1480`` (sourcing circumstances) values for EDTF's qualifiers.
CIRCUMSTANCES = {"approximate": "Q5727902", "uncertain": "Q18122778",
                 "uncertain-approximate": "Q5727902"}
STATED_IN, REFERENCE_URL, PAGES, SOURCING = "P248", "P854", "P304", "P1480"


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement to add: item, property, value, qualifiers, and the claims behind it."""

    item: str
    pid: str
    value: str  # a QID or a QuickStatements time value
    qualifiers: tuple[tuple[str, str], ...]
    sources: tuple[str, ...]  # source slugs
    claims: tuple[str, ...]  # claim slugs


@dataclass(slots=True)
class QuickStatements:
    """The commands, and what was left out and why (see :func:`quickstatements`).

    >>> import coldwar_lod, pyoxigraph as ox
    >>> report = coldwar_lod.compare_with_wikidata(coldwar_lod.build(), ox.Store())
    >>> coldwar_lod.quickstatements(coldwar_lod.build(), report).summary()
    '0 statement(s) in 0 line(s) (one per reference); 0 left out'
    """

    statements: list[Statement] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (what, why)

    def text(self) -> str:
        """The commands, one per line (QuickStatements v1, tab-separated)."""
        return "".join(line + "\n" for line in self.lines)

    def summary(self) -> str:
        return (f"{len(self.statements)} statement(s) in {len(self.lines)} line(s) (one per "
                f"reference); {len(self.left_out)} left out")


def quickstatements(build: Build, report: ComparisonReport) -> QuickStatements:
    """QuickStatements for the facts and dates of ``report`` that are only here.

    :param build: the dataset the comparison was made from (for the claims and sources).
    :param report: :func:`compare_with_wikidata`'s report.

    >>> import coldwar_lod, pyoxigraph as ox
    >>> local = ox.Store()   # a "Wikidata" where the invasion and Czechoslovakia exist, no more
    >>> local.load(b'''@prefix wd: <http://www.wikidata.org/entity/> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... wd:Q1773668 rdfs:label "Warsaw Pact invasion of Czechoslovakia"@en .
    ... wd:Q853348 rdfs:label "Czechoslovak Socialist Republic"@en .''', ox.RdfFormat.TURTLE)
    >>> build = coldwar_lod.build()
    >>> qs = quickstatements(build, coldwar_lod.compare_with_wikidata(build, local))
    >>> print(qs.lines[0].replace("\\t", " | "))
    Q1773668 | P710 | Q853348 | S854 | "http://twasp.info/journal/home" | S304 | "368-384"
    >>> len(qs.lines), qs.left_out[0][1]   # the preferred date's only source has no URL
    (3, 'no source with a URL or a QID to cite')
    """
    out = QuickStatements()
    ids = build.space.ids
    records = build.records
    for c in report.comparisons:
        if c.status != ONLY_HERE:
            continue
        claims = [records.claims[iri[len(ids) + len("claim/"):]] for iri in c.claims
                  if iri.startswith(ids + "claim/")]
        claims = [row for row in claims if row.get("rank") != "deprecated"]
        what = _describe(c, ids)
        if not claims:
            out.left_out.append((what, "no claim of ours that is not deprecated"))
            continue
        sources = tuple(sorted({s[len(ids) + len("source/"):] for s in c.sources}))
        for statement in _statements(c, claims, sources, out, what):
            lines = [_line(statement, ref) for ref in _references(records.entities, sources)]
            if not lines:
                out.left_out.append((f"{what} ({statement.pid})",
                                     "no source with a URL or a QID to cite"))
                continue
            out.statements.append(statement)
            out.lines += lines
    return out


def _describe(c: Comparison, ids: str) -> str:
    short = c.subject[len(ids):]
    if c.object:
        return f"{short} {' '.join(c.wikidata)} {c.object[len(ids):]}"
    return f"{short} {' '.join(c.wikidata)} {c.ours}"


def _statements(c: Comparison, claims: Sequence[Row], sources: tuple[str, ...],
                out: QuickStatements, what: str) -> list[Statement]:
    slugs = tuple(sorted(row.slug for row in claims))
    if c.object_qid:
        pid = c.wikidata[0].removeprefix("wdt:")
        return [Statement(c.subject_qid, pid, c.object_qid, (), sources, slugs)]
    try:
        parts = date_parts(c.ours or "")
    except DateError:
        out.left_out.append((what, f"the date {c.ours!r} cannot be written for Wikidata"))
        return []
    statements = []
    for pid, span in parts:
        qualifiers = ((SOURCING, CIRCUMSTANCES[span.qualifier]),) if span.qualifier else ()
        statements.append(Statement(c.subject_qid, pid, time_value(
            span.first.year, span.first.month, span.first.day, span.precision),
            qualifiers, sources, slugs))
    return statements


def date_parts(edtf: str) -> list[tuple[str, Span]]:
    """The Wikidata date statements for an EDTF date: point in time (P585), or start time
    (P580) and end time (P582) for an interval (an open end is left out).

    >>> [(pid, span.first.isoformat(), span.precision) for pid, span in date_parts("1968-08/..")]
    [('P580', '1968-08-01T00:00:00', 'month')]

    :raises DateError: if a part is not a date.
    """
    begin, interval, end = edtf.partition("/")
    parts = [("P580", begin), ("P582", end)] if interval else [("P585", edtf)]
    return [(pid, parse_date(text)) for pid, text in parts if text not in ("", "..")]


def time_value(year: int, month: int, day: int, precision: str) -> str:
    """A QuickStatements time value with its precision suffix.

    >>> time_value(1968, 8, 21, "day"), time_value(1968, 8, 1, "month")
    ('+1968-08-21T00:00:00Z/11', '+1968-08-00T00:00:00Z/10')
    >>> time_value(1968, 3, 1, "season")
    '+1968-00-00T00:00:00Z/9'
    """
    level = PRECISION[precision]
    month = month if level >= 10 else 0
    day = day if level >= 11 else 0
    return f"+{year:04d}-{month:02d}-{day:02d}T00:00:00Z/{level}"


def _references(entities: dict[str, Row], sources: tuple[str, ...]
                ) -> list[tuple[tuple[str, str], ...]]:
    refs = []
    for slug in sources:
        row = entities.get(slug)
        if row is None:
            continue
        ref: list[tuple[str, str]] = []
        if row.get("qid"):
            ref.append((STATED_IN, row.get("qid")))
        if row.get("url"):
            ref.append((REFERENCE_URL, _string(row.get("url"))))
        if ref and row.get("pages"):
            ref.append((PAGES, _string(row.get("pages"))))
        if ref:
            refs.append(tuple(ref))
    return refs


def _string(text: str) -> str:
    return '"' + text.replace('"', "'").replace("\t", " ") + '"'


def _line(statement: Statement, reference: tuple[tuple[str, str], ...]) -> str:
    cells = [statement.item, statement.pid, statement.value]
    for pid, value in statement.qualifiers:
        cells += [pid, value]
    for pid, value in reference:
        cells += ["S" + pid[1:], value]
    return "\t".join(cells)
