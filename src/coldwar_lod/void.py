"""The dataset's own description (VoID and DCAT): licence, version, statistics, dumps."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Triple

from .export import Census
from .namespaces import (
    DCAT,
    DCTERMS,
    OWL,
    PROV,
    RDF_TYPE,
    SKOS,
    SPDX,
    VOID,
    WD,
    XSD,
    IriSpace,
    iri,
)

_EXACT_MATCH = SKOS + "exactMatch"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
EXAMPLES = ("event/warsaw-pact-invasion", "event/prague-spring", "person/alexander-dubcek")


def package_version() -> str:
    """The version of coldwar-lod (read from the package, not from its installed metadata:
    ``importlib.metadata`` alone costs 30 ms of every build's start-up)."""
    from ._version import __version__

    return __version__


def describe(
    triples: Sequence[Triple],
    space: IriSpace,
    dumps: Mapping[str, tuple[str, bytes]],
    seen: Census | None = None,
    *,
    dataset: NamedNode | None = None,
    version: str | None = None,
    download: str | None = None,
) -> list[Triple]:
    """VoID/DCAT triples for a build.

    :param triples: the data triples.
    :param space: the IRI space.
    :param dumps: file name -> (media type, content) for each distribution.
    :param seen: the census of ``triples``, if the caller took it (a build does, while it
        writes the JSON-LD); otherwise it is taken here (:func:`census`).
    :param dataset: the dataset described (default ``BASE/id/dataset/coldwar-lod``; a
        release describes ``BASE/releases/VERSION``).
    :param version: its version (default the package's).
    :param download: where the dumps are, the folder's IRI (default ``BASE/dist/``).
    """
    ds = dataset or space.instance("dataset", "coldwar-lod")
    out: list[Triple] = []

    def add(s: NamedNode, p: str, o: NamedNode | Literal) -> None:
        out.append(Triple(s, NamedNode(p), o))

    def num(n: int) -> Literal:
        return Literal(str(n), datatype=NamedNode(XSD + "integer"))

    def en(text: str) -> Literal:
        return Literal(text, language="en")

    ver = version or package_version()
    out.append(Triple(ds, RDF_TYPE, NamedNode(VOID + "Dataset")))
    out.append(Triple(ds, RDF_TYPE, NamedNode(DCAT + "Dataset")))
    add(ds, DCTERMS + "title", en("coldwar-lod: the 1968 Czechoslovak crisis as Linked Open Data"))
    add(ds, DCTERMS + "description", en(
        "Events, agents, places, offices and works of the Prague Spring, the Warsaw Pact "
        "invasion of Czechoslovakia in August 1968 and its aftermath, as claims traceable to "
        "passages of five source documents, ranked where the sources disagree, and linked to "
        "Wikidata."))
    add(ds, DCTERMS + "license", NamedNode(LICENCE))
    add(ds, OWL + "versionInfo", Literal(ver))
    add(ds, DCAT + "version", Literal(ver))
    add(ds, VOID + "uriSpace", Literal(space.ids))
    add(ds, VOID + "vocabulary", NamedNode(space.base + "ontology"))
    add(ds, DCTERMS + "conformsTo", NamedNode(space.base + "shapes"))
    stats = _Statistics.of(seen if seen is not None else census(triples), space.term("Source"))
    add(ds, VOID + "triples", num(len(triples)))
    add(ds, VOID + "distinctSubjects", num(len(stats.subjects)))
    add(ds, VOID + "properties", num(stats.properties))
    add(ds, VOID + "entities", num(stats.entities))
    for cls, count in sorted(stats.classes.items()):
        part = NamedNode(f"{ds.value}#class-{cls.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", NamedNode(cls))
        add(part, VOID + "entities", num(count))
    for example in EXAMPLES:
        kind, slug = example.split("/")
        node = space.instance(kind, slug)
        if node.value in stats.subjects:
            add(ds, VOID + "exampleResource", node)
    for source in stats.sources:
        add(ds, PROV + "wasDerivedFrom", NamedNode(source))
    linkset = NamedNode(f"{ds.value}#wikidata-links")
    add(ds, VOID + "subset", linkset)
    out.append(Triple(linkset, RDF_TYPE, NamedNode(VOID + "Linkset")))
    add(linkset, VOID + "linkPredicate", NamedNode(SKOS + "exactMatch"))
    add(linkset, VOID + "subjectsTarget", ds)
    add(linkset, VOID + "objectsTarget", NamedNode("http://www.wikidata.org/"))
    add(linkset, VOID + "triples", num(stats.links))
    for name, (media_type, content) in sorted(dumps.items()):
        url = NamedNode((download or space.base + "dist/") + name)
        dist = NamedNode(f"{ds.value}#dist-{name}")
        checksum = NamedNode(f"{ds.value}#dist-{name}-sha256")
        add(ds, VOID + "dataDump", url)
        add(ds, DCAT + "distribution", dist)
        out.append(Triple(dist, RDF_TYPE, NamedNode(DCAT + "Distribution")))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "mediaType",
            NamedNode("https://www.iana.org/assignments/media-types/" + media_type))
        add(dist, DCAT + "byteSize", Literal(str(len(content)),
                                              datatype=NamedNode(XSD + "integer")))
        add(dist, SPDX + "checksum", checksum)
        out.append(Triple(checksum, RDF_TYPE, NamedNode(SPDX + "Checksum")))
        add(checksum, SPDX + "algorithm", NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", Literal(hashlib.sha256(content).hexdigest()))
    return out


@dataclass(slots=True)
class _Statistics:
    """What :func:`describe` counts in the data."""

    subjects: set[str]  # the distinct subjects
    properties: int  # the number of distinct predicates
    entities: int  # subjects with a type and without a fragment
    classes: dict[str, int]  # class -> the number of its instances (rdf:type triples)
    sources: list[str]  # subjects typed as ``source`` (in the order of the triples)
    links: int  # skos:exactMatch triples to Wikidata

    @classmethod
    def of(cls, census: Census, source: NamedNode) -> _Statistics:
        return cls(census.subjects, census.predicates,
                   sum(1 for name in census.typed if "#" not in name),
                   {c: len(names) for c, names in census.instances.items()},
                   list(census.instances.get(source.value, ())),
                   sum(1 for target in census.matches if target.startswith(WD)))


_OTHER, _TYPE, _MATCH = 0, 1, 2


def census(triples: Iterable[Triple]) -> Census:
    """The :class:`~coldwar_lod.export.Census` of the triples, in one pass over them (what
    :func:`~coldwar_lod.export.jsonld_and_census` takes on the way).

    Reading a term of a pyoxigraph triple makes a new Python object, so each term is read at
    most once, the object only for rdf:type and skos:exactMatch; what a predicate is (one of
    these or another) is kept in a dict keyed by the predicate. A subject's IRI is read only
    when it differs from the last triple's subject (sorted triples are grouped by subject;
    other orders give the same result). The sets hold strings, not terms: terms kept alive
    would make the garbage collector run, and look at every triple, each time.
    """
    out = Census()
    subjects, typed, instances, matches = out.subjects, out.typed, out.instances, out.matches
    roles: dict[NamedNode, int] = {}
    named_node = NamedNode
    subject: object = None
    name = ""
    for t in triples:
        s = t.subject
        if s != subject:
            subject = s
            name = iri(s)
            subjects.add(name)
        p = t.predicate
        role = roles.get(p)
        if role is None:
            role = roles[p] = (_TYPE if p == RDF_TYPE
                               else _MATCH if p.value == _EXACT_MATCH else _OTHER)
        if role == _OTHER:
            continue
        o = t.object
        if role == _TYPE:
            typed.add(name)
            if type(o) is named_node:
                names = instances.get(o.value)
                if names is None:
                    names = instances[o.value] = []
                names.append(name)
        elif type(o) is named_node:
            matches.append(o.value)
    out.predicates = len(roles)
    return out
