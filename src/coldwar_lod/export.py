"""Serializing the dataset (Turtle, JSON-LD, N-Triples, TriG, ...) and writing files atomically.

Output is deterministic: triples are sorted (:func:`coldwar_lod.mapping.sorted_triples`) before
serialization, so the same records give byte-identical files and diffs of the data mean
something.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError
from .namespaces import RDF_TYPE, XSD, IriSpace, iri


@dataclass(frozen=True, slots=True)
class Format:
    """An RDF serialization format."""

    name: str
    suffix: str
    media_type: str
    rdf_format: ox.RdfFormat | None  # None: written by our own JSON-LD writer


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", ".ttl", "text/turtle", ox.RdfFormat.TURTLE),
        Format("json-ld", ".jsonld", "application/ld+json", None),
        Format("nt", ".nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        Format("trig", ".trig", "application/trig", ox.RdfFormat.TRIG),
        Format("nquads", ".nq", "application/n-quads", ox.RdfFormat.N_QUADS),
        Format("rdfxml", ".rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    )
}

_XSD_STRING = XSD + "string"


def data_graph(space: IriSpace) -> ox.NamedNode:
    """The named graph that holds the data in quad formats (TriG, N-Quads) and in stores."""
    return ox.NamedNode(space.base + "graph/data")


def to_bytes(
    items: Iterable[ox.Triple] | Iterable[ox.Quad], rdf_format: ox.RdfFormat,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """pyoxigraph's serializer, returning the bytes (it returns None only with an output)."""
    if prefixes is None:
        out = ox.serialize(items, format=rdf_format)
    else:
        out = ox.serialize(items, format=rdf_format, prefixes=prefixes)
    assert out is not None
    return out


def serialize(triples: Sequence[ox.Triple], fmt: str, space: IriSpace) -> bytes:
    """Serialize sorted triples in format ``fmt`` (a key of :data:`FORMATS`).

    :raises InputError: for an unknown format.
    """
    spec = FORMATS.get(fmt)
    if spec is None:
        raise InputError(f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
    if spec.rdf_format is None:
        return jsonld(triples, space)
    prefixes = space.prefixes()
    # The quad formats hold one named graph, so they are written from the triple formats'
    # output (byte for byte what the quad serializers write; a test checks), which spares
    # building a Quad object per triple.
    if spec.rdf_format == ox.RdfFormat.TRIG:
        return trig_from_turtle(to_bytes(triples, ox.RdfFormat.TURTLE, prefixes),
                                data_graph(space))
    if spec.rdf_format == ox.RdfFormat.N_QUADS:
        return nquads_from_ntriples(to_bytes(triples, ox.RdfFormat.N_TRIPLES), data_graph(space))
    if spec.rdf_format == ox.RdfFormat.N_TRIPLES:
        return to_bytes(triples, spec.rdf_format)
    return to_bytes(triples, spec.rdf_format, prefixes)


def trig_from_turtle(turtle: bytes, graph: ox.NamedNode) -> bytes:
    r"""TriG holding the triples of a Turtle document (as pyoxigraph writes it) in ``graph``.

    pyoxigraph's TriG is its Turtle with the statements indented by a tab inside
    ``<graph> { ... }``; its Turtle escapes line breaks in literals, so every line break
    ends a line of the document.

    >>> ttl = b'@prefix ex: <http://e.org/> .\nex:a ex:p ex:b ;\n\tex:q "x\\ny" .\n'
    >>> for line in trig_from_turtle(ttl, ox.NamedNode("http://e.org/g")).split(b"\n"):
    ...     print(repr(line))
    b'@prefix ex: <http://e.org/> .'
    b'<http://e.org/g> {'
    b'\tex:a ex:p ex:b ;'
    b'\t\tex:q "x\\ny" .'
    b'}'
    b''
    """
    lines = turtle.split(b"\n")
    head = 0
    while head < len(lines) and lines[head].startswith(b"@prefix "):
        head += 1
    body = lines[head:-1]
    if not body:
        return turtle
    prefixes = b"".join(line + b"\n" for line in lines[:head])
    return b"%s%s {\n\t%s\n}\n" % (prefixes, str(graph).encode(), b"\n\t".join(body))


def nquads_from_ntriples(ntriples: bytes, graph: ox.NamedNode) -> bytes:
    r"""N-Quads putting the triples of an N-Triples document in ``graph``.

    N-Triples escapes line breaks in literals, so each statement ends with `` .`` and a
    line break.

    >>> nquads_from_ntriples(b'<http://e.org/a> <http://e.org/p> "x" .\n',
    ...                      ox.NamedNode("http://e.org/g"))
    b'<http://e.org/a> <http://e.org/p> "x" <http://e.org/g> .\n'
    """
    return ntriples.replace(b" .\n", b" %s .\n" % str(graph).encode())


def context(space: IriSpace) -> dict[str, object]:
    """The JSON-LD context shipped as ``context.jsonld``: the prefixes of the dataset."""
    return {"@context": {"@version": 1.1, **space.prefixes()}}


def jsonld(triples: Iterable[ox.Triple], space: IriSpace) -> bytes:
    """Flattened JSON-LD 1.1 with compact IRIs, one node object per subject and per line.

    Written directly rather than through a JSON-LD processor: the data is flat (no blank
    nodes, no lists), so compaction is prefix substitution, and this runs at serializer speed.
    One node per line keeps diffs readable and lets ``json`` use its C encoder.
    """
    ctx = context(space)["@context"]
    namespaces = {ns: name for name, ns in space.prefixes().items()}
    cache: dict[str, str] = {}

    def compact(value: str) -> str:
        found = cache.get(value)
        if found is None:
            found = value
            for sep in ("#", "/"):
                cut = value.rfind(sep) + 1
                while cut > 0:
                    name = namespaces.get(value[:cut])
                    if name is not None and cut < len(value) and value[cut] != "/":
                        found = f"{name}:{value[cut:]}"
                        break
                    cut = value.rfind(sep, 0, cut - 1) + 1
                if found is not value:
                    break
            cache[value] = found
        return found

    nodes: dict[str, dict[str, object]] = {}
    for t in triples:
        subject = iri(t.subject)
        node = nodes.get(subject)
        if node is None:
            node = nodes[subject] = {"@id": compact(subject)}
        obj = t.object
        if t.predicate == RDF_TYPE and isinstance(obj, ox.NamedNode):
            _append(node, "@type", compact(obj.value))
            continue
        value: object
        if isinstance(obj, ox.NamedNode):
            value = {"@id": compact(obj.value)}
        elif isinstance(obj, ox.Literal):
            if obj.language:
                value = {"@value": obj.value, "@language": obj.language}
            elif obj.datatype.value == _XSD_STRING:
                value = obj.value
            else:
                value = {"@value": obj.value, "@type": compact(obj.datatype.value)}
        else:  # pragma: no cover - the mapper mints no blank nodes
            raise TypeError(f"unexpected term {obj!r}")
        _append(node, compact(t.predicate.value), value)
    head = json.dumps({"@context": ctx}, ensure_ascii=False, indent=1)[:-2]
    body = ",\n".join(json.dumps(n, ensure_ascii=False) for n in nodes.values())
    return f'{head},\n "@graph": [\n{body}\n]}}\n'.encode()


def _append(node: dict[str, object], key: str, value: object) -> None:
    if key not in node:
        node[key] = value
        return
    current = node[key]
    if isinstance(current, list):
        current.append(value)
    else:
        node[key] = [current, value]


def write_files(files: Mapping[Path, bytes]) -> None:
    """Write several files so that either all are replaced or none is.

    Each file is first written in full (and synced) to a temporary file beside it; only when
    every one has been written are they renamed over the old ones. A failure before that point
    leaves every existing file as it was.

    :raises InputError: if a folder cannot be created or a file cannot be written.
    """
    staged: list[tuple[str, Path]] = []
    umask = os.umask(0)
    os.umask(umask)
    try:
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            Path(tmp).chmod(0o666 & ~umask)
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in staged:
            Path(tmp).replace(path)
        staged.clear()
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename or 'output'}: {exc.strerror}") from None
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
