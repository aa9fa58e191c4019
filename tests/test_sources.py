"""Every locator resolves inside its source text, whose SHA-256 matches the record, and every
source contributes claims.

The texts are third-party documents and are not in the repository: these tests read them
from ``COLDWAR_LOD_SOURCES`` (CI sets it), falling back to ``../shared/sources`` beside the
clone. Without the texts they are reported as skipped, never as passed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coldwar_lod.dataset import Build
from coldwar_lod.sources import check_locators, source_text

from .conftest import ROOT


def sources_folder() -> Path | None:
    env = os.environ.get("COLDWAR_LOD_SOURCES")
    if env:
        return Path(env)
    beside = ROOT.parent / "shared" / "sources"
    return beside if beside.is_dir() else None


SOURCES = sources_folder()
needs_texts = pytest.mark.skipif(SOURCES is None, reason="source texts not available: set "
                                 "COLDWAR_LOD_SOURCES to the folder holding them")


@needs_texts
def test_checksums_and_lengths_match(built: Build) -> None:
    assert SOURCES is not None
    for row in built.records.of_kind("sources"):
        assert len(source_text(built.records, row.slug, SOURCES)) == int(row.get("length"))


@needs_texts
def test_every_locator_resolves(built: Build) -> None:
    assert SOURCES is not None
    problems, _ = check_locators(built.records, SOURCES)
    assert problems == []


@needs_texts
def test_every_source_contributes_claims(built: Build) -> None:
    assert SOURCES is not None
    _, per_source = check_locators(built.records, SOURCES)
    assert set(per_source) == {r.slug for r in built.records.of_kind("sources")}
    assert all(n >= 5 for n in per_source.values()), per_source


@needs_texts
def test_a_changed_text_is_caught(built: Build, tmp_path: Path) -> None:
    assert SOURCES is not None
    for path in SOURCES.glob("*.txt"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    victim = built.records.entities["cvce-invasion"].get("file")
    (tmp_path / victim).write_bytes((tmp_path / victim).read_bytes() + b" ")
    from coldwar_lod.errors import InputError

    with pytest.raises(InputError, match="has SHA-256"):
        check_locators(built.records, tmp_path)


def test_locators_stay_within_the_recorded_length(built: Build) -> None:
    # Needs no texts: the build checks offsets against the length in sources.csv.
    from coldwar_lod.records import parse_locators

    lengths = {r.slug: int(r.get("length")) for r in built.records.of_kind("sources")}
    for row in built.records.claims.values():
        for loc in parse_locators(row.get("locators")):
            assert 0 <= loc.start < loc.end <= lengths[loc.source], row.where()


@needs_texts
def test_the_build_checks_every_locator_when_the_texts_are_at_hand(
        data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``coldwar-lod build`` (``write_dataset``) runs the same check, and writes nothing on a
    locator that selects only white space (a slip the records alone cannot show)."""
    import coldwar_lod
    from coldwar_lod.errors import InputErrors

    assert SOURCES is not None
    monkeypatch.setenv("COLDWAR_LOD_SOURCES", str(SOURCES))
    claims = data_copy / "claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    (at,) = [i for i, line in enumerate(lines) if "video-romania-refusal:1191-1209" in line]
    lines[at] = lines[at].replace("video-romania-refusal:1191-1209",
                                  "video-romania-refusal:1193-1194")
    claims.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        coldwar_lod.write_dataset(tmp_path / "dist", data_copy)
    assert [str(e) for e in caught.value.errors] == [
        f"data/claims.csv:{at + 1}: locator video-romania-refusal:1193-1194 selects only "
        "white space"]
    assert not (tmp_path / "dist").exists()
