"""The human changelog of a release: what changed in the data since the previous release.

Read from the two releases' data graphs (not from the records, which the previous release does
not keep): entities added, removed or revised (labels, descriptions, bibliographic details),
claims added, removed, re-ranked or otherwise revised (each with its sources), disagreements
opened, closed or revised, Wikidata links added and removed. The plain triples derived from the
claims are not listed: the claims behind them are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..model import CLAIM_PROPERTIES, ENTITY_KINDS
from ..namespaces import RDF, RDF_TYPE, RDFS, SKOS, WD, IriSpace

_LABEL = RDFS.label
_Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_MATCH = SKOS.exactMatch


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the changelog: the resource, its description, and its sources' IRIs."""

    iri: str
    text: str
    sources: tuple[str, ...] = ()


@dataclass(slots=True)
class Changes:
    """What changed between two releases' data, section by section (title -> items)."""

    sections: dict[str, list[Item]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {title: len(items) for title, items in self.sections.items() if items}

    def summary(self) -> str:
        """One sentence: the number of items in each section with any."""
        parts = [f"{n} {_lower(title)}" for title, n in self.counts().items()]
        return "; ".join(parts) if parts else "no change to the data"


class _Graph:
    """A data graph indexed by subject, with what the changelog reads from it."""

    def __init__(self, triples: Iterable[ox.Triple], space: IriSpace) -> None:
        self.space = space
        self.by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
        # a resource's triples and those of its parts (``IRI#...``: locators, time-spans)
        self.by_resource: dict[str, set[ox.Triple]] = defaultdict(set)
        for t in triples:
            if isinstance(t.subject, ox.NamedNode):
                self.by_subject[t.subject.value].append(t)
                self.by_resource[t.subject.value.partition("#")[0]].add(t)

    def values(self, subject: str, predicate: str) -> list[_Term]:
        return sorted((t.object for t in self.by_subject.get(subject, ())
                       if t.predicate.value == predicate), key=str)

    def typed(self, cls: str) -> set[str]:
        return {s for s, ts in self.by_subject.items()
                if any(t.predicate == RDF_TYPE and _value(t.object) == cls for t in ts)}

    def entities(self) -> set[str]:
        kinds = tuple(f"{self.space.ids}{kind}/" for kind in ENTITY_KINDS.values())
        return {s for s in self.by_subject
                if s.startswith(kinds) and "#" not in s and self.values(s, RDF.type.value)}

    def label(self, term: _Term) -> str:
        if isinstance(term, ox.Literal):
            return term.value
        if not isinstance(term, ox.NamedNode):
            return str(term)
        edtf = self.values(term.value, self.space.ontology + "edtf")
        if edtf:
            return _value(edtf[0])
        for label in self.values(term.value, RDFS.label.value):
            if isinstance(label, ox.Literal) and label.language == "en":
                return str(label.value)
        return _local(term.value)

    def claim(self, iri: str) -> Item:
        """A claim as ``subject · property · object [rank]`` with its sources."""
        subject, prop, obj = (self.values(iri, RDF.NS + x) for x in ("subject", "predicate",
                                                                    "object"))
        text = " · ".join(self.label(v[0]) if v else "?" for v in (subject, prop, obj))
        text += f" [{self.rank(iri)}]"
        sources = tuple(_value(s) for s in self.values(iri, self.space.ontology + "statedIn"))
        return Item(iri, text, sources)

    def rank(self, claim: str) -> str:
        """``preferred``, ``normal`` or ``deprecated``."""
        ranks = self.values(claim, self.space.ontology + "rank")
        return self.label(ranks[0]).removesuffix("Rank").lower() if ranks else "?"

    def own_triples(self, iri: str, leave_out: frozenset[str]) -> set[ox.Triple]:
        """The resource's triples and its parts', but those with a predicate left out."""
        return {t for t in self.by_resource.get(iri, ()) if t.predicate.value not in leave_out}


def _revised(before: _Graph, after: _Graph, iris: Iterable[str], leave_out: frozenset[str],
             describe: Callable[[str], Item]) -> list[Item]:
    """The resources among ``iris`` whose own triples changed, naming what changed."""
    out = []
    for iri in sorted(iris):
        differ = before.own_triples(iri, leave_out) ^ after.own_triples(iri, leave_out)
        if differ:
            what = ", ".join(sorted({_local(t.predicate.value) for t in differ}))
            item = describe(iri)
            out.append(Item(iri, f"{item.text}; changed: {what}", item.sources))
    return out


def compare(old: Iterable[ox.Triple], new: Iterable[ox.Triple], space: IriSpace) -> Changes:
    """The changes from the data graph ``old`` to ``new``."""
    before, after = _Graph(old, space), _Graph(new, space)
    changes = Changes()
    sections = changes.sections

    def named(graph: _Graph, iris: Iterable[str]) -> list[Item]:
        return [Item(i, graph.label(ox.NamedNode(i))) for i in sorted(iris)]

    entities_old, entities_new = before.entities(), after.entities()
    sections["Entities added"] = named(after, entities_new - entities_old)
    sections["Entities removed"] = named(before, entities_old - entities_new)
    # The plain triples derived from claims, and the Wikidata links, have sections of their own.
    derived = frozenset({space.ontology + p.term for p in CLAIM_PROPERTIES.values()}
                        | {SKOS.exactMatch.value})
    sections["Entities revised"] = _revised(
        before, after, entities_old & entities_new, derived,
        lambda i: Item(i, after.label(ox.NamedNode(i))))
    claim = space.ontology + "Claim"
    claims_old, claims_new = before.typed(claim), after.typed(claim)
    sections["Claims added"] = [after.claim(i) for i in sorted(claims_new - claims_old)]
    sections["Claims removed"] = [before.claim(i) for i in sorted(claims_old - claims_new)]
    kept = claims_old & claims_new
    sections["Claims re-ranked"] = [
        Item(i, f"{before.claim(i).text} → {after.rank(i)}", after.claim(i).sources)
        for i in sorted(kept) if before.rank(i) != after.rank(i)]
    sections["Claims revised"] = _revised(before, after, kept,
                                          frozenset({space.ontology + "rank"}), after.claim)
    disagreement = space.ontology + "Disagreement"
    opened = after.typed(disagreement) - before.typed(disagreement)
    closed = before.typed(disagreement) - after.typed(disagreement)
    sections["Disagreements opened"] = named(after, opened)
    sections["Disagreements closed"] = named(before, closed)
    sections["Disagreements revised"] = _revised(
        before, after, before.typed(disagreement) & after.typed(disagreement), frozenset(),
        lambda i: Item(i, after.label(ox.NamedNode(i))))
    links_old, links_new = _links(before), _links(after)
    sections["Wikidata links added"] = [Item(s, f"{after.label(ox.NamedNode(s))} → wd:{q}")
                                        for s, q in sorted(links_new - links_old)]
    sections["Wikidata links removed"] = [Item(s, f"{before.label(ox.NamedNode(s))} → wd:{q}")
                                          for s, q in sorted(links_old - links_new)]
    return changes


def _links(graph: _Graph) -> set[tuple[str, str]]:
    return {(s, _value(t.object).removeprefix(WD)) for s, ts in graph.by_subject.items()
            for t in ts if t.predicate == _MATCH and _value(t.object).startswith(WD)}


def _value(term: _Term) -> str:
    """The IRI or lexical form of a term ("" for a blank node or quoted triple)."""
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else ""


def summary_line(changes: Changes, previous: str | None) -> str:
    """The changelog in one sentence (the release's ``adms:versionNotes``)."""
    if previous is None:
        counts = ", ".join(f"{n:,} {_lower(title.rsplit(' ', 1)[0])}"
                           for title, n in changes.counts().items())
        return f"The first release: {counts}."
    return f"Changes since {previous}: {changes.summary()}."


def markdown(changes: Changes, version: str, date: str, previous: str | None,
             space: IriSpace, totals: str) -> str:
    """The changelog of one release, in Markdown (``CHANGES.md``; ``CHANGELOG.md`` collects
    them, newest first). The first release's is a summary; later ones list every change.

    :param totals: a line about the patch (how many triples it deletes and adds).
    """
    lines = [f"## {version} ({date})", "", summary_line(changes, previous), "", totals, ""]
    if previous is None:
        return "\n".join(lines)
    for title, items in changes.sections.items():
        if not items:
            continue
        lines += [f"### {title}", ""]
        for item in items:
            sources = (f" (sources: {', '.join(_short(s, space) for s in item.sources)})"
                       if item.sources else "")
            lines.append(f"- `{_short(item.iri, space)}`: {item.text}{sources}")
        lines.append("")
    return "\n".join(lines)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _lower(title: str) -> str:
    """A section title inside a sentence ("Claims added" -> "claims added"; "Wikidata" stays)."""
    return title if title.startswith("Wikidata") else title[0].lower() + title[1:]


def _short(iri: str, space: IriSpace) -> str:
    """``kind:slug`` for the dataset's own IRIs (the prefixes of every dump)."""
    if iri.startswith(space.ids):
        kind, _, slug = iri[len(space.ids):].partition("/")
        return f"{kind}:{slug}"
    return iri
