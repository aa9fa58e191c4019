"""Counting what the dataset holds: records by kind, claims by rank and source, links."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .records import Records, parse_locators


@dataclass(slots=True)
class Stats:
    """Counts over a set of records (see :func:`count`).

    >>> from coldwar_lod.records import load_records
    >>> from coldwar_lod.resources import default_data_dir
    >>> stats = count(load_records(default_data_dir()))
    >>> stats.claims, stats.disagreements, stats.wikidata_links
    (599, 17, 66)
    """

    entities: dict[str, int] = field(default_factory=dict)
    claims: int = 0
    claims_by_rank: dict[str, int] = field(default_factory=dict)
    claims_by_source: dict[str, int] = field(default_factory=dict)
    locators: int = 0
    disagreements: int = 0
    wikidata_links: int = 0
    unlinked: int = 0

    def rows(self) -> list[tuple[str, int | None]]:
        """The figures as (label, number) rows, in reading order (``None``: a heading)."""
        out: list[tuple[str, int | None]] = [(kind, n) for kind, n in self.entities.items()]
        out.append(("claims", self.claims))
        out += [(f"  {rank}", n) for rank, n in self.claims_by_rank.items()]
        out.append(("claims per source (a claim two sources state counts for both)", None))
        out += [(f"  {src}", n) for src, n in self.claims_by_source.items()]
        out += [("locators", self.locators), ("disagreements", self.disagreements),
                ("Wikidata links", self.wikidata_links),
                ("entities without a Wikidata link", self.unlinked)]
        return out


def count(records: Records) -> Stats:
    """Count records, claims, locators and links.

    >>> from coldwar_lod.records import load_records
    >>> from coldwar_lod.resources import default_data_dir
    >>> s = count(load_records(default_data_dir()))
    >>> s.entities["sources"]
    5
    """
    stats = Stats()
    kinds = Counter(r.kind for r in records.entities.values())
    stats.entities = {k: kinds[k] for k in ("events", "persons", "states", "organisations",
                                            "places", "positions", "works", "sources")}
    stats.claims = len(records.claims)
    ranks = Counter((r.get("rank") or "normal") for r in records.claims.values())
    stats.claims_by_rank = {k: ranks[k] for k in ("preferred", "normal", "deprecated")}
    per_source: Counter[str] = Counter()
    for row in records.claims.values():
        locs = parse_locators(row.get("locators"))
        stats.locators += len(locs)
        for source in {loc.source for loc in locs}:
            per_source[source] += 1
    stats.claims_by_source = {r.slug: per_source[r.slug] for r in records.of_kind("sources")}
    stats.disagreements = len(records.disagreements)
    linkable = [r for r in records.entities.values() if r.kind != "sources"]
    stats.wikidata_links = sum(1 for r in linkable if r.get("qid"))
    stats.unlinked = len(linkable) - stats.wikidata_links
    return stats
