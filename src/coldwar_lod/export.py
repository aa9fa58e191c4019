"""Serializing the dataset (Turtle, JSON-LD, N-Triples, TriG, ...) and writing files atomically.

Output is deterministic: triples are sorted (:func:`coldwar_lod.mapping.sorted_triples`) before
serialization, so the same records give byte-identical files and diffs of the data mean
something.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError
from .namespaces import RDF, RDF_TYPE, SKOS, XSD, IriSpace, iri


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
_RDF_LANG_STRING = RDF + "langString"
_RDF_DIR_LANG_STRING = RDF + "dirLangString"
_LANGUAGE = "@language"  # a marker, compared by identity
_ID_KEY = '"@id": '
_EXACT_MATCH = SKOS + "exactMatch"


@dataclass(slots=True)
class Census:
    """What a pass over the triples saw, from which :mod:`coldwar_lod.void` takes its
    statistics: the JSON-LD writer takes it on the way (:func:`jsonld_and_census`), so that
    a build does not read every triple once more for them.
    """

    #: every subject's IRI
    subjects: set[str] = field(default_factory=set)
    #: the number of distinct predicates
    predicates: int = 0
    #: the subjects of ``rdf:type`` triples (whatever their object)
    typed: set[str] = field(default_factory=set)
    #: class IRI -> the subject of each ``rdf:type`` triple with that class, in triple order
    instances: dict[str, list[str]] = field(default_factory=dict)
    #: the object IRI of each ``skos:exactMatch`` triple, in triple order
    matches: list[str] = field(default_factory=list)


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
    One node per line keeps diffs readable. Each line is what ``json.dumps(node,
    ensure_ascii=False)`` writes for the node (a test checks), put together from pieces of
    JSON; the nodes come in the order of their subjects' first triples, the keys of a node in
    the order of their first triples, and the values of a key in the order of the triples.
    """
    return jsonld_and_census(triples, space)[0]


def jsonld_and_census(triples: Iterable[ox.Triple], space: IriSpace) -> tuple[bytes, Census]:
    """:func:`jsonld`, and the :class:`Census` of the triples, taken in the same pass."""
    ctx = context(space)["@context"]
    items = triples if isinstance(triples, Sequence) else list(triples)
    compact = _compactor(space)
    done = _node_lines(items, compact)
    if done is None:  # a subject's triples are not together: put them together
        groups: dict[str, list[ox.Triple]] = {}
        for t in items:
            groups.setdefault(iri(t.subject), []).append(t)
        done = _node_lines([t for group in groups.values() for t in group], compact)
        assert done is not None
    lines, census = done
    head = json.dumps({"@context": ctx}, ensure_ascii=False, indent=1)[:-2]
    body = ",\n".join(lines)
    return f'{head},\n "@graph": [\n{body}\n]}}\n'.encode(), census


def _node_lines(triples: Sequence[ox.Triple], compact: Callable[[str], str]
                ) -> tuple[list[str], Census] | None:
    """The JSON of each subject's node object and the census of the triples, or None if a
    subject's triples are not together.

    One pass, with little work per triple: reading a term of a pyoxigraph triple makes a new
    Python object, so each term is read once, and the JSON of repeated terms (predicates,
    object IRIs, classes, datatypes) is made once and kept in dicts keyed by the term (object
    IRIs by their string). A node is written out as soon as its subject's triples end, so
    what stays alive while the pass runs is mostly strings, which the garbage collector does
    not look at.
    """
    # predicate -> its key in a node object, as JSON followed by ": "
    keys: dict[ox.NamedNode, str] = {}
    # the keys of rdf:type and skos:exactMatch once seen, compared by identity
    type_key: str | None = None
    match_key: str | None = None
    class_key = _key("@type")
    # class -> its compact IRI as JSON, and the subject of each rdf:type triple with it
    classes: dict[ox.NamedNode, tuple[str, list[str]]] = {}
    typed: set[str] = set()
    matches: list[str] = []
    # object IRI -> {"@id": compact IRI}, as JSON (keyed by the IRI's string: terms kept
    # alive would make the garbage collector run, and look at every triple, each time)
    refs: dict[str, str] = {}
    # datatype -> the end of a value object ``, "@type": "xsd:date"}``, or "" for xsd:string,
    # or _LANGUAGE for language-tagged strings
    datatypes: dict[ox.NamedNode, str] = {
        ox.NamedNode(_XSD_STRING): "",
        ox.NamedNode(_RDF_LANG_STRING): _LANGUAGE,
        ox.NamedNode(_RDF_DIR_LANG_STRING): _LANGUAGE,
    }
    named_node, literal, string = ox.NamedNode, ox.Literal, encode_basestring
    lines: list[str] = []
    seen: set[str] = set()
    # the current node: its keys (as JSON + ": ") -> its value or values (as JSON), "@id" first
    node: dict[str, str | list[str]] = {}
    subject: object = None
    for s, p, o in triples:
        if s != subject:
            if node:
                lines.append(_node_json(node))
            subject = s
            name = iri(s)
            if name in seen:
                return None
            seen.add(name)
            node = {_ID_KEY: string(compact(name))}
        key = keys.get(p)
        if key is None:
            key = keys[p] = _key(compact(p.value))
            if p == RDF_TYPE:
                type_key = key
            elif p.value == _EXACT_MATCH:
                match_key = key
        if key is type_key:
            typed.add(name)
        kind = type(o)
        if kind is named_node:
            if key is type_key:
                key = class_key
                entry = classes.get(o)
                if entry is None:
                    entry = classes[o] = (string(compact(o.value)), [])
                value = entry[0]
                entry[1].append(name)
            else:
                target = o.value
                if key is match_key:
                    matches.append(target)
                ref = refs.get(target)
                if ref is None:
                    ref = refs[target] = f'{{"@id": {string(compact(target))}}}'
                value = ref
        elif kind is literal:
            datatype = o.datatype
            end = datatypes.get(datatype)
            if end is None:
                end = datatypes[datatype] = f', "@type": {string(compact(datatype.value))}}}'
            if not end:
                value = string(o.value)
            elif end is _LANGUAGE:
                value = f'{{"@value": {string(o.value)}, "@language": {string(o.language)}}}'
            else:
                value = f'{{"@value": {string(o.value)}{end}'
        else:  # pragma: no cover - the mapper mints no blank nodes
            raise TypeError(f"unexpected term {o!r}")
        values = node.get(key)
        if values is None:
            node[key] = value
        elif isinstance(values, str):
            node[key] = [values, value]
        else:
            values.append(value)
    if node:
        lines.append(_node_json(node))
    census = Census(seen, len(keys), typed,
                    {cls.value: names for cls, (_, names) in classes.items()}, matches)
    return lines, census


def _node_json(node: dict[str, str | list[str]]) -> str:
    """A node object as JSON, from its keys and values as JSON."""
    return "{" + ", ".join([key + values if isinstance(values, str)
                            else f"{key}[{', '.join(values)}]"
                            for key, values in node.items()]) + "}"


def _key(name: str) -> str:
    """A key of a JSON object as written before its value: ``"name": ``."""
    return encode_basestring(name) + ": "


def _compactor(space: IriSpace) -> Callable[[str], str]:
    """A function turning an IRI into a compact IRI ``prefix:name`` (or the IRI itself).

    The longest namespace ending at a ``#`` wins, then the longest ending at a ``/``; a local
    name may not be empty or start with ``/``. (Not cached: the callers keep what they reuse.)
    """
    namespaces = {ns: name for name, ns in space.prefixes().items()}

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


def write_files(files: Mapping[Path, bytes]) -> dict[Path, int]:
    """Write several files so that either all are replaced or none is (:class:`StagedFiles`).

    :returns: path -> size in bytes.
    :raises InputError: if a folder cannot be created or a file cannot be written.
    """
    with StagedFiles() as staged:
        for path, content in files.items():
            staged.add(path, content)
        return staged.commit()


class StagedFiles:
    """Files that replace their targets all together or not at all, written while the caller
    goes on.

    :meth:`add` hands a file to a thread, which writes it in full, and syncs it to disk, to a
    temporary file beside its target; meanwhile the caller renders the next one (the writes
    and syncs release the GIL). :meth:`commit` waits for the writes, then renames each
    temporary file over its target. Leaving the ``with`` block without committing (an error,
    data that does not conform) removes the temporary files: every target stays as it was.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with StagedFiles() as staged:
    ...     staged.add(folder / "a.nt", b"")
    ...     staged.add(folder / "b.nt", b"<urn:a> <urn:b> <urn:c> .\\n")
    ...     sizes = staged.commit()
    >>> sorted((path.name, size) for path, size in sizes.items())
    [('a.nt', 0), ('b.nt', 26)]
    >>> with StagedFiles() as staged:  # not committed: nothing changes
    ...     staged.add(folder / "a.nt", b"<urn:a> <urn:b> <urn:c> .\\n")
    >>> sorted(path.name for path in folder.iterdir()), (folder / "a.nt").read_bytes()
    (['a.nt', 'b.nt'], b'')
    """

    def __init__(self) -> None:
        umask = os.umask(0)  # read here, not in the thread: setting it is process-wide
        os.umask(umask)
        self._mode = 0o666 & ~umask
        self._pending: queue.SimpleQueue[tuple[Path, bytes] | None] = queue.SimpleQueue()
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target), in order
        self._made: list[Path] = []  # folders made for the targets, parents first
        self._sizes: dict[Path, int] = {}
        self._error: OSError | None = None
        self._writer: threading.Thread | None = None
        self._done = False

    def add(self, path: Path, content: bytes) -> None:
        """Stage ``content`` to replace ``path``; returns at once."""
        assert not self._done, "add() after commit() or discard()"
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_all, daemon=True)
            self._writer.start()
        self._pending.put((path, content))

    def _write_all(self) -> None:
        while (item := self._pending.get()) is not None:
            if self._error is None:  # after a failure, the rest is not written
                try:
                    self._stage(*item)
                except OSError as exc:
                    self._error = exc

    def _stage(self, path: Path, content: bytes) -> None:
        missing = [folder for folder in (path.parent, *path.parent.parents)
                   if not folder.exists()]
        path.parent.mkdir(parents=True, exist_ok=True)
        self._made.extend(reversed(missing))
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._staged.append((Path(tmp), path))
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fd, self._mode)
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        self._sizes[path] = len(content)

    def _finish_writes(self) -> None:
        if not self._done:
            self._done = True
            self._pending.put(None)
        if self._writer is not None:
            self._writer.join()

    def commit(self) -> dict[Path, int]:
        """Wait for the writes, then put every file in place.

        :returns: path -> size in bytes, in the order the files were added.
        :raises InputError: if a folder cannot be created or a file cannot be written (then
            no target has changed).
        """
        self._finish_writes()
        try:
            if self._error is not None:
                raise self._error
            for tmp, path in self._staged:
                tmp.replace(path)
        except OSError as exc:
            raise InputError(f"cannot write {exc.filename or 'output'}: {exc.strerror}"
                             ) from None
        self._staged.clear()
        self._made.clear()  # kept: they hold the files now
        return dict(self._sizes)

    def discard(self) -> None:
        """Remove the temporary files, and the folders made for them: the targets, and the
        file system, stay as they were."""
        self._finish_writes()
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()
        for folder in reversed(self._made):  # deepest first; only if still empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made.clear()

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()
