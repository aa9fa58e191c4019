"""The documents of a release: the build's files, each RDF document naming its licence and
version, and their gzip copies and checksums, all deterministic.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Mapping

from .. import Build
from ..dataset import DUMPS
from ..errors import InputError
from ..model import LICENCE
from ..namespaces import DCTERMS, OWL
from . import iris

#: The files that get a gzip copy beside them.
COMPRESSED = (*DUMPS.values(), "ontology.ttl", "shapes.ttl")
SUMS = "SHA256SUMS"


def release_documents(licensed: Build, files: Mapping[str, bytes], version: str
                      ) -> dict[str, bytes]:
    """The data dumps, ontology, shapes and JSON-LD context of release ``version``.

    :param licensed: the build (its data states the licence).
    :param files: the build's files (:func:`coldwar_lod.pipeline.build_and_render`).
    """
    base = licensed.space.base
    out = {name: licensed.serialize(fmt) for fmt, name in DUMPS.items()}
    out["ontology.ttl"] = versioned_ontology(files["ontology.ttl"], base, version)
    out["shapes.ttl"] = versioned_shapes(files["shapes.ttl"], base, version)
    out["context.jsonld"] = files["context.jsonld"]
    return out


def versioned_ontology(turtle: bytes, base: str, version: str) -> bytes:
    """The ontology with ``owl:versionInfo`` and ``owl:versionIRI`` of the release.

    >>> ttl = b'<https://e.org/ontology> owl:versionInfo "0.1.0" ;\\n' \\
    ...       b'    owl:versionIRI <https://e.org/ontology/0.1.0> .\\n'
    >>> print(versioned_ontology(ttl, "https://e.org/", "2.0.0").decode(), end="")
    <https://e.org/ontology> owl:versionInfo "2.0.0" ;
        owl:versionIRI <https://e.org/ontology/2.0.0> .

    :raises InputError: if the ontology lacks either statement (one of each is expected).
    """
    text = turtle.decode()
    text, infos = re.subn(r'owl:versionInfo "[^"]*"', f'owl:versionInfo "{version}"', text)
    text, iris_ = re.subn(rf"owl:versionIRI <{re.escape(base)}ontology/[^>]*>",
                          f"owl:versionIRI <{base}ontology/{version}>", text)
    if (infos, iris_) != (1, 1):
        raise InputError("the ontology needs exactly one owl:versionInfo and one "
                         f"owl:versionIRI <{base}ontology/...> (found {infos} and {iris_})",
                         "ontology/coldwar.ttl")
    return text.encode()


def versioned_shapes(turtle: bytes, base: str, version: str) -> bytes:
    """The merged shapes, followed by a statement of their licence and version."""
    block = (f"\n# ---- release {version} ----\n"
             f"<{base}shapes> a {OWL.Ontology} ;\n"
             f"    {DCTERMS.license} <{LICENCE}> ;\n"
             f'    {OWL.versionInfo} "{version}" ;\n'
             f"    {OWL.versionIRI} <{iris.shapes_version_iri(base, version)}> .\n")
    return turtle + block.encode()


def gzipped(content: bytes) -> bytes:
    """gzip, the same bytes every time: no file name, modification time 0, level 9.

    >>> gzipped(b"x") == gzipped(b"x") and gzip.decompress(gzipped(b"x")) == b"x"
    True
    """
    return gzip.compress(content, compresslevel=9, mtime=0)


def sha256sums(files: Mapping[str, bytes]) -> bytes:
    """``SHA256SUMS`` as ``sha256sum`` writes it (and ``sha256sum -c`` reads it), by name.

    >>> print(sha256sums({"b": b"", "a": b"x"}).decode(), end="")
    2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  a
    e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  b
    """
    return "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n"
                   for name, content in sorted(files.items())).encode()
