"""Every shape fires on its invalid fixture (and only the shapes the fixture names), and
stays silent on a valid one; the built dataset conforms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from coldwar_lod.dataset import Build
from coldwar_lod.namespaces import IriSpace
from coldwar_lod.rdfio import read_rdf
from coldwar_lod.validation.engines import shapes_graph, validate_triples

from ..conftest import FIXTURES

SHAPES = FIXTURES / "shapes"
CWSH = "https://w3id.org/coldwar-lod/shapes#"
CWO = "https://w3id.org/coldwar-lod/ontology#"
SPACE = IriSpace.from_base()


def constraint_shapes() -> list[str]:
    """Named shapes that carry constraints of their own (not just sh:property groups)."""
    g = shapes_graph(SPACE.base)
    grouping_only = {SH.property, SH.targetClass, SH.targetSubjectsOf, SH.name,
                     SH.description, SH.severity, RDF.type, SH.message}
    out = []
    for shape in set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type,
                                                                          SH.PropertyShape)):
        named = isinstance(shape, rdflib.URIRef) and str(shape).startswith(CWSH)
        if named and set(g.predicates(shape, None)) - grouping_only:
            out.append(str(shape).removeprefix(CWSH))
    return sorted(out)


def fired(path: Path) -> set[str]:
    report = validate_triples(read_rdf([path]), SPACE)
    return {r.source_shape.removeprefix(CWSH) for r in report.results}


def test_every_shape_is_named_and_documented() -> None:
    g = shapes_graph(SPACE.base)
    for shape in constraint_shapes():
        node = rdflib.URIRef(CWSH + shape)
        for prop in (SH.name, SH.description):
            assert g.value(node, prop) is not None, f"cwsh:{shape} lacks {prop}"
        has_message = g.value(node, SH.message) is not None or any(
            g.value(c, SH.message) is not None for c in g.objects(node, SH.sparql))
        assert has_message, f"cwsh:{shape} has no sh:message"


def test_every_constraint_shape_has_an_invalid_fixture() -> None:
    fixtures = {p.stem for p in (SHAPES / "invalid").glob("*.ttl")}
    assert set(constraint_shapes()) - fixtures == set()
    assert fixtures - set(constraint_shapes()) == set(), "fixture for a shape that is gone"


@pytest.mark.parametrize("shape", constraint_shapes())
def test_invalid_fixture_fires_exactly_its_shapes(shape: str) -> None:
    path = SHAPES / "invalid" / f"{shape}.ttl"
    declared = re.search(r"^# fires: (.*)$", path.read_text(encoding="utf-8"), re.M)
    assert declared, f"{path.name} does not declare the shapes it fires"
    expected = {s.removeprefix("cwsh:") for s in declared.group(1).split()}
    assert shape in expected
    assert fired(path) == expected


@pytest.mark.parametrize("shape", constraint_shapes())
def test_valid_fixture_does_not_fire_the_shape(shape: str) -> None:
    path = SHAPES / "valid" / f"{shape}.ttl"
    path = path if path.exists() else SHAPES / "base.ttl"
    report = validate_triples(read_rdf([path]), SPACE)
    assert report.conforms
    assert shape not in {r.source_shape.removeprefix(CWSH) for r in report.results}


def test_built_dataset_conforms(built: Build) -> None:
    from coldwar_lod import validate

    report = validate(built)
    assert report.conforms, report.text()
    assert report.violations == []


def test_every_ontology_property_is_constrained_by_a_shape() -> None:
    from rdflib.collection import Collection

    from coldwar_lod.resources import ontology_file

    onto = rdflib.Graph().parse(ontology_file(), format="turtle")
    properties = {str(p) for t in (rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty)
                  for p in onto.subjects(RDF.type, t)}
    g = shapes_graph(SPACE.base)
    covered: set[str] = set()
    for path in g.objects(None, SH.path):
        if isinstance(path, rdflib.URIRef):
            covered.add(str(path))
        for alternatives in g.objects(path, SH.alternativePath):
            covered |= {str(p) for p in Collection(g, alternatives)}
    covered |= {str(o) for p in (SH.lessThan, SH.lessThanOrEquals, SH.targetSubjectsOf)
                for o in g.objects(None, p)}
    for listed in g.objects(None, SH["in"]):
        covered |= {str(p) for p in Collection(g, listed)}
    for query in g.objects(None, SH.select):
        covered |= {p for p in properties if f"<{p}>" in str(query)}
    assert sorted(properties - covered) == []


def test_every_class_is_a_target_or_a_subclass_of_one() -> None:
    from coldwar_lod.resources import ontology_file

    onto = rdflib.Graph().parse(ontology_file(), format="turtle")
    classes = set(onto.subjects(RDF.type, rdflib.OWL.Class))
    targets = set(shapes_graph(SPACE.base).objects(None, SH.targetClass))
    value_classes = {rdflib.URIRef(CWO + c) for c in ("Role", "Rank", "ValueBound",
                                                        "DatePrecision")}
    untargeted = []
    for cls in classes:
        supers = set(onto.transitive_objects(cls, rdflib.RDFS.subClassOf))
        if not supers & (targets | value_classes):
            untargeted.append(str(cls))
    assert sorted(untargeted) == []
