"""The dataset's own description (VoID and DCAT): licence, version, statistics, dumps."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Triple

from .jsonld import Census
from .model import LICENCE
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
)

EXAMPLES = ("event/warsaw-pact-invasion", "event/prague-spring", "person/alexander-dubcek")


def package_version() -> str:
    """The version of coldwar-lod, read from the package (start-up: benchmarks/README.md)."""
    from ._version import __version__

    return __version__


def describe(
    triples: Sequence[Triple],
    space: IriSpace,
    dumps: Mapping[str, tuple[str, bytes]],
    seen: Census,
    *,
    dataset: NamedNode | None = None,
    version: str | None = None,
    download: str | None = None,
) -> list[Triple]:
    """VoID/DCAT triples for a build.

    :param triples: the data triples.
    :param space: the IRI space.
    :param dumps: file name -> (media type, content) for each distribution.
    :param seen: the census of ``triples`` (:func:`coldwar_lod.jsonld.jsonld_and_census` takes
        it while it writes the JSON-LD).
    :param dataset: the dataset described (default ``BASE/id/dataset/coldwar-lod``; a
        release describes ``BASE/releases/VERSION``).
    :param version: its version (default the package's).
    :param download: where the dumps are, the folder's IRI (default ``BASE/dist/``).
    """
    ds = dataset or space.instance("dataset", "coldwar-lod")
    out: list[Triple] = []

    def add(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        out.append(Triple(s, p, o))

    def num(n: int) -> Literal:
        return Literal(str(n), datatype=XSD.integer)

    def en(text: str) -> Literal:
        return Literal(text, language="en")

    ver = version or package_version()
    out.append(Triple(ds, RDF_TYPE, VOID.Dataset))
    out.append(Triple(ds, RDF_TYPE, DCAT.Dataset))
    add(ds, DCTERMS.title, en("coldwar-lod: the 1968 Czechoslovak crisis as Linked Open Data"))
    add(ds, DCTERMS.description, en(
        "Events, agents, places, offices and works of the Prague Spring, the Warsaw Pact "
        "invasion of Czechoslovakia in August 1968 and its aftermath, as claims traceable to "
        "passages of five source documents, ranked where the sources disagree, and linked to "
        "Wikidata."))
    add(ds, DCTERMS.license, NamedNode(LICENCE))
    add(ds, OWL.versionInfo, Literal(ver))
    add(ds, DCAT.version, Literal(ver))
    add(ds, VOID.uriSpace, Literal(space.ids))
    add(ds, VOID.vocabulary, NamedNode(space.base + "ontology"))
    add(ds, DCTERMS.conformsTo, NamedNode(space.base + "shapes"))
    stats = _Statistics.of(seen, space.term("Source"))
    add(ds, VOID.triples, num(len(triples)))
    add(ds, VOID.distinctSubjects, num(len(stats.subjects)))
    add(ds, VOID.properties, num(stats.properties))
    add(ds, VOID.entities, num(stats.entities))
    for cls, count in sorted(stats.classes.items()):
        part = NamedNode(f"{ds.value}#class-{cls.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}")
        add(ds, VOID.classPartition, part)
        add(part, VOID.class_, NamedNode(cls))
        add(part, VOID.entities, num(count))
    for example in EXAMPLES:
        kind, slug = example.split("/")
        node = space.instance(kind, slug)
        if node.value in stats.subjects:
            add(ds, VOID.exampleResource, node)
    for source in stats.sources:
        add(ds, PROV.wasDerivedFrom, NamedNode(source))
    linkset = NamedNode(f"{ds.value}#wikidata-links")
    add(ds, VOID.subset, linkset)
    out.append(Triple(linkset, RDF_TYPE, VOID.Linkset))
    add(linkset, VOID.linkPredicate, SKOS.exactMatch)
    add(linkset, VOID.subjectsTarget, ds)
    add(linkset, VOID.objectsTarget, NamedNode("http://www.wikidata.org/"))
    add(linkset, VOID.triples, num(stats.links))
    for name, (media_type, content) in sorted(dumps.items()):
        url = NamedNode((download or space.base + "dist/") + name)
        dist = NamedNode(f"{ds.value}#dist-{name}")
        checksum = NamedNode(f"{ds.value}#dist-{name}-sha256")
        add(ds, VOID.dataDump, url)
        add(ds, DCAT.distribution, dist)
        out.append(Triple(dist, RDF_TYPE, DCAT.Distribution))
        add(dist, DCAT.downloadURL, url)
        add(dist, DCAT.mediaType,
            NamedNode("https://www.iana.org/assignments/media-types/" + media_type))
        add(dist, DCAT.byteSize, Literal(str(len(content)),
                                              datatype=XSD.integer))
        add(dist, SPDX.checksum, checksum)
        out.append(Triple(checksum, RDF_TYPE, SPDX.Checksum))
        add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        add(checksum, SPDX.checksumValue, Literal(hashlib.sha256(content).hexdigest()))
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
