"""The series of releases: listing them (for the site and for each new release's
description), and the DCAT 3 description of a release as a member of the series.

A release's ``void.ttl`` holds its VoID statistics and distributions (written by
:func:`coldwar_lod.void.describe`) and, from here: the series (``dcat:DatasetSeries``, with
``dcat:first``/``dcat:last``), the release (``dcat:inSeries``, ``dcat:version``,
``dcterms:issued``, ``dcat:previousVersion``/``dcat:prev``, ``adms:versionNotes`` with the
changelog's summary), every earlier member of the series the same way, the gzip copies of the
dumps as distributions (``dcat:compressFormat``, ``dcat:byteSize``, ``spdx:checksum``), and each
release's changelog files (``rdfs:seeAlso``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode, Triple

from ..errors import InputError
from ..model import LICENCE
from ..namespaces import ADMS, DCAT, DCTERMS, RDF_TYPE, RDFS, SPDX, VOID, XSD, IriSpace
from . import iris
from .versions import series_versions

_GZIP = "https://www.iana.org/assignments/media-types/application/gzip"
_MEDIA = "https://www.iana.org/assignments/media-types/"
#: The changelog files of every release.
CHANGES_MD = "CHANGES.md"
PATCH = "changes.rdfp"


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """A release in a series folder, as its description gives it."""

    version: str
    issued: str  # YYYY-MM-DD
    notes: str  # the changelog's summary
    folder: Path

    @property
    def files(self) -> list[str]:
        """The names of its files, sorted."""
        return sorted(p.name for p in self.folder.iterdir() if p.is_file())


def list_releases(folder: Path | str) -> list[ReleaseInfo]:
    """The releases in ``folder`` (``releases/``), oldest first, read from their ``void.ttl``.

    What a site calls to list the releases and link their files and changelogs.

    :raises InputError: if a release's ``void.ttl`` is missing or unreadable.

    >>> list_releases("no-such-folder")  # a folder without releases (or none at all)
    []
    """
    root = Path(folder)
    out = []
    for version in series_versions(root):
        path = root / version.text
        issued = notes = ""
        try:
            for q in ox.parse(path=path / "void.ttl", format=ox.RdfFormat.TURTLE):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal) \
                        and q.subject.value.endswith(f"/releases/{version.text}"):
                    if q.predicate == DCTERMS.issued:
                        issued = q.object.value
                    elif q.predicate == ADMS.versionNotes:
                        notes = q.object.value
        except (OSError, SyntaxError) as exc:
            raise InputError(f"cannot read the description of release {version}: {exc}",
                             str(path / "void.ttl")) from None
        out.append(ReleaseInfo(version.text, issued, notes, path))
    return out


def describe_release(space: IriSpace, version: str, issued: str, notes: str,
                     earlier: list[ReleaseInfo], compressed: Mapping[str, tuple[str, bytes]]
                     ) -> list[Triple]:
    """The DCAT 3 triples of release ``version`` in its series (besides :mod:`..void`'s).

    :param earlier: the releases before it, oldest first.
    :param compressed: gzip file name -> (media type of what it holds, content).
    """
    out: list[Triple] = []

    def add(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        out.append(Triple(s, p, o))

    series, dataset = iris.series(space), iris.dataset(space)
    this = iris.release(space, version)
    out.append(Triple(series, RDF_TYPE, DCAT.DatasetSeries))
    add(series, DCTERMS.title, Literal("coldwar-lod releases", language="en"))
    add(series, DCTERMS.license, NamedNode(LICENCE))
    add(series, DCAT.first, iris.release(space, earlier[0].version if earlier else version))
    add(series, DCAT.last, this)
    add(dataset, DCAT.hasCurrentVersion, this)
    members = [(r.version, r.issued, r.notes) for r in earlier] + [(version, issued, notes)]
    previous: NamedNode | None = None
    for number, date, text in members:
        node = iris.release(space, number)
        out.append(Triple(node, RDF_TYPE, DCAT.Dataset))
        add(dataset, DCAT.hasVersion, node)
        add(node, DCTERMS.isVersionOf, dataset)
        add(node, DCAT.inSeries, series)
        add(node, DCAT.version, Literal(number))
        add(node, DCTERMS.issued, Literal(date, datatype=XSD.date))
        add(node, ADMS.versionNotes, Literal(text, language="en"))
        add(node, DCTERMS.license, NamedNode(LICENCE))
        for name in (CHANGES_MD, PATCH):
            add(node, RDFS.seeAlso, iris.release_file(space, number, name))
        add(iris.release_file(space, number, PATCH), DCTERMS.format,
            Literal("application/rdf-patch"))
        if previous is not None:
            add(node, DCAT.previousVersion, previous)
            add(node, DCAT.prev, previous)
        previous = node
    add(this, VOID.vocabulary, iris.ontology_version(space, version))
    add(this, DCTERMS.conformsTo, iris.shapes_version(space, version))
    for name, (media_type, content) in sorted(compressed.items()):
        dist = NamedNode(f"{this.value}#dist-{name}")
        add(this, DCAT.distribution, dist)
        out.append(Triple(dist, RDF_TYPE, DCAT.Distribution))
        add(dist, DCAT.downloadURL, iris.release_file(space, version, name))
        add(dist, DCAT.mediaType, NamedNode(_MEDIA + media_type))
        add(dist, DCAT.compressFormat, NamedNode(_GZIP))
        add(dist, DCAT.byteSize, Literal(str(len(content)),
                                             datatype=XSD.integer))
        digest = NamedNode(f"{dist.value}-sha256")
        add(dist, SPDX.checksum, digest)
        out.append(Triple(digest, RDF_TYPE, SPDX.Checksum))
        add(digest, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        add(digest, SPDX.checksumValue, Literal(hashlib.sha256(content).hexdigest()))
    return out
