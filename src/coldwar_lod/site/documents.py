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

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

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
    """The dump indexed by document, from which each document's slice is taken.

    Triples are held by their position in the dump, which is sorted: a slice is its
    positions sorted, in the dump's order without sorting triples again. For the labels
    of 4., each part of the index keeps the labelled IRIs it mentions.
    """

    base: str
    triples: Sequence[ox.Triple]
    own: dict[str, array[int]] = field(default_factory=dict)
    claims_about: dict[str, list[str]] = field(default_factory=dict)
    incoming: dict[str, array[int]] = field(default_factory=dict)
    labels: dict[str, array[int]] = field(default_factory=dict)
    #: The labelled IRIs that a document's own triples mention, and those that mention it
    #: from outside (the subjects of its incoming triples).
    mentions: dict[str, set[str]] = field(default_factory=dict)
    incoming_mentions: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def index(cls, triples: Sequence[ox.Triple], base: str) -> Slices:
        """Index the dump's triples, which must be in the dump's order (two passes)."""
        out = cls(base, triples)
        claims = base + "id/claim/"
        ids = base + "id/"
        labels = out.labels
        for i, t in enumerate(triples):
            if t.predicate == _LABEL and isinstance(t.subject, ox.NamedNode):
                name = t.subject.value
                if name.startswith(ids):
                    labels.setdefault(name, array("q")).append(i)
        own, about, incoming = out.own, out.claims_about, out.incoming
        mentions, incoming_mentions = out.mentions, out.incoming_mentions
        named = ox.NamedNode
        last_subject: object = None
        doc = name = ""
        positions: array[int] = array("q")
        mentioned: set[str] = set()
        for i, t in enumerate(triples):
            s = t.subject
            if s != last_subject:
                last_subject = s
                name = s.value if isinstance(s, named) else ""
                doc = name.partition("#")[0]  # document_of, inline: a million calls
                if doc.startswith(ids):
                    positions = own.get(doc) or own.setdefault(doc, array("q"))
                    mentioned = mentions.setdefault(doc, set())
                    if name in labels:
                        mentioned.add(name)
            if not doc.startswith(ids):
                continue
            positions.append(i)
            o = t.object
            if not isinstance(o, named):
                continue
            value = o.value
            if value in labels:
                mentioned.add(value)
            target = value.partition("#")[0]
            if target == doc or not target.startswith(ids):
                continue
            if doc.startswith(claims):
                if t.predicate == _SUBJECT:
                    about.setdefault(target, []).append(doc)
            else:
                incoming.setdefault(target, array("q")).append(i)
                if name in labels:
                    incoming_mentions.setdefault(target, set()).add(name)
        for docs in about.values():
            docs[:] = sorted(set(docs))
        return out

    def documents(self) -> list[str]:
        """Every document that holds triples of the dump, sorted."""
        return sorted(self.own)

    def slice(self, doc: str) -> list[ox.Triple]:
        """The triples of a document's slice, in the dump's order."""
        positions: set[int] = set(self.own.get(doc, ()))
        mentioned: set[str] = set(self.mentions.get(doc, ()))
        for claim in self.claims_about.get(doc, ()):
            positions.update(self.own[claim])
            mentioned.update(self.mentions[claim])
        positions.update(self.incoming.get(doc, ()))
        mentioned.update(self.incoming_mentions.get(doc, ()))
        for name in mentioned:
            if document_of(name) != doc:
                positions.update(self.labels[name])
        triples = self.triples
        return [triples[i] for i in sorted(positions)]


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
