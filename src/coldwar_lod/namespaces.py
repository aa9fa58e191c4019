"""IRIs: the standard vocabularies we use, and the project's own IRI space under a base.

Instances live at ``BASE/id/<kind>/<slug>``, ontology terms at ``BASE/ontology#Term`` and
shapes at ``BASE/shapes#Name``; the default base is ``https://w3id.org/coldwar-lod/``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode

from .errors import InputError
from .resources import DEFAULT_BASE

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
SCHEMA = "https://schema.org/"
BIBO = "http://purl.org/ontology/bibo/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SH = "http://www.w3.org/ns/shacl#"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
TIME = "http://www.w3.org/2006/time#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
CITO = "http://purl.org/spar/cito/"
SPDX = "http://spdx.org/rdf/terms#"

RDF_TYPE = NamedNode(RDF + "type")


def iri(term: object) -> str:
    """The IRI of a named node (the mapper mints no blank nodes or quoted triples).

    :raises TypeError: for any other term.
    """
    if isinstance(term, NamedNode):
        return term.value
    raise TypeError(f"expected a named node, got {term!r}")

#: Standard prefixes (the project's own are added per base by :meth:`IriSpace.prefixes`).
STANDARD_PREFIXES: dict[str, str] = {
    "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "owl": OWL, "skos": SKOS, "dcterms": DCTERMS,
    "prov": PROV, "oa": OA, "schema": SCHEMA, "bibo": BIBO, "void": VOID, "dcat": DCAT,
    "sh": SH, "wd": WD, "wdt": WDT, "crm": CRM, "sem": SEM, "time": TIME, "foaf": FOAF,
    "org": ORG, "cito": CITO, "spdx": SPDX,
}


@dataclass(frozen=True, slots=True)
class IriSpace:
    """The project's IRIs under one base.

    >>> space = IriSpace.from_base("https://example.org/cw/")
    >>> space.instance("event", "prague-spring").value
    'https://example.org/cw/id/event/prague-spring'
    >>> space.term("Event").value
    'https://example.org/cw/ontology#Event'
    """

    base: str

    @classmethod
    def from_base(cls, base: str | None = None) -> IriSpace:
        """Check and normalise a base IRI (a trailing ``/`` is added if missing).

        :raises InputError: if the base is not an absolute http(s) IRI.
        """
        base = base or DEFAULT_BASE
        if not base.endswith("/"):
            base += "/"
        try:
            NamedNode(base)
        except ValueError as exc:
            raise InputError(f"bad base IRI {base!r}: {exc}") from None
        if not base.startswith(("http://", "https://")) or "#" in base or "?" in base:
            raise InputError(f"bad base IRI {base!r}: use an absolute http(s) IRI without "
                             "query or fragment, e.g. https://example.org/coldwar/")
        return cls(base)

    @property
    def ontology(self) -> str:
        return self.base + "ontology#"

    @property
    def shapes(self) -> str:
        return self.base + "shapes#"

    @property
    def ids(self) -> str:
        return self.base + "id/"

    def term(self, name: str) -> NamedNode:
        """An ontology term: ``BASE/ontology#name``."""
        return NamedNode(self.ontology + name)

    def instance(self, kind: str, slug: str, fragment: str | None = None) -> NamedNode:
        """An instance IRI: ``BASE/id/<kind>/<slug>`` (plus ``#fragment``)."""
        iri = f"{self.ids}{kind}/{slug}"
        return NamedNode(f"{iri}#{fragment}" if fragment else iri)

    def prefixes(self) -> dict[str, str]:
        """Prefixes for serializations: the standard ones plus ``cwo``, ``cwsh`` and kinds."""
        own = {"cwo": self.ontology, "cwsh": self.shapes}
        for kind in ("event", "person", "state", "organisation", "place", "position", "work",
                     "source", "claim", "disagreement", "dataset"):
            own[kind] = f"{self.ids}{kind}/"
        return {**own, **STANDARD_PREFIXES}

    def rebase_text(self, text: str) -> str:
        """Move a file written under the default base (ontology, shapes) to this base.

        The files use the default base in IRIs and in SPARQL strings alike, so a textual
        replacement moves both.
        """
        return text if self.base == DEFAULT_BASE else text.replace(DEFAULT_BASE, self.base)
