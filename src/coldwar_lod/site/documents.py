"""The RDF documents of the site: which triples of the dump each document holds (its slice).

A *document* is an IRI without fragment: ``BASE/id/claim/x`` is the document of
``claim:x``, ``claim:x#timespan`` and ``claim:x#<source>-<start>-<end>``. The slice of a
document D is, all of it taken from the dump unchanged:

1. every triple whose subject belongs to D (its own triples, fragments included);
2. for every claim whose ``rdf:subject`` belongs to D, every triple of that claim's
   document (the claim, its rank, qualifiers, time-spans, locators and their selectors);
3. every triple that refers to D (its object belongs to D) from outside, except from a
   claim's document (those are the claims of 2, or claims whose object D is, which the HTML
   page lists among "what refers here" but which would make the documents of much-cited
   entities as large as the dump);
4. the ``rdfs:label`` triples of every IRI that 1-3 mention outside D.

A test checks every document of the site against this definition, computed its own way.
Each RDF document adds its own description (:func:`describe`): what it is about, its
licence, the dataset it belongs to, its format.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..mapping import sorted_triples
from ..namespaces import DCTERMS, FOAF, RDF, RDFS, VOID

_LABEL = RDFS.label
_SUBJECT = RDF.subject
LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def document_of(iri: str) -> str:
    """The document of an IRI: the IRI without its fragment.

    >>> document_of("https://w3id.org/coldwar-lod/id/claim/x#timespan")
    'https://w3id.org/coldwar-lod/id/claim/x'
    """
    return iri.split("#", 1)[0]


@dataclass(slots=True)
class Slices:
    """The dump indexed by document, from which each document's slice is taken."""

    base: str
    own: dict[str, list[ox.Triple]] = field(default_factory=lambda: defaultdict(list))
    claims_about: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    incoming: dict[str, list[ox.Triple]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, list[ox.Triple]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def index(cls, triples: Iterable[ox.Triple], base: str) -> Slices:
        """Index the dump's triples (one pass)."""
        out = cls(base)
        claims = base + "id/claim/"
        ids = base + "id/"
        own, about, incoming, labels = out.own, out.claims_about, out.incoming, out.labels
        named = ox.NamedNode
        last_subject: object = None
        doc = name = ""
        for t in triples:
            s = t.subject
            if s != last_subject:
                last_subject = s
                name = s.value if isinstance(s, named) else ""
                doc = document_of(name)
            if not doc.startswith(ids):
                continue
            own[doc].append(t)
            o, p = t.object, t.predicate
            if p == _LABEL:
                labels[name].append(t)
            if not isinstance(o, named):
                continue
            target = document_of(o.value)
            if target == doc or not target.startswith(ids):
                continue
            if doc.startswith(claims):
                if p == _SUBJECT:
                    about[target].add(doc)
            else:
                incoming[target].append(t)
        return out

    def documents(self) -> list[str]:
        """Every document that holds triples of the dump, sorted."""
        return sorted(self.own)

    def slice(self, doc: str) -> list[ox.Triple]:
        """The triples of a document's slice, in the dump's order."""
        out: set[ox.Triple] = set(self.own.get(doc, ()))
        for claim in self.claims_about.get(doc, ()):
            out.update(self.own[claim])
        out.update(self.incoming.get(doc, ()))
        mentioned = {term.value for t in out for term in (t.subject, t.object)
                     if type(term) is ox.NamedNode}
        for name in mentioned:
            if document_of(name) != doc:
                out.update(self.labels.get(name, ()))
        return sorted_triples(out)


def describe(document_url: str, topic: str, media_type: str, dataset: str
             ) -> list[ox.Triple]:
    """The description a document gives of itself (not part of the dump)."""
    doc = ox.NamedNode(document_url)
    return [
        ox.Triple(doc, RDF.type, FOAF.Document),
        ox.Triple(doc, DCTERMS.format, ox.Literal(media_type)),
        ox.Triple(doc, DCTERMS.license, ox.NamedNode(LICENCE)),
        ox.Triple(doc, FOAF.primaryTopic, ox.NamedNode(topic)),
        ox.Triple(doc, VOID.inDataset, ox.NamedNode(dataset)),
    ]


def relabel_blank_nodes(triples: Sequence[ox.Triple]) -> list[ox.Triple]:
    """The triples with blank nodes named ``b0``, ``b1``, ... in order of appearance, so that
    documents parsed from a file (the shapes' lists) serialize the same way every time."""
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def fix(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            fixed = names.get(term)
            if fixed is None:
                fixed = names[term] = ox.BlankNode(f"b{len(names)}")
            return fixed
        return term

    return [ox.Triple(fix(t.subject), t.predicate, fix(t.object)) for t in triples]
