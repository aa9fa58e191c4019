"""The oxigraph engine (the default) and pyshacl-turbo give the same results as pySHACL.

Compared per result: severity, focus node, result path, source shape and constraint component
(as a sorted list, so duplicates count); and conformance. On every shape fixture and on the
real data. pySHACL's reports are golden files (``pyshacl_golden.py`` says why and how they are
kept honest: a report whose inputs changed fails here); one fixture is still run through
pySHACL live, to show that the golden file holds what pySHACL says.
``test_compiler.py`` covers SHACL features beyond our shapes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coldwar_lod.dataset import Build
from coldwar_lod.rdfio import read_rdf
from coldwar_lod.validation.engines import shapes_graph, validate_triples

from .pyshacl_golden import (
    CASES,
    REAL_DATA,
    SHAPES,
    SPACE,
    Keys,
    entry,
    key_of,
    keys,
    load,
    name_of,
)

CWSH = "https://w3id.org/coldwar-lod/shapes#"
GOLDEN = load()
REGENERATE = "regenerate on purpose with `python -m tests.validation.pyshacl_golden`"

#: Known, understood divergences: fixture -> shapes only pyshacl-turbo and oxigraph report.
#: SHACL 1.0 section 4.5.4 (sh:lessThanOrEquals) requires a result "where the two values cannot
#: be compared"; an xsd:date cannot be compared with an xsd:dateTime, so both report the
#: ordering rules too and pySHACL 0.40 does not. The built data only ever has xsd:dateTime
#: bounds (see test_real_data), so the three engines agree on it.
NOT_PYSHACL = {"TimeSpanBoundIsDateTime": {"BeginBoundsMustBeOrdered", "EndMustNotPrecedeBegin"}}


def golden(name: str, data: bytes) -> Keys:
    """pySHACL's report from the golden file; fails if it is missing or stale."""
    report = GOLDEN.get(name)
    assert report is not None, f"no pySHACL report for {name} in the golden file; {REGENERATE}"
    assert report["key"] == key_of(data), (
        f"the golden pySHACL report for {name} is stale (its data, the shapes, the ontology or "
        f"pySHACL changed); {REGENERATE}")
    results = report["results"]
    assert isinstance(results, list)
    return bool(report["conforms"]), [tuple(r) for r in results]


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture(path: Path) -> None:
    triples = read_rdf([path])
    oxigraph, turbo = keys(triples, "oxigraph"), keys(triples, "turbo")
    pyshacl = golden(name_of(path), path.read_bytes())
    assert oxigraph == turbo
    extra = NOT_PYSHACL.get(path.stem, set()) if path.parent.name == "invalid" else set()
    assert oxigraph[0] == pyshacl[0]
    assert [k for k in oxigraph[1] if k[3].removeprefix(CWSH) not in extra] == pyshacl[1]
    assert {k[3].removeprefix(CWSH) for k in oxigraph[1]} - {
        k[3].removeprefix(CWSH) for k in pyshacl[1]} == extra
    if path.parent.name == "invalid":  # not vacuous: the fixture's own shape fires
        assert path.stem in {k[3].removeprefix(CWSH) for k in oxigraph[1]}


def test_real_data(built: Build) -> None:
    oxigraph = keys(built.triples, "oxigraph")
    assert oxigraph == keys(built.triples, "turbo") == golden(REAL_DATA, built.ntriples())
    assert oxigraph[0] is True
    assert len(oxigraph[1]) == 24  # the warnings: events without a date


@pytest.mark.parametrize("name", ["shapes/invalid/ClaimHasOneSubject.ttl",
                                  "shapes/valid/OneLabelPerLanguage.ttl"])
def test_the_golden_file_holds_what_pyshacl_says(name: str) -> None:
    """pySHACL run live on two fixtures (one with violations) gives the golden reports."""
    path = SHAPES.parent / name
    live = entry(path.read_bytes(), read_rdf([path]))
    assert GOLDEN[name] == live
    assert live["results"] or "/valid/" in name


def test_a_changed_fixture_makes_its_golden_report_stale(tmp_path: Path) -> None:
    path = SHAPES / "invalid" / "ClaimHasOneSubject.ttl"
    changed = path.read_bytes() + b"\n# a comment is a change too\n"
    assert key_of(changed) != GOLDEN[name_of(path)]["key"]
    with pytest.raises(AssertionError, match="is stale"):
        golden(name_of(path), changed)


def test_validation_leaves_the_shapes_unchanged() -> None:
    before = set(shapes_graph(SPACE.base))
    triples = read_rdf([SHAPES / "base.ttl"])
    for validator in ("pyshacl", "turbo", "oxigraph"):
        validate_triples(triples, SPACE, validator=validator)
        assert set(shapes_graph(SPACE.base)) == before, validator
