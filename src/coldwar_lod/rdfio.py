"""RDF as bytes, both ways: the serialization formats, writing sorted triples, reading files.

Output is deterministic: the triples come sorted (:func:`coldwar_lod.mapping.sorted_triples`),
so the same records give byte-identical files and diffs of the data mean something. Reading
names the file, line and column of a syntax error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError
from .namespaces import IriSpace


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
        from .jsonld import jsonld  # here: the validating child reads RDF, never writes JSON-LD

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



_BY_SUFFIX = {
    ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML,
}


def parse_triples(data: bytes, fmt: ox.RdfFormat) -> list[ox.Triple]:
    """Parse RDF bytes into triples (pyoxigraph yields quads; graph names are dropped).

    :raises SyntaxError: on malformed input (pyoxigraph's error, with line and column).
    """
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, fmt)]


#: XML formats, whose documents may carry a DTD.
XML_FORMATS = frozenset({ox.RdfFormat.RDF_XML})


def refuse_dtd(data: bytes, where: str) -> None:
    """Refuse an XML document with a document type declaration (``<!DOCTYPE``), or one that
    is not UTF-8.

    A DTD declares entities, and XML parsers expand them: nested internal entities (the
    "billion laughs") grow a small file into gigabytes in memory, external ones read other
    files or URLs (XXE). RDF/XML needs neither; a document that uses them can be expanded by
    a trusted tool first. Checked before any parsing, so nothing grows with the expansion.

    >>> refuse_dtd(b'<?xml version="1.0"?>\\n<rdf:RDF/>', "a.rdf")
    >>> refuse_dtd(b'<?xml version="1.0"?>\\n<!DOCTYPE r [<!ENTITY a "b">]><r/>', "a.rdf")
    Traceback (most recent call last):
    ...
    coldwar_lod.errors.InputError: a.rdf:2: XML with a document type declaration ...

    :raises InputError: naming ``where`` and the line of the declaration.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("XML in UTF-16 is refused: give RDF/XML in UTF-8", where)
    at = data.find(b"<!DOCTYPE")
    if at < 0:
        at = data.find(b"<!ENTITY")
    if at >= 0:
        raise InputError("XML with a document type declaration (<!DOCTYPE ...>) is refused: "
                         "its entities can exhaust memory or read other files; expand them "
                         "with a trusted tool first", where, data.count(b"\n", 0, at) + 1)


def read_rdf(files: Iterable[Path]) -> list[ox.Triple]:
    """Parse RDF files (format from the file name) into triples; graph names are dropped.

    :raises InputError: for an unknown suffix, an unreadable file or a syntax error, naming
        the file and the line and column of the error.
    """
    out: list[ox.Triple] = []
    for path in files:
        fmt = _BY_SUFFIX.get(path.suffix.lower())
        if fmt is None:
            raise InputError(f"unknown RDF file type {path.suffix!r} (use one of "
                             f"{', '.join(sorted(_BY_SUFFIX))})", str(path))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", str(path)) from None
        if fmt in XML_FORMATS:
            refuse_dtd(data, str(path))
        try:
            out.extend(parse_triples(data, fmt))
        except SyntaxError as exc:
            line = exc.lineno if exc.lineno else None
            raise InputError(f"syntax error: {exc.msg}", str(path), line) from None
    return out
