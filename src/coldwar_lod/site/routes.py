"""The route table: which paths of the site are things, and which documents describe them.

One table drives all three ways the site negotiates content, so they cannot drift apart:
``coldwar-lod serve`` (:mod:`coldwar_lod.site.server`), the Apache configuration for
self-hosting and the ``.htaccess`` for w3id.org (:mod:`coldwar_lod.site.apache`).

A *thing* path (``id/event/prague-spring``, ``ontology``, ``graph/data``, ...) names
something that is not a document; a request for it gets ``303 See Other`` to the document
chosen by content negotiation (:mod:`coldwar_lod.site.negotiation`), with ``Vary: Accept``.
Every thing has the same variants, in the server's order of preference (used only to break
ties between equal ``q``): HTML, Turtle, JSON-LD, N-Triples, RDF/XML; ``application/json``
gets the JSON-LD document.

>>> route = match("id/event/prague-spring")
>>> route.pattern, route.target("id/event/prague-spring", "text/turtle")
('id/<kind>/<slug>', 'id/event/prague-spring.ttl')
>>> match("id/event/prague-spring.ttl") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import ENTITY_KINDS


@dataclass(frozen=True, slots=True)
class Variant:
    """One representation of a thing: its media type, file suffix and source quality.

    ``qs`` is Apache's source quality: the values differ by less than the smallest step of a
    client's ``q`` (0.001), so they only break ties, in the order of :data:`VARIANTS`.
    """

    media_type: str
    suffix: str
    qs: float
    label: str


#: The variants of every thing, in the server's order of preference.
VARIANTS: tuple[Variant, ...] = (
    Variant("text/html", ".html", 1.0, "HTML"),
    Variant("text/turtle", ".ttl", 0.9999, "Turtle"),
    Variant("application/ld+json", ".jsonld", 0.9998, "JSON-LD"),
    Variant("application/n-triples", ".nt", 0.9997, "N-Triples"),
    Variant("application/rdf+xml", ".rdf", 0.9996, "RDF/XML"),
    # plain JSON for a web developer: the JSON-LD document (it is JSON)
    Variant("application/json", ".jsonld", 0.9995, "JSON"),
)

#: The RDF document formats: suffix -> media type (the first five variants less HTML).
RDF_SUFFIXES: dict[str, str] = {v.suffix: v.media_type for v in VARIANTS[1:5]}

#: Media type of every file suffix the site holds (for ``serve`` and the Apache config).
MEDIA_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".trig": "application/trig",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".rq": "application/sparql-query",
    ".csv": "text/csv; charset=utf-8",
}

_KINDS = "|".join(sorted({*ENTITY_KINDS.values(), "claim", "disagreement", "dataset"}))


@dataclass(frozen=True, slots=True)
class Route:
    """A family of thing paths and where their documents are.

    :param pattern: the paths, readably (``id/<kind>/<slug>``).
    :param regex: the paths, as a regular expression over the path without its leading ``/``
        (Python and PCRE read it alike).
    :param documents: the path of the documents without suffix; ``{path}`` is the thing's.
    """

    pattern: str
    regex: str
    documents: str = "{path}"

    def document(self, path: str) -> str:
        """The documents' path, without suffix."""
        return self.documents.format(path=path)

    def target(self, path: str, media_type: str) -> str:
        """The document of one variant (a path relative to the site's root)."""
        suffix = next(v.suffix for v in VARIANTS if v.media_type == media_type)
        return self.document(path) + suffix


#: Every thing path of the site, the first match winning. The dataset description (VoID)
#: also answers at the well-known path of the VoID specification (section 7.2).
ROUTES: tuple[Route, ...] = (
    Route("id/<kind>/<slug>", rf"id/(?:{_KINDS})/[a-z0-9]+(?:-[a-z0-9]+)*"),
    Route("ontology", r"ontology"),
    # the ontology's owl:versionIRI: the documents of the current version
    Route("ontology/<version>", r"ontology/[0-9]+(?:\.[0-9]+)*", documents="ontology"),
    Route("shapes", r"shapes"),
    # the named graph's documents are the dumps themselves
    Route("graph/data", r"graph/data", documents="dist/coldwar-lod"),
    Route(".well-known/void", r"\.well-known/void", documents="id/dataset/coldwar-lod"),
)

_COMPILED = [(re.compile(route.regex + r"\Z"), route) for route in ROUTES]


def match(path: str) -> Route | None:
    """The route of a thing path (without leading ``/``), or None if it is not a thing."""
    for regex, route in _COMPILED:
        if regex.match(path):
            return route
    return None


def thing_path(iri: str, base: str) -> str | None:
    """The site path of an IRI under ``base`` (its fragment dropped), or None if outside."""
    if not iri.startswith(base):
        return None
    return iri[len(base):].split("#", 1)[0]
