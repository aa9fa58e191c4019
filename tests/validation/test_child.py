"""The validating child process of large builds (:mod:`coldwar_lod.parallel`): same report as
in process, fed in chunks, killed with its caller, imports only the validator."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coldwar_lod import parallel
from coldwar_lod.dataset import Build
from coldwar_lod.namespaces import IriSpace
from coldwar_lod.pipeline import build_and_render, validate
from coldwar_lod.validation.child import ChildValidation
from coldwar_lod.validation.report import report_from_outcome


@pytest.mark.parametrize("drop_every", [0, 40], ids=["as built", "every 40th triple dropped"])
def test_validation_in_a_child_process_gives_the_same_report(built: Build,
                                                              drop_every: int) -> None:
    """Large builds validate in ``python -m coldwar_lod.validation.child`` beside the rendering."""
    triples = [t for i, t in enumerate(built.triples)
               if not drop_every or i % drop_every != drop_every - 1]
    build = Build(built.space, built.records, triples, built.lineage)
    here = validate(build)
    with ChildValidation(build.space.base) as process:
        process.send(build.ntriples())
        outcome = process.outcome()
    assert not isinstance(outcome, str)
    child = report_from_outcome(outcome, "oxigraph", build.lineage)
    assert child.text(build.space.prefixes()) == here.text(build.space.prefixes())
    assert here.conforms is (drop_every == 0)
    assert len(here.violations) > 100 if drop_every else not here.violations


def test_build_and_render_gives_the_same_result_with_a_child_process(built: Build) -> None:
    """``coldwar-lod build`` hands the child the triples unsorted, before it sorts them."""
    here = build_and_render(built.records.folder, separate=False)
    child = build_and_render(built.records.folder, separate=True)
    assert here[0].triples == child[0].triples == built.triples
    prefixes = built.space.prefixes()
    assert child[1].text(prefixes) == here[1].text(prefixes)
    assert len(here[1].warnings) > 0  # a report with results, not an empty one, is compared
    assert child[2] == here[2]


def test_a_failing_validation_process_is_an_error_with_its_message() -> None:
    with ChildValidation(IriSpace.from_base().base) as child:
        child.send(b"<http://example.org/a> <http://example.org/b> this is not N-Triples .\n")
        with pytest.raises(RuntimeError, match=r"validation process failed \(exit 1\).*"
                                               r"(?s:.*)SyntaxError"):
            child.outcome()


def test_the_validation_process_is_killed_if_the_caller_fails() -> None:
    with pytest.raises(KeyboardInterrupt), ChildValidation(IriSpace.from_base().base) as child:
        process = child._process
        raise KeyboardInterrupt
    assert process.returncode is not None  # gone, and waited for
    assert process.stdin is not None and process.stdin.closed


def test_the_validation_process_is_killed_while_it_is_being_fed() -> None:
    """A failure while the writer thread still feeds the child leaves no process or pipe."""
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

    code = ("import json, sys, coldwar_lod.validation.child\n"
            "print(json.dumps([m for m in sys.modules if m.startswith('coldwar_lod')]))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    loaded = set(json.loads(out))
    assert {"coldwar_lod.validation.oxigraph", "coldwar_lod.validation.compiler"} <= loaded
    assert not loaded & {"coldwar_lod.pipeline", "coldwar_lod.mapping", "coldwar_lod.records",
                         "coldwar_lod.dataset", "coldwar_lod.jsonld", "coldwar_lod.void",
                         "coldwar_lod.sparql", "coldwar_lod.wikidata"}


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

    from coldwar_lod.validation.child import chunks

    two = struct.pack(">Q", 3) + b"abc" + struct.pack(">Q", 0)
    assert list(chunks(io.BytesIO(two))) == [b"abc", b""]
    truncated = struct.pack(">Q", 100) + b"<http://example.org/a>"
    with pytest.raises(EOFError, match=r"inside a chunk \(22 of 100 bytes\)"):
        list(chunks(io.BytesIO(truncated)))
    with pytest.raises(EOFError, match="inside a chunk's length"):
        list(chunks(io.BytesIO(b"\0\0\0")))
    run = subprocess.run([sys.executable, "-m", "coldwar_lod.validation.child",
                          IriSpace.from_base().base], input=truncated, capture_output=True)
    assert run.returncode == 1 and not run.stdout
    assert b"EOFError: the input ends inside a chunk (22 of 100 bytes)" in run.stderr


def test_build_and_render_decides_on_a_child_process_from_the_number_of_records(
        built: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    real = ChildValidation.__init__

    def spy(self: ChildValidation, base: str) -> None:
        started.append(base)
        real(self, base)

    monkeypatch.setattr(ChildValidation, "__init__", spy)
    records = len(built.records.entities) + len(built.records.claims) + len(
        built.records.disagreements)
    assert records < parallel.SEPARATE_PROCESS_FROM_RECORDS  # the real data: in process
    build_and_render(built.records.folder)
    assert started == []
    monkeypatch.setattr(parallel, "SEPARATE_PROCESS_FROM_RECORDS", records)
    result, report, _ = build_and_render(built.records.folder)
    assert started == [built.space.base]
    assert result.triples == built.triples and report.warnings
