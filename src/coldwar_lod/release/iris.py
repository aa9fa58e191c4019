"""The IRIs of releases, under the base (documented in README.md, "Releases and citation").

| IRI | what |
|---|---|
| ``BASE/releases`` | the series of releases (``dcat:DatasetSeries``) |
| ``BASE/releases/VERSION`` | one release (``dcat:Dataset``, ``dcat:inSeries`` the series) |
| ``BASE/releases/VERSION/FILE`` | a file of the release: ``releases/VERSION/FILE`` in the repo |
| ``BASE/ontology/VERSION`` | the ``owl:versionIRI`` of the ontology of that release |
| ``BASE/shapes/VERSION`` | the ``owl:versionIRI`` of the shapes of that release |
| ``BASE/id/dataset/coldwar-lod`` | the dataset whatever its version (``dcat:hasVersion``) |

A site resolves ``BASE/releases/VERSION/FILE`` to the file of that name in the release folder,
and ``BASE/ontology/VERSION`` (``BASE/shapes/VERSION``) to that release's ``ontology.ttl``
(``shapes.ttl``).
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from ..namespaces import IriSpace


def series(space: IriSpace) -> NamedNode:
    return NamedNode(space.base + "releases")


def release(space: IriSpace, version: str) -> NamedNode:
    return NamedNode(f"{space.base}releases/{version}")


def release_file(space: IriSpace, version: str, name: str) -> NamedNode:
    return NamedNode(f"{space.base}releases/{version}/{name}")


def ontology_version(space: IriSpace, version: str) -> NamedNode:
    return NamedNode(f"{space.base}ontology/{version}")


def shapes_version(space: IriSpace, version: str) -> NamedNode:
    return NamedNode(shapes_version_iri(space.base, version))


def shapes_version_iri(base: str, version: str) -> str:
    return f"{base}shapes/{version}"


def dataset(space: IriSpace) -> NamedNode:
    return space.instance("dataset", "coldwar-lod")
