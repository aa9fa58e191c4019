"""Reading RDF files given by users, with errors that name the file and line."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError

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
        try:
            out.extend(parse_triples(data, fmt))
        except SyntaxError as exc:
            line = exc.lineno if exc.lineno else None
            raise InputError(f"syntax error: {exc.msg}", str(path), line) from None
    return out
