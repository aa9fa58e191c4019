"""Wikidata links use only verified QIDs, for the right kind of entity, once each; the list of
unlinked entities is current."""

from __future__ import annotations

import csv
from collections import Counter

from coldwar_lod.dataset import Build
from coldwar_lod.wikidata.unlinked import unlinked_tsv

from ..conftest import DATA

KIND_OF = {"persons": "person", "states": "state", "organisations": "organization",
           "places": "place", "events": "event"}


def verified() -> dict[str, dict[str, str]]:
    with (DATA / "reference" / "wikidata-qids.tsv").open(encoding="utf-8") as fh:
        return {row["qid"]: row for row in csv.DictReader(fh, delimiter="\t")}


def linked(built: Build) -> list[tuple[str, str, str]]:
    return [(r.kind, r.slug, r.get("qid")) for r in built.records.entities.values()
            if r.get("qid")]


def test_every_qid_is_verified(built: Build) -> None:
    known = verified()
    assert [(k, s, q) for k, s, q in linked(built) if q not in known] == []


def test_qids_link_the_right_kind_of_entity(built: Build) -> None:
    known = verified()
    wrong = [(k, s, q, known[q]["kind"]) for k, s, q in linked(built)
             if k in KIND_OF and known[q]["kind"] != KIND_OF[k]]
    assert wrong == []


def test_each_qid_is_used_once(built: Build) -> None:
    counts = Counter(q for _, _, q in linked(built))
    assert [q for q, n in counts.items() if n > 1] == []


def test_1968_states_use_the_historical_items(built: Build) -> None:
    generic = {"Q36", "Q28", "Q219", "Q218", "Q222", "Q33946", "Q36704"}
    used = {q for k, _, q in linked(built) if k == "states"}
    assert used & generic == set()


def test_known_traps_are_not_linked(built: Build) -> None:
    assert "Q25415016" not in {q for _, _, q in linked(built)}  # the novel, not the series


def test_unlinked_list_is_current(built: Build) -> None:
    shipped = (DATA / "unlinked.tsv").read_bytes()
    assert shipped == unlinked_tsv(built.records, built.space), (
        "data/unlinked.tsv is stale: run `coldwar-lod unlinked`")
