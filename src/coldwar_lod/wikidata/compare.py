"""Comparing our facts and dates between linked entities with Wikidata's statements.

Property alignment (our property: the Wikidata statements that state the same fact; ``^``
marks a statement on the object's item, read backwards):

- ``cwo:participant`` (event -> person, state or organisation): ``wdt:P710`` participant,
  ``^wdt:P1344`` participant in;
- ``cwo:place`` (event -> place or state): ``wdt:P276`` location, ``wdt:P17`` country;
- ``cwo:memberOf`` (agent -> organisation): ``wdt:P463`` member of;
- ``cwo:partOf`` (event -> event): ``wdt:P361`` part of, ``^wdt:P527`` has part(s);
- ``cwo:timeSpan`` (event or work -> date): ``P585`` point in time (read against the whole
  span), ``P580`` start time (its begin), ``P582`` end time (its end).

Only facts whose subject and object are both linked can be compared, and a Wikidata statement
counts only where its subject and object are of the kinds our property allows (``wdt:P17`` on
an organisation is not a place of an event).
"""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .. import model
from ..namespaces import WD, WDT
from ..sparql.query import run_query
from ..sparql.results import QueryResult, Term

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build

from .dates import AGREE, DISAGREE, GREGORIAN, NOT_COMPARED, compare_date, wikidata_date
from .links import Link, cell, final_item, iris_cell, links, resolve
from .service import BATCH_SIZE, PREFIXES, Asker, Wikidata, batches, qid_of, text_of

# Comparing the facts

BOTH = "both"
ONLY_HERE = "only here"
ONLY_IN_WIKIDATA = "only in Wikidata"
#: Comparison statuses: facts (first three), dates (all but ``both``).
COMPARISON_STATUSES = (BOTH, ONLY_HERE, ONLY_IN_WIKIDATA, AGREE, DISAGREE, NOT_COMPARED)

#: Our property (ontology local name) -> the Wikidata properties that state the same fact,
#: as (property id, inverse); an inverse statement is on the object's item.
ALIGNMENT: dict[str, tuple[tuple[str, bool], ...]] = {
    "participant": (("P710", False), ("P1344", True)),
    "place": (("P276", False), ("P17", False)),
    "memberOf": (("P463", False),),
    "partOf": (("P361", False), ("P527", True)),
}

#: Wikidata's date properties compared with our time-spans, and which of our bounds each one
#: is read against: point in time -> the whole span, start -> the begin, end -> the end.
DATE_ALIGNMENT: dict[str, tuple[str, str]] = {
    "P585": ("earliestBegin", "latestEnd"),
    "P580": ("earliestBegin", "latestBegin"),
    "P582": ("earliestEnd", "latestEnd"),
}


def _spelled(pid: str, inverse: bool) -> str:
    return f"^wdt:{pid}" if inverse else f"wdt:{pid}"


@dataclass(frozen=True, slots=True)
class Comparison:
    """One compared fact or date.

    For facts, ``object`` is our entity and ``wikidata`` the Wikidata statements that state it
    (``wdt:P710``, or ``^wdt:P1344`` for one on the object's item) or, for a fact only here,
    the one to add. For dates, ``ours`` is our EDTF date, ``theirs`` Wikidata's date at its
    precision, ``precision`` the precision they were compared at.

    >>> import coldwar_lod, pyoxigraph as ox
    >>> report = coldwar_lod.compare_with_wikidata(coldwar_lod.build(), ox.Store())
    >>> report.comparisons  # an empty store holds none of the linked items
    []
    """

    status: str
    subject: str  # our IRI
    subject_qid: str  # the item (after redirects)
    predicate: str  # our property IRI
    wikidata: tuple[str, ...]
    object: str | None = None
    object_qid: str | None = None
    ours: str | None = None
    theirs: str | None = None
    precision: str | None = None
    claims: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def is_date(self) -> bool:
        return self.object is None


@dataclass(slots=True)
class ComparisonReport:
    """Our facts and dates next to Wikidata's (see :func:`compare_with_wikidata`).

    >>> import coldwar_lod, pyoxigraph as ox
    >>> report = coldwar_lod.compare_with_wikidata(coldwar_lod.build(), ox.Store())
    >>> print(report.summary().splitlines()[0])
    0 fact(s) between linked entities: 0 both, 0 only here, 0 only in Wikidata
    """

    comparisons: list[Comparison]
    where: str
    links: int = 0
    not_compared: list[Link] = field(default_factory=list)  # links to missing items
    redirected: list[Link] = field(default_factory=list)  # links followed through redirects
    requests: int = 0
    seconds: float = 0.0

    def counts(self, dates: bool | None = None) -> dict[str, int]:
        """How many comparisons have each status (``dates``: only dates, or only facts)."""
        counts = dict.fromkeys(COMPARISON_STATUSES, 0)
        for c in self.comparisons:
            if dates is None or c.is_date == dates:
                counts[c.status] += 1
        return counts

    def summary(self) -> str:
        """Two or three lines: the counts of facts and dates, and the links left out."""
        facts = self.counts(dates=False)
        dates = self.counts(dates=True)
        n_facts, n_dates = sum(facts.values()), sum(dates.values())
        lines = [
            f"{n_facts} fact(s) between linked entities: {facts[BOTH]} both, "
            f"{facts[ONLY_HERE]} only here, {facts[ONLY_IN_WIKIDATA]} only in Wikidata",
            f"{n_dates} date(s): {dates[AGREE]} agree, {dates[DISAGREE]} disagree, "
            f"{dates[ONLY_HERE]} only here, {dates[ONLY_IN_WIKIDATA]} only in Wikidata"
            + (f", {dates[NOT_COMPARED]} not compared" if dates[NOT_COMPARED] else ""),
        ]
        left = []
        if self.redirected:
            left.append(f"{len(self.redirected)} link(s) followed through a redirect")
        if self.not_compared:
            left.append(f"{len(self.not_compared)} link(s) to missing items left out")
        tail = "; ".join(left) + ("; run `coldwar-lod wikidata check`" if left else "")
        lines.append(f"{self.links} link(s) compared ({self.where}, {self.requests} "
                     f"request(s), {self.seconds:.2f} s)" + (f"; {tail}" if tail else ""))
        return "\n".join(lines)

    COLUMNS = ("status", "subject", "subjectItem", "property", "object", "objectItem",
               "wikidata", "ourDate", "wikidataDate", "precision", "claims", "sources")

    def result(self, prefixes: Mapping[str, str] | None = None) -> QueryResult:
        """The report as a table of RDF terms, for ``table``, ``csv``, ``tsv`` or ``json``.

        :param prefixes: shorten IRIs listed together in one cell (for the ``table`` format;
            the other formats keep full IRIs).
        """
        rows: list[tuple[Term | None, ...]] = [(
            ox.Literal(c.status), ox.NamedNode(c.subject), ox.NamedNode(WD + c.subject_qid),
            ox.NamedNode(c.predicate), ox.NamedNode(c.object) if c.object else None,
            ox.NamedNode(WD + c.object_qid) if c.object_qid else None,
            cell(c.wikidata), cell([c.ours or ""]), cell([c.theirs or ""]),
            cell([c.precision or ""]), iris_cell(c.claims, prefixes),
            iris_cell(c.sources, prefixes),
        ) for c in self.comparisons]
        return QueryResult("select", list(self.COLUMNS), list(rows), seconds=self.seconds,
                           where=self.where)


_STATEMENTS = PREFIXES + """SELECT ?item ?property ?value WHERE {
  VALUES ?item { %s }
  VALUES ?property { %s }
  ?item ?property ?value .
  FILTER(ISIRI(?value))
}"""

_DATES = PREFIXES + """SELECT ?item ?property ?time ?precision ?calendar WHERE {
  VALUES ?item { %s }
  VALUES (?property ?statementProperty ?valueProperty) { %s }
  ?item ?statementProperty ?statement .
  ?statement a wikibase:BestRank ; ?valueProperty ?value .
  ?value wikibase:timeValue ?time ; wikibase:timePrecision ?precision .
  OPTIONAL { ?value wikibase:timeCalendarModel ?calendar }
}"""

_OUR_FACTS = """PREFIX cwo: <%s>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?subject ?property ?object ?claim ?source WHERE {
  VALUES ?property { %s }
  ?subject ?property ?object .
  OPTIONAL {
    ?claim rdf:subject ?subject ; rdf:predicate ?property ; rdf:object ?object ;
           cwo:rank ?rank .
    FILTER(?rank != cwo:DeprecatedRank)
    OPTIONAL { ?claim cwo:statedIn ?source }
  }
}"""

_OUR_DATES = """PREFIX cwo: <%s>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?subject ?span ?edtf ?precision ?earliestBegin ?latestBegin ?earliestEnd ?latestEnd
       ?claim ?source WHERE {
  ?subject cwo:timeSpan ?span .
  ?span cwo:edtf ?edtf ; cwo:precision ?precision .
  OPTIONAL { ?span cwo:earliestBegin ?earliestBegin }
  OPTIONAL { ?span cwo:latestBegin ?latestBegin }
  OPTIONAL { ?span cwo:earliestEnd ?earliestEnd }
  OPTIONAL { ?span cwo:latestEnd ?latestEnd }
  OPTIONAL {
    ?claim rdf:object ?span ; cwo:rank ?rank .
    FILTER(?rank != cwo:DeprecatedRank)
    OPTIONAL { ?claim cwo:statedIn ?source }
  }
}"""


@dataclass(slots=True)
class _Evidence:
    claims: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)

    def add(self, claim: object, source: object) -> None:
        if isinstance(claim, ox.NamedNode):
            self.claims.add(claim.value)
        if isinstance(source, ox.NamedNode):
            self.sources.add(source.value)


@dataclass(slots=True)
class _Span:
    edtf: str
    precision: str
    bounds: dict[str, datetime | None]
    evidence: _Evidence


def _our_facts(build: Build, store: ox.Store) -> dict[tuple[str, str, str], _Evidence]:
    space = build.space
    values = " ".join(f"cwo:{name}" for name in ALIGNMENT)
    result = run_query(_OUR_FACTS % (space.ontology, values), store=store)
    facts: dict[tuple[str, str, str], _Evidence] = defaultdict(_Evidence)
    for subject, prop, obj, claim, source in result.rows:
        if isinstance(subject, ox.NamedNode) and isinstance(obj, ox.NamedNode):
            facts[(subject.value, text_of(prop) or "", obj.value)].add(claim, source)
    return facts


def _our_dates(build: Build, store: ox.Store) -> dict[str, dict[str, _Span]]:
    space = build.space
    precisions = {space.ontology + term: name for name, term in model.PRECISION_TERMS.items()}
    result = run_query(_OUR_DATES % space.ontology, store=store)
    spans: dict[str, dict[str, _Span]] = defaultdict(dict)
    for row in result.rows:
        subject, span, edtf, precision, eb, lb, ee, le, claim, source = row
        if not isinstance(subject, ox.NamedNode) or not isinstance(span, ox.NamedNode):
            continue
        if span.value not in spans[subject.value]:
            bounds = {name: datetime.fromisoformat(t.value) if isinstance(t, ox.Literal)
                      else None for name, t in (("earliestBegin", eb), ("latestBegin", lb),
                                                ("earliestEnd", ee), ("latestEnd", le))}
            spans[subject.value][span.value] = _Span(
                text_of(edtf) or "", precisions.get(text_of(precision) or "", "day"), bounds,
                _Evidence())
        spans[subject.value][span.value].evidence.add(claim, source)
    return spans


def _property_kinds(term: str) -> model.ClaimProperty:
    return next(p for p in model.CLAIM_PROPERTIES.values() if p.term == term)


def compare_with_wikidata(build: Build, wikidata: Wikidata | None = None, *,
                          batch_size: int = BATCH_SIZE) -> ComparisonReport:
    """Compare our facts and dates between linked entities with Wikidata's truthy statements.

    Our side is the dataset's plain ("truthy") triples, derived from the best-ranked claims;
    Wikidata's side its truthy ``wdt:`` statements (for dates: the best-ranked statements,
    read through ``p:``/``psv:`` for their precision). Links are followed through redirects;
    links to missing items are left out (:attr:`ComparisonReport.not_compared`).

    Facts (:data:`ALIGNMENT`) are ``both``, ``only here`` (with our claims and their sources,
    ready to be added to Wikidata as references) or ``only in Wikidata``. Dates
    (:data:`DATE_ALIGNMENT`) ``agree`` or ``disagree`` at the coarser precision of the two
    (:func:`compare_date`), or are ``only here`` / ``only in Wikidata``; every pair of our
    time-span and Wikidata date is compared (two sources can give two dates).

    :param build: the dataset (:func:`coldwar_lod.build`).
    :param wikidata: as for :func:`check_links`.
    :param batch_size: items per request.
    :raises EndpointError: if the service cannot be reached, refuses or fails (exit code 4).
    :raises QueryError: if the service rejects a query or it times out (exit code 5).
    :raises InputError: for a bad URL or batch size.

    >>> import coldwar_lod, pyoxigraph as ox
    >>> local = ox.Store()     # Wikidata knows the invasion, and that it was in August 1968
    >>> local.load(b'''@prefix wd: <http://www.wikidata.org/entity/> .
    ... @prefix p: <http://www.wikidata.org/prop/> .
    ... @prefix psv: <http://www.wikidata.org/prop/statement/value/> .
    ... @prefix wikibase: <http://wikiba.se/ontology#> .
    ... wd:Q1773668 p:P585 [ a wikibase:BestRank ; psv:P585 [
    ...     wikibase:timeValue "1968-08-01T00:00:00Z" ; wikibase:timePrecision 10 ] ] .''',
    ...     ox.RdfFormat.TURTLE)
    >>> report = compare_with_wikidata(coldwar_lod.build(), local)
    >>> [(c.status, c.ours, c.theirs, c.precision) for c in report.comparisons
    ...  if c.subject_qid == "Q1773668" and c.is_date]
    [('agree', '1968-08-20/1968-08-21', '1968-08', 'month')]
    """
    started = time.perf_counter()
    asker = Asker(wikidata)
    linked = links(build)
    items, targets = resolve(asker, linked, batch_size)
    found = _Linked()
    for ln in linked:
        final = final_item(ln.qid, items, targets)
        if final is None:
            found.not_compared.append(ln)
            continue
        if final.qid != ln.qid:
            found.redirected.append(ln)
        found.by_entity[ln.entity] = ln
        found.current[ln.entity] = final.qid
        found.ours_of[final.qid].append(ln.entity)
    store = build.store()
    comparisons = _compare_facts(asker, build, store, found, batch_size)
    comparisons += _compare_dates(asker, build, store, found, batch_size)
    comparisons.sort(key=lambda c: (c.subject, c.predicate, c.object or "", c.wikidata,
                                    c.ours or "", c.theirs or ""))
    return ComparisonReport(comparisons, asker.where, len(found.current), found.not_compared,
                            found.redirected, asker.requests, time.perf_counter() - started)


@dataclass(slots=True)
class _Linked:
    """Our linked entities whose items exist (after redirects), and those left out."""

    by_entity: dict[str, Link] = field(default_factory=dict)
    current: dict[str, str] = field(default_factory=dict)  # our IRI -> QID (after redirects)
    ours_of: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    not_compared: list[Link] = field(default_factory=list)
    redirected: list[Link] = field(default_factory=list)

    def qids(self, kinds: frozenset[str] | None = None) -> list[str]:
        """The items, in QID order (of entities of ``kinds`` only, if given)."""
        qids = {self.current[e] for e, ln in self.by_entity.items()
                if kinds is None or ln.kind in kinds}
        return sorted(qids, key=lambda q: int(q[1:]))


def _their_facts(asker: Asker, ontology: str, found: _Linked,
                 batch_size: int) -> dict[tuple[str, str, str], set[str]]:
    """Wikidata's statements between linked items, read as our facts: (s, p, o) -> wdt:P."""
    pids = sorted({pid for aligned in ALIGNMENT.values() for pid, _ in aligned})
    theirs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for batch in batches(found.qids(), batch_size):
        text = _STATEMENTS % (" ".join(f"wd:{q}" for q in batch),
                              " ".join(f"wdt:{p}" for p in pids))
        for item, prop, value in asker.ask(text).rows:
            item_qid, value_qid = qid_of(item), qid_of(value)
            pid = (text_of(prop) or "")[len(WDT):]
            if item_qid is None or value_qid is None or value_qid not in found.ours_of:
                continue
            for name, aligned in ALIGNMENT.items():
                kinds = _property_kinds(name)
                for inverse in (inv for aligned_pid, inv in aligned if aligned_pid == pid):
                    s_qid, o_qid = (value_qid, item_qid) if inverse else (item_qid, value_qid)
                    for s in found.ours_of.get(s_qid, ()):
                        for o in found.ours_of.get(o_qid, ()):
                            if (found.by_entity[s].kind in kinds.subject_kinds
                                    and found.by_entity[o].kind in kinds.object_kinds):
                                theirs[(s, ontology + name, o)].add(_spelled(pid, inverse))
    return theirs


def _compare_facts(asker: Asker, build: Build, store: ox.Store, found: _Linked,
                   batch_size: int) -> list[Comparison]:
    ontology = build.space.ontology
    theirs = _their_facts(asker, ontology, found, batch_size)
    ours = {key: ev for key, ev in _our_facts(build, store).items()
            if key[0] in found.current and key[2] in found.current}
    out = []
    for key in sorted(set(ours) | set(theirs)):
        s, predicate, o = key
        evidence = ours.get(key, _Evidence())
        if key in ours and key in theirs:
            status, spelled = BOTH, tuple(sorted(theirs[key]))
        elif key in ours:
            pid, inverse = ALIGNMENT[predicate[len(ontology):]][0]
            status, spelled = ONLY_HERE, (_spelled(pid, inverse),)
        else:
            status, spelled = ONLY_IN_WIKIDATA, tuple(sorted(theirs[key]))
        out.append(Comparison(
            status, s, found.current[s], predicate, spelled, o, found.current[o],
            claims=tuple(sorted(evidence.claims)), sources=tuple(sorted(evidence.sources))))
    return out


@dataclass(frozen=True, slots=True, order=True)
class _Stated:
    """A best-ranked Wikidata date statement."""

    pid: str
    lexical: str
    precision: int
    julian: bool


def _their_dates(asker: Asker, qids: Sequence[str],
                 batch_size: int) -> dict[str, set[_Stated]]:
    stated: dict[str, set[_Stated]] = defaultdict(set)
    for batch in batches(qids, batch_size):
        text = _DATES % (" ".join(f"wd:{q}" for q in batch),
                         " ".join(f"(wdt:{p} p:{p} psv:{p})" for p in DATE_ALIGNMENT))
        for item, prop, when, precision, calendar in asker.ask(text).rows:
            qid = qid_of(item)
            if qid is None or not isinstance(when, ox.Literal):
                continue
            julian = text_of(calendar) not in (None, GREGORIAN)
            stated[qid].add(_Stated((text_of(prop) or "")[len(WDT):], when.value,
                                    int(text_of(precision) or 0), julian))
    return stated


def _compare_dates(asker: Asker, build: Build, store: ox.Store, found: _Linked,
                   batch_size: int) -> list[Comparison]:
    kinds = _property_kinds("timeSpan").subject_kinds
    stated = _their_dates(asker, found.qids(kinds), batch_size)
    spans = _our_dates(build, store)
    predicate = build.space.ontology + "timeSpan"
    out: list[Comparison] = []
    for entity in sorted(e for e, ln in found.by_entity.items() if ln.kind in kinds):
        qid = found.current[entity]
        ours = sorted(spans.get(entity, {}).values(), key=lambda sp: sp.edtf)
        if not stated.get(qid):
            out.extend(Comparison(
                ONLY_HERE, entity, qid, predicate,
                ("wdt:P580", "wdt:P582") if "/" in sp.edtf else ("wdt:P585",), ours=sp.edtf,
                claims=tuple(sorted(sp.evidence.claims)),
                sources=tuple(sorted(sp.evidence.sources))) for sp in ours)
            continue
        for date in sorted(stated[qid]):
            parsed = wikidata_date(date.lexical, date.precision)
            if parsed is None:
                continue
            value, shown = parsed
            if date.julian:
                shown += " (Julian calendar)"
            if not ours:
                out.append(Comparison(ONLY_IN_WIKIDATA, entity, qid, predicate,
                                      (f"wdt:{date.pid}",), theirs=shown))
            for sp in ours:
                low, high = (sp.bounds[b] for b in DATE_ALIGNMENT[date.pid])
                status, level = ((NOT_COMPARED, "") if date.julian else
                                 compare_date(low, high, sp.precision, value, date.precision))
                out.append(Comparison(
                    status, entity, qid, predicate, (f"wdt:{date.pid}",), ours=sp.edtf,
                    theirs=shown, precision=level or None,
                    claims=tuple(sorted(sp.evidence.claims)),
                    sources=tuple(sorted(sp.evidence.sources))))
    return out

