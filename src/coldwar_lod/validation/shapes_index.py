"""The shapes graph, indexed for the compiler, and how its terms are written in SPARQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from ..namespaces import RDF, SH

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class UnsupportedShapesError(Exception):
    """The shapes use a SHACL feature this engine does not translate (named in the message)."""


class ShapesGraph:
    """The shapes graph, indexed subject -> predicate -> objects."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.index: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            subject, obj = t.subject, t.object
            assert not isinstance(subject, ox.Triple) and not isinstance(obj, ox.Triple)
            self.index[subject][t.predicate.value].append(obj)

    def objects(self, node: Term, predicate: str) -> list[Term]:
        entry = self.index.get(node)
        return list(entry.get(predicate, ())) if entry else []

    def one(self, node: Term, predicate: str) -> Term | None:
        values = self.objects(node, predicate)
        if len(values) > 1:
            raise UnsupportedShapesError(
                f"{name_of(node)} has {len(values)} values of {short_name(predicate)}")
        return values[0] if values else None

    def items(self, node: Term) -> list[Term]:
        """The members of an RDF list."""
        out: list[Term] = []
        while not (isinstance(node, ox.NamedNode) and node.value == RDF.NS + "nil"):
            first = self.one(node, RDF.NS + "first")
            rest = self.one(node, RDF.NS + "rest")
            if first is None or rest is None:
                raise UnsupportedShapesError(f"malformed RDF list at {name_of(node)}")
            out.append(first)
            node = rest
        return out

    def subjects_with(self, predicate: str, obj: str | None = None) -> list[Term]:
        return [s for s, props in self.index.items()
                if predicate in props and (obj is None or any(
                    isinstance(o, ox.NamedNode) and o.value == obj for o in props[predicate]))]


def name_of(node: Term) -> str:
    return node.value if isinstance(node, ox.NamedNode) else str(node)


def short_name(iri: str) -> str:
    return "sh:" + iri[len(SH):] if iri.startswith(SH) else iri


def sparql_term(node: Term) -> str:
    """A term in SPARQL syntax."""
    if isinstance(node, ox.BlankNode):
        raise UnsupportedShapesError(f"a blank node ({node}) as a value in a constraint")
    return str(node)


def sparql_string(text: str) -> str:
    """A SPARQL string literal."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"'

