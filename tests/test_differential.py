"""pyshacl-turbo (the default engine) gives the same results as pySHACL, the reference.

Compared per result: severity, focus node, result path, source shape and constraint
component; and conformance. On the real data and on every shape fixture.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coldwar_lod.namespaces import IriSpace
from coldwar_lod.pipeline import Build
from coldwar_lod.rdfio import read_rdf
from coldwar_lod.validation import validate_triples

SHAPES = Path(__file__).resolve().parent / "fixtures" / "shapes"
FIXTURES = sorted([SHAPES / "base.ttl", *(SHAPES / "invalid").glob("*.ttl"),
                   *(SHAPES / "valid").glob("*.ttl")])
SPACE = IriSpace.from_base()
CWSH = "https://w3id.org/coldwar-lod/shapes#"

#: Known, understood divergences: fixture -> shapes only pyshacl-turbo reports.
#: SHACL 1.0 section 4.5.4 (sh:lessThanOrEquals) requires a result "where the two values cannot
#: be compared"; an xsd:date cannot be compared with an xsd:dateTime, so pyshacl-turbo reports
#: the ordering rules too and pySHACL 0.40 does not. The built data only ever has
#: xsd:dateTime bounds (see test_real_data), so the two engines agree on it.
ONLY_TURBO = {"TimeSpanBoundIsDateTime": {"BeginBoundsMustBeOrdered", "EndMustNotPrecedeBegin"}}


def keys(triples: list, validator: str) -> tuple[bool, list[tuple[str, ...]]]:  # type: ignore[type-arg]
    report = validate_triples(triples, SPACE, validator=validator)
    return report.conforms, sorted(r.key() for r in report.results)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture(path: Path) -> None:
    triples = read_rdf([path])
    turbo, pyshacl = keys(triples, "turbo"), keys(triples, "pyshacl")
    extra = ONLY_TURBO.get(path.stem, set()) if path.parent.name == "invalid" else set()
    assert turbo[0] == pyshacl[0]
    assert [k for k in turbo[1] if k[3].removeprefix(CWSH) not in extra] == pyshacl[1]
    assert {k[3].removeprefix(CWSH) for k in turbo[1]} - {
        k[3].removeprefix(CWSH) for k in pyshacl[1]} == extra


def test_real_data(built: Build) -> None:
    turbo = keys(built.triples, "turbo")
    assert turbo == keys(built.triples, "pyshacl")
    assert turbo[0] is True


def test_validation_leaves_the_shapes_unchanged() -> None:
    from coldwar_lod.validation import shapes_graph

    before = set(shapes_graph(SPACE.base))
    triples = read_rdf([SHAPES / "base.ttl"])
    for validator in ("pyshacl", "turbo"):
        validate_triples(triples, SPACE, validator=validator)
        assert set(shapes_graph(SPACE.base)) == before, validator
