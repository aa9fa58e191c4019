"""House rules for the records that the loader does not enforce line by line."""

from __future__ import annotations

import csv
import unicodedata

import pytest

from coldwar_lod.dataset import Build

from .conftest import DATA

FILES = sorted(DATA.glob("*.csv"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_text_is_nfc_and_trimmed(path) -> None:  # type: ignore[no-untyped-def]
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.reader(fh), 1):
            for cell in row:
                assert unicodedata.normalize("NFC", cell) == cell, f"{path.name}:{line} not NFC"
                assert cell == cell.strip(), f"{path.name}:{line} has padded cell {cell!r}"


def test_states_and_persons_have_native_labels(built: Build) -> None:
    # States, and the historical actors (the persons linked to Wikidata), carry their name in
    # their own language; English-speaking ones and the scholars cited are named in English.
    missing = [r.slug for r in built.records.entities.values()
               if (r.kind == "states" or (r.kind == "persons" and r.get("qid")))
               and not r.get("labels")]
    english = {"united-states", "united-kingdom", "canada", "richard-nixon", "lyndon-b-johnson",
               "george-ball"}
    assert sorted(set(missing) - english) == []


def test_every_claim_property_and_disagreement_is_used(built: Build) -> None:
    used = {r.get("property") for r in built.records.claims.values()}
    for prop in ("date", "place", "participant", "refused-to-join", "condemned", "supported",
                 "requested-un-session", "held-position", "member-of", "withdrew-from",
                 "cites", "number-of-troops", "number-of-refugees"):
        assert prop in used, prop
    assert len(built.records.disagreements) >= 10
