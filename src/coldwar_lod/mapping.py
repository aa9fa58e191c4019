"""Mapping checked records to RDF triples under the ontology (no I/O).

Every factual statement is a ``cwo:Claim`` (an ``rdf:Statement``) with its rank, qualifiers
and locators into the sources. The plain ("truthy") triples that simple queries use are derived
from the best-ranked claims of each subject and property, as Wikidata derives ``wdt:``
triples: preferred claims if any, else normal ones; deprecated claims never.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from pyoxigraph import Literal, NamedNode, Triple

from . import model
from .dates import parse_edtf
from .namespaces import (
    BIBO,
    DCTERMS,
    OA,
    PROV,
    RDF,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    SKOS,
    WD,
    XSD,
    IriSpace,
)
from .records import Records, Row, parse_labels, parse_locators

_RANK_ORDER = {"preferred": 0, "normal": 1, "deprecated": 2}


@dataclass(slots=True)
class Mapped:
    """The triples of a build, grouped by subject, and for every minted subject the record it
    came from.

    The groups are what sorting needs (:meth:`sorted`): each subject's N-Triples form is made
    once, not once per triple, and its ``rdf:type`` triples are kept apart.
    """

    types: dict[str, set[Triple]] = field(default_factory=dict)
    other: dict[str, set[Triple]] = field(default_factory=dict)
    lineage: dict[str, str] = field(default_factory=dict)

    @property
    def triples(self) -> Iterator[Triple]:
        """Every triple, in no particular order."""
        for groups in (self.types, self.other):
            for group in groups.values():
                yield from group

    def __len__(self) -> int:
        return sum(len(g) for g in self.types.values()) + sum(len(g) for g in self.other.values())

    def sorted(self) -> list[Triple]:
        """The triples in the order of :func:`sort_key` (the same as :func:`sorted_triples`)."""
        out: list[Triple] = []
        none: set[Triple] = set()
        for subject in sorted(self.types.keys() | self.other.keys()):
            for group in (self.types.get(subject, none), self.other.get(subject, none)):
                # Within one subject, the N-Triples text orders by predicate, then object.
                out.extend(sorted(group, key=str) if len(group) > 1 else group)
        return out


#: :func:`map_records` hands over the triples in chunks of about this many.
CHUNK = 10_000


def map_records(records: Records, space: IriSpace,
                on_triples: Callable[[list[Triple]], None] | None = None) -> Mapped:
    """Turn checked records into triples.

    :param records: records from :func:`coldwar_lod.records.load_records`.
    :param space: the IRI space (base) to publish under.
    :param on_triples: called with each :data:`CHUNK` or so of triples as they are mapped,
        and with the rest at the end (a triple stated twice may come twice), so that a
        consumer can start on them during the mapping (``build_and_render`` feeds the
        validating child). The list is the caller's to keep.

    >>> from coldwar_lod.records import load_records
    >>> from coldwar_lod.resources import default_data_dir
    >>> mapped = map_records(load_records(default_data_dir()), IriSpace.from_base())
    >>> mapped.lineage["https://w3id.org/coldwar-lod/id/event/prague-spring"].split(":")[0]
    'data/events.csv'
    """
    return _Mapper(records, space, on_triples).run()


class _Mapper:
    def __init__(self, records: Records, space: IriSpace,
                 on_triples: Callable[[list[Triple]], None] | None = None) -> None:
        self.records = records
        self.space = space
        self.out = Mapped()
        self.on_triples = on_triples
        # what was mapped since on_triples was last called (None: nobody asks)
        self.log: list[Triple] | None = [] if on_triples is not None else None
        # Terms and entity IRIs recur in every claim: make each NamedNode once.
        self.t = functools.cache(space.term)
        self._iris: dict[str, NamedNode] = {}
        self._checksums: dict[str, Literal] = {}

    def run(self) -> Mapped:
        log = self.log
        for rows, map_row in ((self.records.entities, self.entity),
                              (self.records.claims, self.claim)):
            for row in rows.values():
                map_row(row)
                if log is not None and len(log) >= CHUNK:
                    self.hand_over()
        self.truthy()
        for row in self.records.disagreements.values():
            self.disagreement(row)
        self.licence()
        if log is not None:
            self.hand_over()
        return self.out

    def licence(self) -> None:
        """The data's licence, stated in the data itself, so that every dump carries it."""
        dataset = self.space.instance("dataset", "coldwar-lod")
        self.adder(dataset)(Triple(dataset, DCTERMS.license, NamedNode(model.LICENCE)))

    def hand_over(self) -> None:
        assert self.on_triples is not None and self.log is not None
        self.on_triples(self.log[:])
        self.log.clear()

    def iri(self, slug: str) -> NamedNode:
        node = self._iris.get(slug)
        if node is None:
            row = self.records.entities[slug]
            node = self._iris[slug] = self.space.instance(model.ENTITY_KINDS[row.kind], slug)
        return node

    def adder(self, node: NamedNode) -> Callable[[Triple], None]:
        """Adds a triple about ``node`` (which must be its subject; not ``rdf:type``)."""
        key = str(node)
        group = self.out.other.get(key)
        if group is None:
            group = self.out.other[key] = set()
        if self.log is None:
            return group.add
        add, log = group.add, self.log.append

        def add_and_log(triple: Triple) -> None:
            add(triple)
            log(triple)

        return add_and_log

    def typed(self, node: NamedNode, cls: NamedNode) -> None:
        """States that ``node`` is a ``cls``."""
        key = str(node)
        group = self.out.types.get(key)
        if group is None:
            group = self.out.types[key] = set()
        triple = Triple(node, RDF_TYPE, cls)
        group.add(triple)
        if self.log is not None:
            self.log.append(triple)

    def entity(self, row: Row) -> None:
        node = self.iri(row.slug)
        self.out.lineage[node.value] = row.where()
        add = self.adder(node)
        self.typed(node, self.t(model.TYPES[row.kind][row.get("type")]))
        add(Triple(node, RDFS.label, Literal(row.get("label_en"), language="en")))
        for lang, text in parse_labels(row.get("labels")) if row.get("labels") else ():
            add(Triple(node, RDFS.label, Literal(text, language=lang)))
        for lang, text in parse_labels(row.get("alt_labels")) if row.get("alt_labels") else ():
            add(Triple(node, SKOS.altLabel, Literal(text, language=lang)))
        if row.get("description"):
            add(Triple(node, RDFS.comment, Literal(row.get("description"), language="en")))
        if row.get("qid"):
            add(Triple(node, SKOS.exactMatch, NamedNode(WD + row.get("qid"))))
        if row.kind == "positions":
            add(Triple(node, self.t("positionIn"), self.iri(row.get("organisation"))))
        if row.kind in model.WORK_KINDS:
            self.bibliographic(row, node)

    def bibliographic(self, row: Row, node: NamedNode) -> None:
        add = self.adder(node)
        add(Triple(node, DCTERMS.title, Literal(row.get("label_en"))))
        for column, predicate in (
            ("author", DCTERMS.creator), ("publisher", DCTERMS.publisher),
            ("journal", self.t("journalTitle")), ("volume", BIBO.volume),
            ("issue", BIBO.issue), ("pages", BIBO.pages), ("doi", BIBO.doi),
            ("jstor", self.t("jstorStableId")),
            ("language", DCTERMS.language),
        ):
            if row.get(column):
                add(Triple(node, predicate, Literal(row.get(column))))
        for column, date_predicate in (("issued", DCTERMS.issued), ("year", DCTERMS.issued),
                                       ("modified", DCTERMS.modified)):
            if row.get(column):
                add(Triple(node, date_predicate, _date_literal(row.get(column))))
        if row.get("url"):
            add(Triple(node, SCHEMA.url, NamedNode(row.get("url"))))
        for author in row.get("authors").split():
            add(Triple(node, DCTERMS.creator, self.iri(author)))
        if row.kind == "sources":
            self.typed(node, self.t("Source"))
            add(Triple(node, self.t("sha256"), Literal(row.get("sha256"))))
            add(Triple(node, self.t("textLength"),
                       Literal(row.get("length"), datatype=XSD.integer)))
            add(Triple(node, self.t("textFile"), Literal(row.get("file"))))
        if row.get("locators"):
            self.locators(row, node, node.value)

    def locators(self, row: Row, node: NamedNode, base_iri: str) -> None:
        add = self.adder(node)
        stated_in, sha256, locator = self.t("statedIn"), self.t("sha256"), self.t("Locator")
        for loc in parse_locators(row.get("locators")):
            source = self.iri(loc.source)
            frag = f"{loc.source}-{loc.start}-{loc.end}"
            target = NamedNode(f"{base_iri}#{frag}")
            selector = NamedNode(f"{base_iri}#{frag}-selector")
            self.out.lineage[target.value] = self.out.lineage[selector.value] = row.where()
            add(Triple(node, PROV.wasDerivedFrom, target))
            add(Triple(node, stated_in, source))
            self.typed(target, locator)
            add_target = self.adder(target)
            add_target(Triple(target, OA.hasSource, source))
            add_target(Triple(target, OA.hasSelector, selector))
            add_target(Triple(target, sha256, self.checksum(loc.source)))
            self.typed(selector, OA.TextPositionSelector)
            add_selector = self.adder(selector)
            add_selector(Triple(selector, OA.start, Literal(str(loc.start), datatype=XSD.integer)))
            add_selector(Triple(selector, OA.end, Literal(str(loc.end), datatype=XSD.integer)))

    def checksum(self, source: str) -> Literal:
        """A source's SHA-256 as a literal, made once per source."""
        literal = self._checksums.get(source)
        if literal is None:
            literal = Literal(self.records.entities[source].get("sha256"))
            self._checksums[source] = literal
        return literal

    def timespan(self, node: NamedNode, edtf: str, where: str) -> NamedNode:
        bounds = parse_edtf(edtf)
        self.out.lineage[node.value] = where
        add, t = self.adder(node), self.t
        self.typed(node, t("TimeSpan"))
        add(Triple(node, t("edtf"), Literal(bounds.edtf)))
        add(Triple(node, t("precision"), t(model.PRECISION_TERMS[bounds.precision])))
        for name, value in (
            ("earliestBegin", bounds.earliest_begin), ("latestBegin", bounds.latest_begin),
            ("earliestEnd", bounds.earliest_end), ("latestEnd", bounds.latest_end),
        ):
            if value is not None:
                add(Triple(node, t(name), _datetime(value)))
        if bounds.qualifier:
            add(Triple(node, t("dateQualifier"), Literal(bounds.qualifier)))
        return node

    def claim_object(self, row: Row, node: NamedNode) -> NamedNode | Literal:
        prop = model.CLAIM_PROPERTIES[row.get("property")]
        obj = row.get("object")
        if prop.object_kind == "entity":
            return self.iri(obj)
        if prop.object_kind == "date":
            return self.timespan(NamedNode(node.value + "#timespan"), obj, row.where())
        if prop.object_kind == "integer":
            return Literal(obj, datatype=XSD.integer)
        if prop.object_kind == "status":
            return self.t(model.EVENT_STATUSES[obj])
        return Literal(obj, language="en")

    def claim(self, row: Row) -> None:
        node = self.space.instance("claim", row.slug)
        self.out.lineage[node.value] = row.where()
        add, t = self.adder(node), self.t
        prop = model.CLAIM_PROPERTIES[row.get("property")]
        self.typed(node, t("Claim"))
        add(Triple(node, RDF.subject, self.iri(row.get("subject"))))
        add(Triple(node, RDF.predicate, t(prop.term)))
        add(Triple(node, RDF.object, self.claim_object(row, node)))
        add(Triple(node, t("rank"), t(model.RANKS[row.get("rank") or "normal"])))
        if row.get("role"):
            add(Triple(node, t("role"), t(model.ROLES[row.get("role")])))
        if row.get("when"):
            span = self.timespan(NamedNode(node.value + "#when"), row.get("when"), row.where())
            add(Triple(node, t("when"), span))
        if row.get("replaces"):
            add(Triple(node, t("replaces"), self.iri(row.get("replaces"))))
        if row.get("according_to"):
            add(Triple(node, t("accordingTo"), self.iri(row.get("according_to"))))
        if row.get("bound"):
            add(Triple(node, t("bound"), t(model.BOUNDS[row.get("bound")])))
        if row.get("pages"):
            add(Triple(node, t("pagesCited"), Literal(row.get("pages"))))
        if row.get("note"):
            add(Triple(node, SKOS.editorialNote, Literal(row.get("note"), language="en")))
        self.locators(row, node, node.value)

    def truthy(self) -> None:
        """Derive the plain triples from the best-ranked claims of each subject/property."""
        groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for row in self.records.claims.values():
            groups[(row.get("subject"), row.get("property"))].append(row)
        for (subject, prop_name), rows in groups.items():
            best = min(_RANK_ORDER[r.get("rank") or "normal"] for r in rows)
            if best == _RANK_ORDER["deprecated"]:
                continue
            predicate = self.t(model.CLAIM_PROPERTIES[prop_name].term)
            for row in rows:
                if _RANK_ORDER[row.get("rank") or "normal"] == best:
                    node = self.space.instance("claim", row.slug)
                    obj = self.claim_object(row, node)
                    entity = self.iri(subject)
                    self.adder(entity)(Triple(entity, predicate, obj))

    def disagreement(self, row: Row) -> None:
        node = self.space.instance("disagreement", row.slug)
        self.out.lineage[node.value] = row.where()
        add = self.adder(node)
        self.typed(node, self.t("Disagreement"))
        add(Triple(node, RDFS.label, Literal(row.get("label_en"), language="en")))
        add(Triple(node, SKOS.editorialNote, Literal(row.get("note"), language="en")))
        for slug in row.get("claims").split():
            add(Triple(node, self.t("competingClaim"), self.space.instance("claim", slug)))


def _datetime(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def _date_literal(edtf: str) -> Literal:
    """A bibliographic date as the most specific XSD type its precision allows."""
    parts = edtf.rstrip("?~%").split("-")
    if len(parts) == 1:
        return Literal(parts[0], datatype=XSD.gYear)
    if len(parts) == 2:
        return Literal(edtf, datatype=XSD.gYearMonth)
    return Literal(edtf, datatype=XSD.date)


def sort_key(triple: Triple) -> tuple[str, bool, str]:
    """Order for serializations: by subject, ``rdf:type`` first, then predicate and object.

    Subjects, and then predicates and objects, are in the code-point order of their N-Triples
    text (``str(triple)``).
    """
    return (str(triple.subject), triple.predicate != RDF_TYPE, str(triple))


def sorted_triples(triples: Iterable[Triple]) -> list[Triple]:
    """Triples in the stable order that makes two builds byte-identical (:func:`sort_key`).

    The triples are grouped by subject first, and only the subjects and each subject's few
    triples are sorted: the same order as ``sorted(triples, key=sort_key)``, in less time.
    (A build's triples come grouped already: :meth:`Mapped.sorted`.)
    """
    grouped = Mapped()
    for triple in triples:
        groups = grouped.types if triple.predicate == RDF_TYPE else grouped.other
        subject = str(triple.subject)
        group = groups.get(subject)
        if group is None:
            groups[subject] = {triple}
        else:
            group.add(triple)
    return grouped.sorted()
