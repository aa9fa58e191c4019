"""The SHACL-to-SPARQL compiler and the oxigraph engine against pySHACL.

tests/validation/test_engines.py compares the three engines on the project's shapes, every fixture
and the real data. Here: the SHACL features the project's shapes do not use yet, when the
engine steps aside, and why a build may skip the check for non-canonical literals.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib

from coldwar_lod.dataset import Build
from coldwar_lod.namespaces import SH, XSD, IriSpace
from coldwar_lod.rdfio import read_rdf
from coldwar_lod.validation.compiler import compile_shapes
from coldwar_lod.validation.engines import _raw_results, validate_triples
from coldwar_lod.validation.oxigraph import load, non_canonical_literals, run
from coldwar_lod.validation.report import RawResult
from coldwar_lod.validation.shapes_index import UnsupportedShapesError

from ..conftest import FIXTURES

EXTRA = FIXTURES / "shacl-extra"
EX = "http://example.org/"
SHAPES = FIXTURES / "shapes"

#: Understood divergences on tests/fixtures/shacl-extra: result keys only the oxigraph engine
#: reports. SHACL 1.0 section 4.2.2 makes an ill-formed literal a sh:datatype violation;
#: pySHACL 0.40 does not check the lexical form of xsd:gYear ("sixty-eight"^^xsd:gYear).
ONLY_OXIGRAPH = {("Violation", EX + "b1", EX + "year", EX + "YearIsGYear",
                  SH + "DatatypeConstraintComponent")}

Key = tuple[str, str, str, str, str]


def _keys(results: list[RawResult]) -> list[Key]:
    return sorted((r.severity, r.focus, r.path, r.shape, r.component) for r in results)


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")  # the ill-typed "maybe", on purpose
def test_features_beyond_the_project_shapes_match_pyshacl() -> None:
    shapes = (EXTRA / "shapes.ttl").read_bytes()
    # Both engines get the data through pyoxigraph's N-Triples, as the project hands it over
    # (rdflib's own Turtle parser would rewrite "maybe"^^xsd:boolean to "false").
    ntriples = ox.serialize(ox.parse(path=EXTRA / "data.ttl"), format=ox.RdfFormat.N_QUADS)
    assert isinstance(ntriples, bytes)
    data = rdflib.Graph().parse(data=ntriples.decode(), format="nt")
    _, report, _ = pyshacl.validate(data, shacl_graph=rdflib.Graph().parse(data=shapes),
                                    inference="none", allow_warnings=True, allow_infos=True)
    reference = _keys(_raw_results(report))
    ours = _keys(run(compile_shapes(shapes), load([ntriples])))
    assert [k for k in ours if k not in ONLY_OXIGRAPH] == reference
    assert set(ours) - set(reference) == ONLY_OXIGRAPH
    # Each component of shapes.ttl fires at least once, and all three severities occur.
    assert {k[4].removeprefix(SH).removesuffix("ConstraintComponent") for k in ours} == {
        "Class", "Datatype", "HasValue", "LessThan", "MaxCount", "MaxExclusive", "MaxInclusive",
        "MaxLength", "MinCount", "MinExclusive", "MinInclusive", "MinLength", "Node", "NodeKind",
        "Not", "Pattern", "QualifiedMaxCount", "UniqueLang"}
    assert {k[0] for k in ours} == {"Violation", "Warning", "Info"}


@pytest.mark.parametrize("feature", [
    "sh:closed true", "sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] )", "sh:equals ex:q",
    "sh:disjoint ex:q", "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:A ] ; "
    "sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ]",
    "sh:node [ sh:property [ sh:path ex:p ; sh:minCount 2 ] ]",
])
def test_unsupported_features_are_refused_by_name(feature: str) -> None:
    shapes = (f"@prefix sh: <{SH}> . @prefix ex: <{EX}> .\n"
              f"ex:S a sh:NodeShape ; sh:targetClass ex:A ; {feature} .").encode()
    with pytest.raises(UnsupportedShapesError):
        compile_shapes(shapes)


def test_sparql_constraint_with_sub_query_is_refused() -> None:
    shapes = (f'@prefix sh: <{SH}> . @prefix ex: <{EX}> .\n'
              'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql [ sh:select """'
              'SELECT $this WHERE { { SELECT ?x WHERE { ?x ?p ?o } } $this ?p ?x }""" ] .')
    with pytest.raises(UnsupportedShapesError, match="sub-query"):
        compile_shapes(shapes.encode())
    # A variable or an IRI that merely contains the word is not a sub-query.
    ok = shapes.replace("{ { SELECT ?x WHERE { ?x ?p ?o } } $this ?p ?x }",
                        "{ $this ex:selection ?selected ; ?values ?x }")
    assert len(compile_shapes(ok.encode())) == 1


def test_non_canonical_literals_hand_over_to_turbo() -> None:
    """Oxigraph would store "0042"^^xsd:integer as "42": the engine steps aside, visibly."""
    triples = read_rdf([SHAPES / "base.ttl"])
    offset = next(t for t in triples if t.predicate.value.endswith("#start"))
    odd = ox.Literal("0" + offset.object.value, datatype=XSD.integer)
    changed = [ox.Triple(t.subject, t.predicate, odd) if t == offset else t for t in triples]
    assert non_canonical_literals(changed) == [odd]
    report = validate_triples(changed, IriSpace.from_base())
    assert report.validator == "turbo"
    assert "not in canonical form" in report.note and str(odd) in report.note
    assert report.conforms


def test_a_build_writes_only_canonical_literals(built: Build) -> None:
    """Why :func:`coldwar_lod.pipeline.validate` may tell the engine not to look for them."""
    assert non_canonical_literals(built.triples) == []
    store = load([built.ntriples()])
    assert sorted(str(q.object) for q in store if isinstance(q.object, ox.Literal)) == sorted(
        str(t.object) for t in built.triples if isinstance(t.object, ox.Literal))


@pytest.mark.parametrize("path", sorted((SHAPES / "invalid").glob("*.ttl")), ids=lambda p: p.stem)
def test_reports_read_the_same_whatever_the_engine(path: Path, built: Build) -> None:
    """Messages, labels, values and record lines too, not only the compared keys."""
    triples = read_rdf([path])
    texts = [validate_triples(triples, built.space, validator=engine, lineage=built.lineage)
             .text(built.space.prefixes()).splitlines() for engine in ("oxigraph", "turbo")]
    assert texts[0][0].endswith("[oxigraph]") and texts[1][0].endswith("[turbo]")
    assert texts[0][1:] == texts[1][1:]
    assert any(line.startswith("  node:  ") for line in texts[0])
