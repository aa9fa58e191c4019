"""The difference between two releases, per named graph, as an RDF Patch, and its applier.

A release is read as a dataset of three named graphs, as ``coldwar-lod load`` puts them in a
store: ``BASE/graph/data`` (the data dump), ``BASE/graph/ontology`` and ``BASE/graph/shapes``.
The shapes' lists and nested shapes are blank nodes, which a parser names afresh each time;
they are first given stable labels (:func:`stable_blank_nodes`), so that an unchanged blank
node has the same label in both releases and only what changed is in the patch (a changed
list gets new labels: its old triples are deleted, the new ones added).

The patch is in the RDF Patch format of Apache Jena (https://jena.apache.org/documentation/
rdf-patch/): ``H id`` (and ``H prev``, the id of the previous release's patch) headers, one
transaction ``TX .`` ... ``TC .``, then every deletion ``D s p o g .`` and every addition
``A s p o g .``, terms in N-Triples syntax, sorted. The first release's patch turns the empty
dataset into it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping

import pyoxigraph as ox

from ..namespaces import IriSpace

#: graph name (the last segment of ``BASE/graph/<name>``) -> the release file it is read from
GRAPHS = {"data": "coldwar-lod.nt", "ontology": "ontology.ttl", "shapes": "shapes.ttl"}
_FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE}

_Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: graph IRI -> its triples
Dataset = dict[str, set[ox.Triple]]


def release_dataset(files: Mapping[str, bytes], space: IriSpace) -> Dataset:
    """The named graphs of a release (from its files), blank nodes labelled stably.

    >>> from pathlib import Path
    >>> release = Path(__file__).resolve().parents[3] / "releases" / "0.1.0"
    >>> graphs = release_dataset({name: (release / name).read_bytes()
    ...                           for name in GRAPHS.values()}, IriSpace.from_base())
    >>> {iri.rsplit("/", 1)[1]: len(triples) for iri, triples in graphs.items()}
    {'data': 11702, 'ontology': 1071, 'shapes': 733}
    """
    out: Dataset = {}
    for name, file in GRAPHS.items():
        content = files[file]
        fmt = _FORMATS[file[file.rfind("."):]]
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(content, fmt)]
        out[f"{space.base}graph/{name}"] = set(stable_blank_nodes(triples))
    return out


def stable_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples with every blank node labelled by what it is and where it hangs.

    In Turtle's ``[ ... ]`` and ``( ... )``, every blank node is the object of exactly one
    triple: the blank nodes form trees under named nodes. Then a blank node's label is a hash
    of the triple that holds it (its holder's IRI or label, and the predicate) and of its own
    content (its triples, blank nodes by their content, recursively): an unchanged shape keeps
    its labels whatever changes elsewhere, and a changed one gets new labels only along its
    path. Identical siblings (same holder, predicate and content) are numbered: they are
    interchangeable, so any numbering gives the same triples. Graphs whose blank nodes are not
    trees get rdflib's canonical labels instead (:func:`rdflib.compare.to_canonical_graph`,
    which is 100 times slower here and relabels tied nodes when anything changes).

    >>> a, p = ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/p")
    >>> one = stable_blank_nodes([ox.Triple(a, p, ox.BlankNode()), ])
    >>> two = stable_blank_nodes([ox.Triple(a, p, ox.BlankNode()), ])
    >>> one == two
    True
    """
    held: dict[ox.BlankNode, list[tuple[_Term, ox.NamedNode]]] = {}
    own: dict[ox.BlankNode, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.object, ox.BlankNode):
            held.setdefault(t.object, []).append((t.subject, t.predicate))
        if isinstance(t.subject, ox.BlankNode):
            own.setdefault(t.subject, []).append(t)
    if not held and not own:
        return triples
    if any(len(holders) != 1 for holders in held.values()) or own.keys() - held.keys():
        return _canonical(triples)
    content: dict[ox.BlankNode, str] = {}

    def content_of(node: ox.BlankNode, path: frozenset[ox.BlankNode]) -> str:
        if node in path:
            raise RecursionError
        if node not in content:
            lines = sorted(f"{t.predicate} " + (content_of(t.object, path | {node})
                                                if isinstance(t.object, ox.BlankNode)
                                                else str(t.object))
                           for t in own.get(node, ()))
            content[node] = _hash("\n".join(lines))
        return content[node]

    try:
        for node in held:
            content_of(node, frozenset())
    except RecursionError:  # a cycle of blank nodes
        return _canonical(triples)
    twin: dict[ox.BlankNode, int] = {}
    siblings: dict[tuple[str, str, str], int] = {}
    for node, ((holder, predicate),) in held.items():
        key = (str(holder), str(predicate), content[node])
        twin[node] = siblings[key] = siblings.get(key, 0) + 1
    labels: dict[ox.BlankNode, ox.BlankNode] = {}

    def label_of(node: ox.BlankNode) -> ox.BlankNode:
        if node not in labels:
            holder, predicate = held[node][0]
            anchor = (label_of(holder).value if isinstance(holder, ox.BlankNode)
                      else str(holder))
            labels[node] = ox.BlankNode(
                "b" + _hash(f"{anchor} {predicate} {content[node]} {twin[node]}")[:32])
        return labels[node]

    return [ox.Triple(label_of(t.subject) if isinstance(t.subject, ox.BlankNode) else t.subject,
                      t.predicate,
                      label_of(t.object) if isinstance(t.object, ox.BlankNode) else t.object)
            for t in triples]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(triples: list[ox.Triple]) -> list[ox.Triple]:
    import rdflib
    from rdflib.compare import to_canonical_graph

    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph().parse(data=nt, format="nt")
    canonical = rdflib.Graph()
    canonical += to_canonical_graph(graph)
    data = canonical.serialize(format="nt", encoding="utf-8")
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)]


def patch_id(release_iri: str) -> str:
    """The id of a release's patch: a UUID made from the release's IRI (the same every time).

    >>> patch_id("https://w3id.org/coldwar-lod/releases/0.1.0").startswith("urn:uuid:")
    True
    """
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, release_iri)}"


def differences(old: Dataset, new: Dataset) -> dict[str, tuple[set[ox.Triple], set[ox.Triple]]]:
    """graph IRI -> (the triples only ``old`` has, those only ``new`` has), by graph IRI."""
    none: set[ox.Triple] = set()
    return {graph: (old.get(graph, none) - new.get(graph, none),
                    new.get(graph, none) - old.get(graph, none))
            for graph in sorted(old.keys() | new.keys())}


def rdf_patch(changes: Mapping[str, tuple[set[ox.Triple], set[ox.Triple]]], patch: str,
              previous: str | None) -> bytes:
    """The RDF Patch that makes the :func:`differences` ``changes``: every deletion, then
    every addition, by graph, sorted.

    :param patch: this patch's id (:func:`patch_id`); ``previous``: the previous one's.

    >>> a, b, c = (ox.NamedNode(f"http://e.org/{x}") for x in "abc")
    >>> old = {"http://e.org/g": {ox.Triple(a, b, c)}}
    >>> new = {"http://e.org/g": {ox.Triple(a, b, ox.Literal("c"))}}
    >>> print(rdf_patch(differences(old, new), "urn:x:2", "urn:x:1").decode(), end="")
    H id <urn:x:2> .
    H prev <urn:x:1> .
    TX .
    D <http://e.org/a> <http://e.org/b> <http://e.org/c> <http://e.org/g> .
    A <http://e.org/a> <http://e.org/b> "c" <http://e.org/g> .
    TC .
    """
    lines = [f"H id <{patch}> ."]
    if previous:
        lines.append(f"H prev <{previous}> .")
    lines.append("TX .")
    for op, side in (("D", 0), ("A", 1)):
        for graph, pair in sorted(changes.items()):
            lines += sorted(f"{op} {t} <{graph}> ." for t in pair[side])
    lines.append("TC .")
    return ("\n".join(lines) + "\n").encode()


class PatchError(ValueError):
    """A malformed RDF Patch (with its line number)."""


def apply_patch(dataset: Dataset, patch: bytes) -> Dataset:
    """``dataset`` changed by ``patch`` (a new dataset; the argument is left as it was).

    Rows of a transaction (``TX`` ... ``TC``) are applied at its ``TC``, dropped at ``TA``;
    rows outside a transaction at once. ``PA``/``PD`` (prefixes) change no triple.

    :raises PatchError: on an unknown row, or an ``A``/``D`` row that is not a quad or triple.

    >>> g = "http://e.org/g"
    >>> patch = b"TX .\\nA <http://e.org/a> <http://e.org/b> _:x <http://e.org/g> .\\nTC .\\n"
    >>> [str(t) for t in apply_patch({g: set()}, patch)[g]]
    ['<http://e.org/a> <http://e.org/b> _:x']
    """
    out = {graph: set(triples) for graph, triples in dataset.items()}
    pending: list[tuple[str, ox.Quad]] | None = None
    for number, raw in enumerate(patch.decode("utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        op, _, rest = line.partition(" ")
        if op in ("H", "PA", "PD"):
            continue
        if op == "TX":
            pending = []
        elif op in ("TC", "TA"):
            if op == "TC" and pending:
                _apply(out, pending)
            pending = None
        elif op in ("A", "D"):
            row = (op, _quad(rest, number))
            if pending is None:
                _apply(out, [row])
            else:
                pending.append(row)
        else:
            raise PatchError(f"line {number}: unknown row {op!r}")
    return out


def _quad(text: str, number: int) -> ox.Quad:
    try:
        quads = list(ox.parse(text.encode(), ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise PatchError(f"line {number}: {exc}") from None
    if len(quads) != 1:
        raise PatchError(f"line {number}: expected one triple or quad")
    quad: ox.Quad = quads[0]
    return quad


def _apply(dataset: Dataset, rows: list[tuple[str, ox.Quad]]) -> None:
    for op, quad in rows:
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        if op == "A":
            dataset.setdefault(graph, set()).add(triple)
        else:
            dataset.get(graph, set()).discard(triple)
