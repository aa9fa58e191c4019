"""The oxigraph engine (SHACL compiled to SPARQL, :mod:`coldwar_lod.shacl`) against pySHACL.

tests/test_differential.py compares the three engines on the project's shapes, every fixture
and the real data. Here: the SHACL features the project's shapes do not use yet, when the
engine steps aside, and why a build may skip the check for non-canonical literals.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib

from coldwar_lod import shacl
from coldwar_lod.namespaces import IriSpace
from coldwar_lod.pipeline import Build
from coldwar_lod.rdfio import read_rdf
from coldwar_lod.validation import _raw_results, validate_triples

EXTRA = Path(__file__).resolve().parent / "fixtures" / "shacl-extra"
EX = "http://example.org/"
SHAPES = Path(__file__).resolve().parent / "fixtures" / "shapes"

#: Understood divergences on tests/fixtures/shacl-extra: result keys only the oxigraph engine
#: reports. SHACL 1.0 section 4.2.2 makes an ill-formed literal a sh:datatype violation;
#: pySHACL 0.40 does not check the lexical form of xsd:gYear ("sixty-eight"^^xsd:gYear).
ONLY_OXIGRAPH = {("Violation", EX + "b1", EX + "year", EX + "YearIsGYear",
                  shacl.SH + "DatatypeConstraintComponent")}

Key = tuple[str, str, str, str, str]


def _keys(results: list[shacl.RawResult]) -> list[Key]:
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
    ours = _keys(shacl.validate(ntriples, shapes))
    assert [k for k in ours if k not in ONLY_OXIGRAPH] == reference
    assert set(ours) - set(reference) == ONLY_OXIGRAPH
    # Each component of shapes.ttl fires at least once, and all three severities occur.
    assert {k[4].removeprefix(shacl.SH).removesuffix("ConstraintComponent") for k in ours} == {
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
    shapes = (f"@prefix sh: <{shacl.SH}> . @prefix ex: <{EX}> .\n"
              f"ex:S a sh:NodeShape ; sh:targetClass ex:A ; {feature} .").encode()
    with pytest.raises(shacl.UnsupportedShapesError):
        shacl.compile_shapes(shapes)


def test_sparql_constraint_with_sub_query_is_refused() -> None:
    shapes = (f'@prefix sh: <{shacl.SH}> . @prefix ex: <{EX}> .\n'
              'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql [ sh:select """'
              'SELECT $this WHERE { { SELECT ?x WHERE { ?x ?p ?o } } $this ?p ?x }""" ] .')
    with pytest.raises(shacl.UnsupportedShapesError, match="sub-query"):
        shacl.compile_shapes(shapes.encode())
    # A variable or an IRI that merely contains the word is not a sub-query.
    ok = shapes.replace("{ { SELECT ?x WHERE { ?x ?p ?o } } $this ?p ?x }",
                        "{ $this ex:selection ?selected ; ?values ?x }")
    assert len(shacl.compile_shapes(ok.encode())) == 1


def test_non_canonical_literals_hand_over_to_turbo() -> None:
    """Oxigraph would store "0042"^^xsd:integer as "42": the engine steps aside, visibly."""
    triples = read_rdf([SHAPES / "base.ttl"])
    offset = next(t for t in triples if t.predicate.value.endswith("#start"))
    odd = ox.Literal("0" + offset.object.value, datatype=ox.NamedNode(shacl.XSD + "integer"))
    changed = [ox.Triple(t.subject, t.predicate, odd) if t == offset else t for t in triples]
    assert shacl.non_canonical_literals(changed) == [odd]
    report = validate_triples(changed, IriSpace.from_base())
    assert report.validator == "turbo"
    assert "not in canonical form" in report.note and str(odd) in report.note
    assert report.conforms


def test_a_build_writes_only_canonical_literals(built: Build) -> None:
    """Why :func:`coldwar_lod.pipeline.validate` may tell the engine not to look for them."""
    assert shacl.non_canonical_literals(built.triples) == []
    store = shacl.load([built.ntriples()])
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


@pytest.mark.parametrize("drop_every", [0, 40], ids=["as built", "every 40th triple dropped"])
def test_validation_in_a_child_process_gives_the_same_report(built: Build,
                                                              drop_every: int) -> None:
    """Large builds validate in ``python -m coldwar_lod._validator`` beside the rendering."""
    from coldwar_lod.pipeline import validate_and_render

    triples = [t for i, t in enumerate(built.triples)
               if not drop_every or i % drop_every != drop_every - 1]
    build = Build(built.space, built.records, triples, built.lineage)
    here, files = validate_and_render(build, separate=False)
    child, child_files = validate_and_render(build, separate=True)
    assert child.text(build.space.prefixes()) == here.text(build.space.prefixes())
    assert child_files == files
    assert here.conforms is (drop_every == 0)
    assert len(here.violations) > 100 if drop_every else not here.violations


def test_build_and_render_gives_the_same_result_with_a_child_process(built: Build) -> None:
    """``coldwar-lod build`` hands the child the triples unsorted, before it sorts them."""
    from coldwar_lod.pipeline import build_and_render

    here = build_and_render(built.records.folder, separate=False)
    child = build_and_render(built.records.folder, separate=True)
    assert here[0].triples == child[0].triples == built.triples
    prefixes = built.space.prefixes()
    assert child[1].text(prefixes) == here[1].text(prefixes)
    assert len(here[1].warnings) > 0  # a report with results, not an empty one, is compared
    assert child[2] == here[2]


def test_a_failing_validation_process_is_an_error_with_its_message() -> None:
    from coldwar_lod._validator import ChildValidation

    with ChildValidation(IriSpace.from_base().base) as child:
        child.send(b"<http://example.org/a> <http://example.org/b> this is not N-Triples .\n")
        with pytest.raises(RuntimeError, match=r"validation process failed \(exit 1\).*"
                                               r"(?s:.*)SyntaxError"):
            child.outcome()


def test_the_validation_process_is_killed_if_the_caller_fails() -> None:
    from coldwar_lod._validator import ChildValidation

    with pytest.raises(KeyboardInterrupt), ChildValidation(IriSpace.from_base().base) as child:
        process = child._process
        raise KeyboardInterrupt
    assert process.returncode is not None  # gone, and waited for
    assert process.stdin is not None and process.stdin.closed


def test_the_validation_process_is_killed_while_it_is_being_fed() -> None:
    """A failure while the writer thread still feeds the child leaves no process or pipe."""
    from coldwar_lod._validator import ChildValidation

    big = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n" * 400_000
    with pytest.raises(KeyboardInterrupt), ChildValidation(IriSpace.from_base().base) as child:
        child.send(big)
        process, writer = child._process, child._writer
        raise KeyboardInterrupt
    assert process.returncode is not None
    assert writer is not None and not writer.is_alive()
    assert process.stdin is not None and process.stdin.closed
    assert process.stdout is not None and process.stdout.closed


def test_the_validation_process_imports_only_what_it_uses() -> None:
    """The child starts on the critical path of a large build: it imports the validator, not
    the reader, mapper and writers (``coldwar_lod`` imports those on first use)."""
    import json
    import subprocess
    import sys

    code = ("import json, sys, coldwar_lod._validator\n"
            "print(json.dumps([m for m in sys.modules if m.startswith('coldwar_lod')]))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    loaded = set(json.loads(out))
    assert "coldwar_lod.validation" in loaded and "coldwar_lod.shacl" in loaded
    assert not loaded & {"coldwar_lod.pipeline", "coldwar_lod.mapping", "coldwar_lod.records",
                         "coldwar_lod.export", "coldwar_lod.void"}


def test_the_mapper_hands_over_every_triple_in_chunks(built: Build,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """``build_and_render`` feeds the child the chunks ``map_records`` hands over while it maps."""
    from coldwar_lod import mapping

    monkeypatch.setattr(mapping, "CHUNK", 1_000)
    chunks: list[list[ox.Triple]] = []
    mapped = mapping.map_records(built.records, built.space, on_triples=chunks.append)
    assert len(chunks) > 5
    assert all(len(chunk) >= 1_000 for chunk in chunks[:-1])
    handed = [t for chunk in chunks for t in chunk]
    assert set(handed) == set(mapped.triples) == set(built.triples)
    # a triple stated twice (the same source cited by two locators) may come twice
    assert len(handed) >= len(built.triples)


def test_the_validation_process_loads_chunks_as_one_document(built: Build) -> None:
    from coldwar_lod._validator import ChildValidation

    nt = built.ntriples().splitlines(keepends=True)
    with ChildValidation(built.space.base) as child:
        child.send(built.ntriples())
        whole = child.outcome()
    with ChildValidation(built.space.base) as child:
        for start in range(0, len(nt), 997):
            child.feed(b"".join(nt[start:start + 997]))
        child.feed(b"")  # an empty chunk is allowed
        child.finish()
        chunked = child.outcome()
    assert not isinstance(whole, str) and whole[0]  # results to compare
    assert chunked == whole


def test_a_truncated_chunk_is_an_error_of_the_validation_process() -> None:
    import io
    import struct
    import subprocess
    import sys

    from coldwar_lod._validator import chunks

    two = struct.pack(">Q", 3) + b"abc" + struct.pack(">Q", 0)
    assert list(chunks(io.BytesIO(two))) == [b"abc", b""]
    truncated = struct.pack(">Q", 100) + b"<http://example.org/a>"
    with pytest.raises(EOFError, match=r"inside a chunk \(22 of 100 bytes\)"):
        list(chunks(io.BytesIO(truncated)))
    with pytest.raises(EOFError, match="inside a chunk's length"):
        list(chunks(io.BytesIO(b"\0\0\0")))
    run = subprocess.run([sys.executable, "-m", "coldwar_lod._validator",
                          IriSpace.from_base().base], input=truncated, capture_output=True)
    assert run.returncode == 1 and not run.stdout
    assert b"EOFError: the input ends inside a chunk (22 of 100 bytes)" in run.stderr


def test_build_and_render_decides_on_a_child_process_from_the_number_of_records(
        built: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    from coldwar_lod import _validator, pipeline

    started: list[str] = []
    real = _validator.ChildValidation.__init__

    def spy(self: _validator.ChildValidation, base: str) -> None:
        started.append(base)
        real(self, base)

    monkeypatch.setattr(_validator.ChildValidation, "__init__", spy)
    records = len(built.records.entities) + len(built.records.claims) + len(
        built.records.disagreements)
    assert records < pipeline.SEPARATE_PROCESS_FROM_RECORDS  # the real data: in process
    pipeline.build_and_render(built.records.folder)
    assert started == []
    monkeypatch.setattr(pipeline, "SEPARATE_PROCESS_FROM_RECORDS", records)
    result, report, _ = pipeline.build_and_render(built.records.folder)
    assert started == [built.space.base]
    assert result.triples == built.triples and report.warnings
