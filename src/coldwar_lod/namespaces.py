"""IRIs: the standard vocabularies we use, and the project's own IRI space under a base.

Instances live at ``BASE/id/<kind>/<slug>``, ontology terms at ``BASE/ontology#Term`` and
shapes at ``BASE/shapes#Name``; the default base is ``https://w3id.org/coldwar-lod/``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from pyoxigraph import NamedNode

from .errors import InputError

#: The base IRI the dataset is published under unless another is given.
DEFAULT_BASE = "https://w3id.org/coldwar-lod/"

class Vocabulary:
    """A closed vocabulary: the terms it declares, as pyoxigraph named nodes.

    A subclass sets ``NS`` and declares each term it uses as an annotated name; a name that is
    not declared fails (``AttributeError`` at run time, an error for mypy), so a typo cannot
    mint a new IRI. A trailing ``_`` stands for a Python keyword (``VOID.class_``).

    >>> RDFS.label.value
    'http://www.w3.org/2000/01/rdf-schema#label'
    >>> RDFS.lable
    Traceback (most recent call last):
    ...
    AttributeError: type object 'RDFS' has no attribute 'lable'
    """

    NS: ClassVar[str]

    def __init_subclass__(cls) -> None:
        for name in cls.__annotations__:
            if name != "NS":
                setattr(cls, name, NamedNode(cls.NS + name.removesuffix("_")))


class RDF(Vocabulary):
    NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    type: NamedNode
    subject: NamedNode
    predicate: NamedNode
    object: NamedNode
    first: NamedNode
    rest: NamedNode
    nil: NamedNode
    langString: NamedNode  # noqa: N815 - the term's own spelling
    dirLangString: NamedNode  # noqa: N815
    HTML: NamedNode
    Statement: NamedNode


class RDFS(Vocabulary):
    NS = "http://www.w3.org/2000/01/rdf-schema#"
    label: NamedNode
    comment: NamedNode
    subClassOf: NamedNode  # noqa: N815
    subPropertyOf: NamedNode  # noqa: N815
    domain: NamedNode
    range: NamedNode
    seeAlso: NamedNode  # noqa: N815
    Class: NamedNode


class XSD(Vocabulary):
    NS = "http://www.w3.org/2001/XMLSchema#"
    string: NamedNode
    integer: NamedNode
    decimal: NamedNode
    date: NamedNode
    dateTime: NamedNode  # noqa: N815
    gYear: NamedNode  # noqa: N815
    gYearMonth: NamedNode  # noqa: N815


class OWL(Vocabulary):
    NS = "http://www.w3.org/2002/07/owl#"
    versionInfo: NamedNode  # noqa: N815
    versionIRI: NamedNode  # noqa: N815
    sameAs: NamedNode  # noqa: N815
    Class: NamedNode
    Ontology: NamedNode
    ObjectProperty: NamedNode
    DatatypeProperty: NamedNode
    AnnotationProperty: NamedNode
    NamedIndividual: NamedNode
    equivalentClass: NamedNode  # noqa: N815
    equivalentProperty: NamedNode  # noqa: N815
    inverseOf: NamedNode  # noqa: N815
    unionOf: NamedNode  # noqa: N815


class SKOS(Vocabulary):
    NS = "http://www.w3.org/2004/02/skos/core#"
    exactMatch: NamedNode  # noqa: N815
    closeMatch: NamedNode  # noqa: N815
    broadMatch: NamedNode  # noqa: N815
    altLabel: NamedNode  # noqa: N815
    editorialNote: NamedNode  # noqa: N815
    definition: NamedNode


class DCTERMS(Vocabulary):
    NS = "http://purl.org/dc/terms/"
    title: NamedNode
    description: NamedNode
    creator: NamedNode
    publisher: NamedNode
    issued: NamedNode
    modified: NamedNode
    language: NamedNode
    license: NamedNode
    conformsTo: NamedNode  # noqa: N815
    isVersionOf: NamedNode  # noqa: N815
    format: NamedNode


class FOAF(Vocabulary):
    NS = "http://xmlns.com/foaf/0.1/"
    Document: NamedNode
    primaryTopic: NamedNode  # noqa: N815


class PROV(Vocabulary):
    NS = "http://www.w3.org/ns/prov#"
    wasDerivedFrom: NamedNode  # noqa: N815


class OA(Vocabulary):
    NS = "http://www.w3.org/ns/oa#"
    hasSource: NamedNode  # noqa: N815
    hasSelector: NamedNode  # noqa: N815
    TextPositionSelector: NamedNode
    start: NamedNode
    end: NamedNode


class SCHEMA(Vocabulary):
    NS = "https://schema.org/"
    url: NamedNode


class BIBO(Vocabulary):
    NS = "http://purl.org/ontology/bibo/"
    volume: NamedNode
    issue: NamedNode
    pages: NamedNode
    doi: NamedNode


class VOID(Vocabulary):
    NS = "http://rdfs.org/ns/void#"
    Dataset: NamedNode
    Linkset: NamedNode
    triples: NamedNode
    entities: NamedNode
    distinctSubjects: NamedNode  # noqa: N815
    properties: NamedNode
    classPartition: NamedNode  # noqa: N815
    class_: NamedNode
    uriSpace: NamedNode  # noqa: N815
    vocabulary: NamedNode
    exampleResource: NamedNode  # noqa: N815
    subset: NamedNode
    linkPredicate: NamedNode  # noqa: N815
    subjectsTarget: NamedNode  # noqa: N815
    objectsTarget: NamedNode  # noqa: N815
    dataDump: NamedNode  # noqa: N815
    inDataset: NamedNode  # noqa: N815


class DCAT(Vocabulary):
    NS = "http://www.w3.org/ns/dcat#"
    Dataset: NamedNode
    DatasetSeries: NamedNode
    Distribution: NamedNode
    version: NamedNode
    inSeries: NamedNode  # noqa: N815
    first: NamedNode
    last: NamedNode
    prev: NamedNode
    previousVersion: NamedNode  # noqa: N815
    hasVersion: NamedNode  # noqa: N815
    hasCurrentVersion: NamedNode  # noqa: N815
    compressFormat: NamedNode  # noqa: N815
    distribution: NamedNode
    downloadURL: NamedNode  # noqa: N815
    mediaType: NamedNode  # noqa: N815
    byteSize: NamedNode  # noqa: N815


class ADMS(Vocabulary):
    NS = "http://www.w3.org/ns/adms#"
    versionNotes: NamedNode  # noqa: N815


class SPDX(Vocabulary):
    NS = "http://spdx.org/rdf/terms#"
    checksum: NamedNode
    Checksum: NamedNode
    algorithm: NamedNode
    checksumValue: NamedNode  # noqa: N815
    checksumAlgorithm_sha256: NamedNode  # noqa: N815


#: Namespaces whose terms are only named in prefixes and queries (no constants needed), and
#: SHACL's, whose terms the SHACL-to-SPARQL compiler reads by name from the shapes.
SH = "http://www.w3.org/ns/shacl#"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
TIME = "http://www.w3.org/2006/time#"
ORG = "http://www.w3.org/ns/org#"
CITO = "http://purl.org/spar/cito/"

RDF_TYPE = RDF.type


def iri(term: object) -> str:
    """The IRI of a named node (the mapper mints no blank nodes or quoted triples).

    :raises TypeError: for any other term.
    """
    if isinstance(term, NamedNode):
        return term.value
    raise TypeError(f"expected a named node, got {term!r}")


#: Standard prefixes (the project's own are added per base by :meth:`IriSpace.prefixes`).
STANDARD_PREFIXES: dict[str, str] = {
    "rdf": RDF.NS, "rdfs": RDFS.NS, "xsd": XSD.NS, "owl": OWL.NS, "skos": SKOS.NS,
    "dcterms": DCTERMS.NS, "prov": PROV.NS, "oa": OA.NS, "schema": SCHEMA.NS, "bibo": BIBO.NS,
    "void": VOID.NS, "dcat": DCAT.NS, "sh": SH, "wd": WD, "wdt": WDT, "crm": CRM, "sem": SEM,
    "time": TIME, "foaf": FOAF.NS, "org": ORG, "cito": CITO, "spdx": SPDX.NS,
}


def shortener(prefixes: Mapping[str, str]) -> Callable[[str], str]:
    """A function turning an IRI into a compact IRI ``prefix:name`` (or the IRI itself).

    The one way IRIs are shortened (JSON-LD, tables, reports). The longest namespace ending at
    a ``#`` wins, then the longest ending at a ``/``; a local name may not be empty or start
    with ``/``. (Not cached: the callers keep what they reuse.)

    >>> short = shortener({"wd": "http://www.wikidata.org/entity/"})
    >>> short("http://www.wikidata.org/entity/Q1085"), short("http://example.org/x")
    ('wd:Q1085', 'http://example.org/x')
    """
    namespaces = {ns: name for name, ns in prefixes.items()}

    def compact(value: str) -> str:
        for sep in ("#", "/"):
            cut = value.rfind(sep) + 1
            while cut > 0:
                name = namespaces.get(value[:cut])
                if name is not None and cut < len(value) and value[cut] != "/":
                    return f"{name}:{value[cut:]}"
                cut = value.rfind(sep, 0, cut - 1) + 1
        return value

    return compact


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
