"""Every claim of the dataset in Wikidata's own RDF model, so that a query written for the
Wikidata Query Service runs on it (alone, or loaded beside Wikidata's RDF).

Each claim is a statement node (the claim's IRI) in Wikidata's layout::

    wd:Q1773668 p:P710 <.../claim/invasion-participant-ussr> .
    <.../claim/invasion-participant-ussr> a wikibase:Statement, wikibase:BestRank ;
        ps:P710 wd:Q15180 ; pq:P3831 cwo:Invader ; wikibase:rank wikibase:NormalRank ;
        prov:wasDerivedFrom <.../claim/invasion-participant-ussr#ref-cvce-invasion> .
    <...#ref-cvce-invasion> a wikibase:Reference ; pr:P248 <.../source/cvce-invasion> ;
        pr:P854 <http://www.cvce.eu/...> .

Subjects and values are Wikidata items where the entity is linked, else our IRIs. Properties
Wikidata has an equivalent of use Wikidata's (:data:`ALIGNED`); the others use this project's
Wikibase-shaped namespaces ``BASE/prop/``, ``BASE/prop/statement/``, ... (as any Wikibase has
its own), named after the ontology term. Best-ranked statements also get the truthy ``wdt:``
triple and ``a wikibase:BestRank``, as in Wikidata's dumps; dates get a ``psv:`` time value
with ``wikibase:timePrecision``. References cite the source (``pr:P248`` stated in: its QID,
else its IRI here), its URL (``pr:P854``) and pages (``pr:P304``), never its text.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .. import model
from ..dates import DateError
from ..namespaces import PROV, RDF_TYPE, RDFS, WD, XSD
from .quickstatements import PRECISION, date_parts

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build
    from ..records import Row

WIKIBASE = "http://wikiba.se/ontology#"
GREGORIAN = ox.NamedNode(WD + "Q1985727")

#: Wikidata's namespaces for a property, by role (the prefixes Wikidata's RDF uses).
WIKIDATA_SPACES = {"p": "http://www.wikidata.org/prop/",
                   "ps": "http://www.wikidata.org/prop/statement/",
                   "psv": "http://www.wikidata.org/prop/statement/value/",
                   "pq": "http://www.wikidata.org/prop/qualifier/",
                   "pr": "http://www.wikidata.org/prop/reference/",
                   "wdt": "http://www.wikidata.org/prop/direct/"}
_PATHS = {"p": "prop/", "ps": "prop/statement/", "psv": "prop/statement/value/",
          "pq": "prop/qualifier/", "pr": "prop/reference/", "wdt": "prop/direct/"}

#: Claim properties with a Wikidata equivalent (``located-in`` is P17 for a state, else P131;
#: ``date`` is P585, or P580 and P582 for an interval).
ALIGNED = {"participant": "P710", "place": "P276", "part-of": "P361", "member-of": "P463",
           "held-position": "P39", "located-in": "P131", "cites": "P2860", "about": "P921"}
RANKS = {"preferred": "PreferredRank", "normal": "NormalRank", "deprecated": "DeprecatedRank"}
_ORDER = {"preferred": 0, "normal": 1, "deprecated": 2}


def wikibase_prefixes(build: Build) -> dict[str, str]:
    """The prefixes of the export: Wikidata's, and ``cwp``/``cwps``/... for ours."""
    ours = {"cw" + role: build.space.base + path for role, path in _PATHS.items()}
    return {"wd": WD, **WIKIDATA_SPACES, **ours, "wikibase": WIKIBASE, "prov": PROV.NS,
            "rdfs": RDFS.NS,
            "xsd": XSD.NS, "cwo": build.space.ontology,
            **{k: v for k, v in build.space.prefixes().items()
               if k in ("claim", "event", "person", "state", "organisation", "place",
                        "position", "work", "source")}}


class _Exporter:
    def __init__(self, build: Build) -> None:
        self.build = build
        self.space = build.space
        self.records = build.records
        self.triples: list[ox.Triple] = []

    def node(self, slug: str) -> ox.NamedNode:
        """The item of an entity where it is linked, else its IRI here."""
        row = self.records.entities[slug]
        if row.get("qid"):
            return ox.NamedNode(WD + row.get("qid"))
        return self.space.instance(model.ENTITY_KINDS[row.kind], slug)

    def prop(self, role: str, pid: str) -> ox.NamedNode:
        if pid.startswith("P") and pid[1:].isdigit():
            return ox.NamedNode(WIKIDATA_SPACES[role] + pid)
        return ox.NamedNode(self.space.base + _PATHS[role] + pid)

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(s, p, o))

    def run(self) -> list[ox.Triple]:
        groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for row in self.records.claims.values():
            groups[(row.get("subject"), row.get("property"))].append(row)
        for rows in groups.values():
            best = min(_ORDER[r.get("rank") or "normal"] for r in rows)
            for row in rows:
                rank = row.get("rank") or "normal"
                self.claim(row, best_rank=_ORDER[rank] == best and rank != "deprecated")
        for row in self.records.entities.values():
            if row.kind != "sources" and not row.get("qid"):
                node = self.node(row.slug)
                self.add(node, RDF_TYPE, ox.NamedNode(WIKIBASE + "Item"))
                self.add(node, RDFS.label, ox.Literal(row.get("label_en"), language="en"))
        return sorted(set(self.triples), key=str)

    def claim(self, row: Row, best_rank: bool) -> None:
        name = row.get("property")
        term = model.CLAIM_PROPERTIES[name].term
        node = self.space.instance("claim", row.slug)
        subject = self.node(row.get("subject"))
        if name == "date":
            try:
                parts = date_parts(row.get("object"))
            except DateError:
                return
            for index, (pid, span) in enumerate(parts):
                statement = ox.NamedNode(f"{node.value}#{pid}") if len(parts) > 1 else node
                value = ox.Literal(_instant(span.first), datatype=XSD.dateTime)
                self.statement(row, subject, statement, pid, value, best_rank)
                time_node = ox.NamedNode(f"{node.value}#value-{index}")
                self.add(statement, self.prop("psv", pid), time_node)
                self.time_value(time_node, value, PRECISION[span.precision])
            return
        pid = ALIGNED.get(name, term)
        obj = row.get("object")
        kind = model.CLAIM_PROPERTIES[name].object_kind
        target: ox.NamedNode | ox.Literal
        if kind == "entity":
            target = self.node(obj)
            if name == "located-in" and self.records.entities[obj].kind == "states":
                pid = "P17"
        elif kind == "integer":
            target = ox.Literal(obj, datatype=XSD.decimal)
        else:
            target = ox.Literal(obj, language="en")
        self.statement(row, subject, node, pid, target, best_rank)

    def statement(self, row: Row, subject: ox.NamedNode, node: ox.NamedNode, pid: str,
                  value: ox.NamedNode | ox.Literal, best_rank: bool) -> None:
        rank = row.get("rank") or "normal"
        self.add(subject, self.prop("p", pid), node)
        self.add(node, RDF_TYPE, ox.NamedNode(WIKIBASE + "Statement"))
        self.add(node, self.prop("ps", pid), value)
        self.add(node, ox.NamedNode(WIKIBASE + "rank"), ox.NamedNode(WIKIBASE + RANKS[rank]))
        if best_rank:
            self.add(node, RDF_TYPE, ox.NamedNode(WIKIBASE + "BestRank"))
            self.add(subject, self.prop("wdt", pid), value)
        self.qualifiers(row, node)
        self.references(row, node)

    def qualifiers(self, row: Row, node: ox.NamedNode) -> None:
        if row.get("role"):
            role = self.space.term(model.ROLES[row.get("role")])
            self.add(node, self.prop("pq", "P3831"), role)
        if row.get("when"):
            try:
                parts = date_parts(row.get("when"))
            except DateError:
                parts = []
            for pid, span in parts:
                self.add(node, self.prop("pq", pid),
                         ox.Literal(_instant(span.first), datatype=XSD.dateTime))
        if row.get("replaces"):
            self.add(node, self.prop("pq", "P1365"), self.node(row.get("replaces")))
        if row.get("according_to"):
            self.add(node, self.prop("pq", "accordingTo"), self.node(row.get("according_to")))
        if row.get("bound"):
            self.add(node, self.prop("pq", "bound"),
                     self.space.term(model.BOUNDS[row.get("bound")]))

    def references(self, row: Row, node: ox.NamedNode) -> None:
        sources = dict.fromkeys(loc.split(":", 1)[0] for loc in row.get("locators").split())
        for slug in sources:
            source = self.records.entities.get(slug)
            if source is None:
                continue
            # one reference node per claim and source (shared by both ends of an interval)
            ref = ox.NamedNode(f"{node.value.split('#')[0]}#ref-{slug}")
            self.add(node, PROV.wasDerivedFrom, ref)
            self.add(ref, RDF_TYPE, ox.NamedNode(WIKIBASE + "Reference"))
            stated = (ox.NamedNode(WD + source.get("qid")) if source.get("qid")
                      else self.space.instance("source", slug))
            self.add(ref, self.prop("pr", "P248"), stated)
            if source.get("url"):
                self.add(ref, self.prop("pr", "P854"), ox.NamedNode(source.get("url")))
            pages = row.get("pages") or source.get("pages")
            if pages:
                self.add(ref, self.prop("pr", "P304"), ox.Literal(pages))

    def time_value(self, node: ox.NamedNode, value: ox.Literal, precision: int) -> None:
        self.add(node, RDF_TYPE, ox.NamedNode(WIKIBASE + "TimeValue"))
        self.add(node, ox.NamedNode(WIKIBASE + "timeValue"), value)
        self.add(node, ox.NamedNode(WIKIBASE + "timePrecision"),
                 ox.Literal(str(precision), datatype=XSD.integer))
        self.add(node, ox.NamedNode(WIKIBASE + "timeTimezone"),
                 ox.Literal("0", datatype=XSD.integer))
        self.add(node, ox.NamedNode(WIKIBASE + "timeCalendarModel"), GREGORIAN)


def _instant(when: datetime) -> str:
    """Wikidata's lexical form of a time value: the day, at midnight UTC."""
    return f"{when.date().isoformat()}T00:00:00Z"


def wikibase_rdf(build: Build) -> bytes:
    """Every claim of the dataset in Wikidata's RDF model, as Turtle (sorted, deterministic).

    >>> import coldwar_lod, pyoxigraph as ox
    >>> ttl = coldwar_lod.wikibase_rdf(coldwar_lod.build())
    >>> store = ox.Store()
    >>> store.load(ttl, ox.RdfFormat.TURTLE)
    >>> rows = store.query('''PREFIX wd: <http://www.wikidata.org/entity/>
    ... PREFIX p: <http://www.wikidata.org/prop/>
    ... PREFIX ps: <http://www.wikidata.org/prop/statement/>
    ... PREFIX wikibase: <http://wikiba.se/ontology#>
    ... SELECT ?who WHERE { wd:Q1773668 p:P710 ?st . ?st ps:P710 ?who ;
    ...                     wikibase:rank wikibase:NormalRank } ORDER BY ?who''')
    >>> WD + "Q15180" in [row["who"].value for row in rows]
    True
    """
    return serialize(build, wikibase_triples(build))


def wikibase_triples(build: Build) -> list[ox.Triple]:
    """The triples of :func:`wikibase_rdf`, sorted."""
    return _Exporter(build).run()


def serialize(build: Build, triples: list[ox.Triple]) -> bytes:
    """Triples as Turtle with the export's prefixes."""
    out = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=wikibase_prefixes(build))
    assert out is not None  # serialize returns the bytes when given no output
    return out


def count_statements(triples: list[ox.Triple]) -> int:
    """How many statement nodes there are."""
    statement = ox.NamedNode(WIKIBASE + "Statement")
    return sum(1 for t in triples if t.predicate == RDF_TYPE and t.object == statement)
