"""The ontology documentation: every ``cwo:`` term with its label, definition, domain, range
and the shapes that apply to it, in words; and the shapes page.

Laid out as pyLODE and Widoco lay out an ontology (classes, properties, individuals, one
anchored entry per term, so ``BASE/ontology#Event`` lands on the term's entry), from the
ontology and shapes files the build publishes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import OWL, RDF, RDFS, SH, SKOS, IriSpace
from .pages import Pages, alternates

Term = ox.NamedNode | ox.BlankNode | ox.Literal

_SECTIONS = (
    (OWL.Class.value, "Classes"),
    (OWL.ObjectProperty.value, "Object properties"),
    (OWL.DatatypeProperty.value, "Datatype properties"),
    (OWL.AnnotationProperty.value, "Annotation properties"),
    (OWL.NamedIndividual.value, "Individuals"),
)
_FACTS = (
    (RDFS.subClassOf.value, "subclass of"), (RDFS.subPropertyOf.value, "subproperty of"),
    (RDFS.domain.value, "domain"), (RDFS.range.value, "range"), (RDF.type.value, "type"),
    (OWL.inverseOf.value, "inverse of"), (OWL.equivalentClass.value, "equivalent class"),
    (OWL.equivalentProperty.value, "equivalent property"), (SKOS.closeMatch.value, "close match"),
    (SKOS.exactMatch.value, "exact match"), (SKOS.broadMatch.value, "broad match"),
)
_PROPERTIES = ("Object properties", "Datatype properties", "Annotation properties")
_SEVERITY = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}


@dataclass(slots=True)
class ShapeView:
    name: str
    title: str
    description: str
    message: str
    severity: str
    terms: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TermView:
    name: str
    label: str
    definition: str
    facts: list[tuple[str, list[tuple[str, str | None]]]]
    shapes: list[ShapeView]


class Graph:
    """Triples by subject, for reading a small file."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.by_subject: dict[object, list[ox.Triple]] = defaultdict(list)
        for t in triples:
            self.by_subject[t.subject].append(t)

    def values(self, subject: object, predicate: str) -> list[Term]:
        return [t.object for t in self.by_subject.get(subject, ())  # type: ignore[misc]
                if t.predicate.value == predicate]

    def text(self, subject: object, predicate: str) -> str:
        for value in self.values(subject, predicate):
            if isinstance(value, ox.Literal) and value.language in ("en", None):
                return value.value
        return ""

    def items(self, head: object) -> list[object]:
        """The members of an RDF list."""
        out: list[object] = []
        while isinstance(head, ox.BlankNode):
            first = self.values(head, RDF.first.value)
            out.extend(first)
            rest = self.values(head, RDF.rest.value)
            head = rest[0] if rest else None
        return out


def shapes(triples: list[ox.Triple], space: IriSpace) -> list[ShapeView]:
    """Every named shape, with the ``cwo:`` terms it is about (its path, its targets)."""
    g = Graph(triples)
    out = []
    for subject in sorted((s for s in g.by_subject if isinstance(s, ox.NamedNode)
                           and s.value.startswith(space.shapes)), key=lambda s: s.value):
        about: list[object] = []
        for path in g.values(subject, SH + "path"):
            about.append(path)
            for alt in g.values(path, SH + "alternativePath"):
                about.extend(g.items(alt))
        for target in ("targetClass", "targetSubjectsOf", "targetObjectsOf"):
            about.extend(g.values(subject, SH + target))
        severity = g.values(subject, SH + "severity")
        terms = sorted({t.value[len(space.ontology):] for t in about
                        if isinstance(t, ox.NamedNode) and t.value.startswith(space.ontology)})
        name = subject.value[len(space.shapes):]
        out.append(ShapeView(name, g.text(subject, SH + "name") or name,
                             g.text(subject, SH + "description"),
                             g.text(subject, SH + "message"),
                             _SEVERITY.get(severity[0].value if severity else "", "violation")
                             if not severity or isinstance(severity[0], ox.NamedNode)
                             else "violation", terms))
    return out


def _describe(value: object, g: Graph, space: IriSpace) -> tuple[str, str | None]:
    if isinstance(value, ox.NamedNode):
        iri = value.value
        if iri.startswith(space.ontology):
            return "cwo:" + iri[len(space.ontology):], "#" + iri[len(space.ontology):]
        for prefix, ns in space.prefixes().items():
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}", iri
        return iri, iri
    if isinstance(value, ox.BlankNode):
        members = [g.items(head) for head in g.values(value, OWL.unionOf.value)]
        if members:
            return "one of " + ", ".join(_describe(m, g, space)[0] for m in members[0]), None
        return "an anonymous class", None
    return str(getattr(value, "value", value)), None


def ontology_page(pages: Pages, ontology: list[ox.Triple], shape_views: list[ShapeView]
                  ) -> tuple[str, bytes]:
    """``ontology.html``: one anchored entry per term, grouped as pyLODE groups them."""
    space = pages.space
    g = Graph(ontology)
    by_term: dict[str, list[ShapeView]] = defaultdict(list)
    for shape in shape_views:
        for name in shape.terms:
            by_term[name].append(shape)
    sections: dict[str, list[TermView]] = {title: [] for _, title in _SECTIONS}
    sections["Other terms"] = []
    for subject in sorted((s for s in g.by_subject if isinstance(s, ox.NamedNode)
                           and s.value.startswith(space.ontology)
                           and len(s.value) > len(space.ontology)), key=lambda s: s.value):
        name = subject.value[len(space.ontology):]
        types = [t.value for t in g.values(subject, RDF.type.value) if isinstance(t, ox.NamedNode)]
        section = next((title for iri, title in _SECTIONS if iri in types), "Other terms")
        facts = []
        for predicate, label in _FACTS:
            values = [_describe(v, g, space) for v in g.values(subject, predicate)
                      if not (predicate == RDF.type.value and isinstance(v, ox.NamedNode)
                              and v.value in dict(_SECTIONS))]
            if values:
                facts.append((label, sorted(values)))
            elif label in ("domain", "range") and section in _PROPERTIES:
                facts.append((label, [("not restricted", None)]))
        sections[section].append(TermView(
            name, g.text(subject, RDFS.label.value) or name,
            g.text(subject, SKOS.definition.value) or g.text(subject, RDFS.comment.value),
            facts, by_term.get(name, [])))
    ontology_node = ox.NamedNode(space.base + "ontology")
    html = pages.render(
        "ontology.html", "ontology.html", title="The coldwar-lod ontology",
        intro=g.text(ontology_node, RDFS.comment.value) or g.text(ontology_node,
                                                                SKOS.definition.value),
        namespace=space.ontology, sections=[(k, v) for k, v in sections.items() if v],
        iri=space.base + "ontology", alternates=alternates("ontology", "ontology.html"))
    return "ontology.html", html


def shapes_page(pages: Pages, shape_views: list[ShapeView]) -> tuple[str, bytes]:
    html = pages.render("shapes.html", "shapes.html", title="The shapes", shapes=shape_views,
                        iri=pages.space.base + "shapes",
                        alternates=alternates("shapes", "shapes.html"))
    return "shapes.html", html
