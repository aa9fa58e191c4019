"""What a load writes: the graphs of the dataset, upload requests, and the plan that turns
each target graph into its new version in one update request (see
:mod:`coldwar_lod.sparql.load` for the whole procedure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..namespaces import RDFS
from ..rdfio import data_graph
from ..resources import merged_shapes_bytes, ontology_bytes
from .graphs import has_blank_node

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build


@dataclass(frozen=True, slots=True)
class GraphUpload:
    """One graph to load: what it holds and where it goes."""

    name: str
    iri: str
    triples: Sequence[ox.Triple] = field(repr=False)  # a million of them, at times



def dataset_graphs(build: Build, graph: str | None = None) -> list[GraphUpload]:
    """The graphs of a load: the data (in ``graph``), the ontology and the merged shapes."""
    base = build.space.base
    target = graph or data_graph(build.space).value
    ontology = _parse_turtle(ontology_bytes(base))
    shapes = _parse_turtle(merged_shapes_bytes(base))
    return [GraphUpload("data", target, list(build.triples)),
            GraphUpload("ontology", base + "graph/ontology", ontology),
            GraphUpload("shapes", base + "graph/shapes", shapes)]


def _parse_turtle(data: bytes) -> list[ox.Triple]:
    triples = {quad.triple for quad in ox.parse(data, ox.RdfFormat.TURTLE)}
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def chunks(triples: Sequence[ox.Triple], size: int) -> list[list[ox.Triple]]:
    """Split triples into upload requests of at most ``size`` (blank nodes kept together).

    A blank node is scoped to one document, so every triple mentioning a blank node goes into
    one request (the first); the rest are cut into ``size``-sized pieces.

    >>> b, x = ox.BlankNode("b"), ox.NamedNode("http://e.org/x")
    >>> ts = [ox.Triple(x, x, ox.Literal(str(i))) for i in range(5)] + [ox.Triple(x, x, b)]
    >>> [len(c) for c in chunks(ts, 2)], [len(c) for c in chunks(ts, 6)]
    ([1, 2, 2, 1], [6])
    """
    if len(triples) <= size:
        return [list(triples)] if triples else []
    with_bnodes = [t for t in triples if has_blank_node(t)]
    plain = [t for t in triples if not has_blank_node(t)]
    out: list[list[ox.Triple]] = [with_bnodes] if with_bnodes else []
    out.extend(plain[i:i + size] for i in range(0, len(plain), size))
    return out


@dataclass(slots=True)
class Plan:
    """What the load writes into one target graph, staged in temporary graphs first.

    ``whole``: the target is dropped (unless it was empty: in Oxigraph a ``DROP`` in the same
    request makes the ``INSERT`` twice as slow) and refilled from ``add`` (all the new
    triples). Otherwise only the differences are written: ``remove`` (triples without blank
    nodes the target holds and the new version does not) is deleted, every old triple with a
    blank node is deleted by pattern (``blank_before`` of them), and ``add`` (the new triples
    the target lacks, and every new triple with a blank node) is inserted.
    """

    upload: GraphUpload
    add: list[ox.Triple]
    remove: list[ox.Triple]
    add_graph: str
    remove_graph: str
    whole: bool = True
    blank_before: int = 0
    before: int = 0  # the target's triples when the load began

    @property
    def relies_on_before(self) -> bool:
        """Whether the swap is right only if the target still holds what it held at the start."""
        return not self.whole or not self.before

    def temporaries(self) -> dict[str, int]:
        """The temporary graphs this plan fills, and how many triples each must hold."""
        staged = {self.add_graph: len(self.add), self.remove_graph: len(self.remove)}
        return {graph: n for graph, n in staged.items() if n}

    def deletions(self) -> list[str]:
        """Graph patterns binding ``?g ?s ?p ?o`` to the triples to delete from the target."""
        target = self.upload.iri
        patterns = []
        if not self.whole and self.remove:
            patterns.append(f"{{ GRAPH <{self.remove_graph}> {{ ?s ?p ?o }} "
                            f"BIND (<{target}> AS ?g) }}")
        if not self.whole and self.blank_before:
            patterns.append(f"{{ GRAPH <{target}> {{ ?s ?p ?o }} "
                            f"FILTER (isBlank(?s) || isBlank(?o)) BIND (<{target}> AS ?g) }}")
        return patterns

    def additions(self) -> list[str]:
        """Graph patterns binding ``?g ?s ?p ?o`` to the triples to insert into the target."""
        if not self.add:
            return []
        return [f"{{ GRAPH <{self.add_graph}> {{ ?s ?p ?o }} BIND (<{self.upload.iri}> AS ?g) }}"]


def swap_update(plans: Sequence[Plan], receipt: str) -> str:
    """The one update request that turns every target into its new version, and writes the
    receipt: ``DROP`` for the full targets replaced whole, then one ``DELETE … WHERE`` and one
    ``INSERT … WHERE`` for all the graphs (``UNION`` of their temporary graphs).

    Few operations, reads before writes: Oxigraph reads about twice as slowly in a transaction
    that has written something already, so the one big read of a first load comes first.
    """
    ops = [f"DROP SILENT GRAPH <{p.upload.iri}>" for p in plans if p.whole and p.before]
    for verb, patterns in (("DELETE", [q for p in plans for q in p.deletions()]),
                           ("INSERT", [q for p in plans for q in p.additions()])):
        if patterns:
            ops.append(f"{verb} {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{\n  "
                       + "\n  UNION ".join(patterns) + "\n}")
    ops.append(f"INSERT DATA {{ GRAPH <{receipt}> {{ <{receipt}> {RDFS.comment} "
               '"the swap of a coldwar-lod load was applied" } }')
    return " ;\n".join(ops)
