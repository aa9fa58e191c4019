"""Suggesting Wikidata items for the entities without a QID, as a review file for a person.

``coldwar-lod wikidata suggest`` finds candidates (:mod:`.candidates`), weighs them, and writes
one row per candidate with the evidence for and against; nothing is linked. A person marks
the right rows (``decision`` = ``yes``) and ``coldwar-lod wikidata accept`` moves them into the
records (:mod:`.accept`).
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pyoxigraph as ox

from ..errors import InputError
from ..files import write_files
from ..namespaces import WD
from ..sparql.results import QueryResult, Term, _defused
from .candidates import (
    Details,
    Verdict,
    fetch_details,
    find_by_label,
    find_by_search,
    search_terms,
    weigh,
)
from .names import Entity, entities
from .service import BATCH_SIZE, PREFIXES, Asker, Wikidata

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build

#: The review file's columns, in order. A person fills ``decision`` (yes / no / empty).
REVIEW_COLUMNS = ("decision", "entity", "label", "qid", "wikidata_label", "score", "rank",
                  "evidence_for", "evidence_against", "instance_of", "description", "record")
#: How to find candidates: ``labels`` (exact labels and aliases: any endpoint), ``mwapi``
#: (also Wikidata's search service), ``auto`` (``mwapi`` on the Wikidata Query Service only).
SEARCH_MODES = ("auto", "labels", "mwapi")
_MWAPI_HOSTS = ("query.wikidata.org",)

_IS_WIKIDATA = PREFIXES + "ASK { ?item wdt:P31 ?class }"


class NotWikidataError(InputError):
    """The endpoint answers SPARQL but holds no Wikidata statements (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One candidate item for one of our entities."""

    entity: Entity
    item: Details
    verdict: Verdict
    rank: int  # 1 = the best candidate for this entity


@dataclass(slots=True)
class SuggestReport:
    """Candidates for every unlinked entity (see :func:`suggest_links`).

    >>> import coldwar_lod, pyoxigraph as ox
    >>> local = ox.Store()
    >>> local.load(b'''@prefix wd: <http://www.wikidata.org/entity/> .
    ... @prefix wdt: <http://www.wikidata.org/prop/direct/> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... wd:Q1 wdt:P31 wd:Q5 .''', ox.RdfFormat.TURTLE)
    >>> report = coldwar_lod.suggest_links(coldwar_lod.build(), local)
    >>> report.summary().split(" (")[0].split(": ")[1]   # an item without a name matches none
    '0 with candidates, 0 candidates'
    """

    suggestions: list[Suggestion]
    unlinked: list[Entity]
    where: str
    searched: str = "labels"  # how candidates were found: labels or mwapi
    requests: int = 0
    seconds: float = 0.0

    def top(self) -> dict[str, Suggestion]:
        """The best candidate of each entity that has one, by slug."""
        return {s.entity.slug: s for s in self.suggestions if s.rank == 1}

    def summary(self) -> str:
        found = len({s.entity.slug for s in self.suggestions})
        return (f"{len(self.unlinked)} unlinked entities: {found} with candidates, "
                f"{len(self.suggestions)} candidates ({self.where}, {self.searched}, "
                f"{self.requests} request(s), {self.seconds:.2f} s); nothing was linked: mark "
                "rows with decision=yes and run `coldwar-lod wikidata accept FILE`")

    def review_tsv(self) -> bytes:
        """The review file: TSV, one row per candidate (and one, without a QID, for each
        entity that has none), best first within each entity. Anyone can edit Wikidata: a
        cell that a spreadsheet would run as a formula gets a leading ``'``."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(REVIEW_COLUMNS)
        for row in self._rows():
            writer.writerow([_defused(cell) for cell in row])
        return out.getvalue().encode("utf-8")

    def write_review(self, path: Path | str) -> Path:
        """Write the review file (:meth:`review_tsv`) atomically.

        :raises InputError: if it cannot be written.
        """
        target = Path(path)
        write_files({target: self.review_tsv()})
        return target

    def _rows(self) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        by_entity: dict[str, list[Suggestion]] = {}
        for s in self.suggestions:
            by_entity.setdefault(s.entity.slug, []).append(s)
        for entity in self.unlinked:
            found = by_entity.get(entity.slug, [])
            for s in found:
                item, v = s.item, s.verdict
                classes = "; ".join(f"{q} {label}" if label else q
                                    for q, label in item.classes.items())
                rows.append(("", entity.short_id, entity.label, item.qid, item.label or "",
                             f"{v.score:g}", str(s.rank), " | ".join(v.evidence_for),
                             " | ".join(v.evidence_against), classes, item.description or "",
                             entity.record))
            if not found:
                rows.append(("", entity.short_id, entity.label, "", "", "", "", "",
                             "no candidate found", "", "", entity.record))
        return rows

    def result(self) -> QueryResult:
        """The candidates as a table (for ``-f table|csv|json|tsv`` on standard output; the
        entities without any are in the review file only)."""
        columns = [c for c in REVIEW_COLUMNS if c not in ("decision", "description", "record")]
        rows: list[tuple[Term | None, ...]] = []
        for row in self._rows():
            cells = dict(zip(REVIEW_COLUMNS, row, strict=True))
            if not cells["qid"]:
                continue
            rows.append(tuple(
                (ox.NamedNode(WD + cells[c]) if c == "qid" and cells[c] else
                 ox.Literal(cells[c]) if cells[c] else None) for c in columns))
        return QueryResult("select", columns, rows, seconds=self.seconds, where=self.where)


def search_mode(mode: str, asker: Asker) -> str:
    """``labels`` or ``mwapi``: ``auto`` is ``mwapi`` only on the Wikidata Query Service.

    :raises InputError: for an unknown mode, or ``mwapi`` on a local store.
    """
    if mode not in SEARCH_MODES:
        raise InputError(f"unknown search mode {mode!r} (one of {', '.join(SEARCH_MODES)})")
    if mode == "auto":
        host = urlsplit(asker.endpoint.query_url).hostname if asker.endpoint else None
        return "mwapi" if host in _MWAPI_HOSTS else "labels"
    if mode == "mwapi" and asker.endpoint is None:
        raise InputError("a local store offers no search service (mwapi); use labels")
    return mode


def require_wikidata(asker: Asker) -> None:
    """Stop with a clear message unless the endpoint holds Wikidata statements.

    :raises NotWikidataError: if no ``wdt:P31`` triple is there.
    """
    if asker.ask(_IS_WIKIDATA).boolean is not True:
        raise NotWikidataError(f"{asker.where} holds no Wikidata statements (no wdt:P31 "
                               "triple): is it a Wikidata SPARQL service?")


def suggest_links(build: Build, wikidata: Wikidata | None = None, *, limit: int = 5,
                  search: str = "auto", batch_size: int = BATCH_SIZE,
                  min_score: float = 20.0) -> SuggestReport:
    """Candidate Wikidata items for every entity without a QID, scored, for review.

    Candidates are the items whose label or alias (in a language the entity has a name in,
    or ``mul``) is exactly one of the entity's names, plus, where the endpoint offers it,
    what Wikidata's search service finds (``search``: :data:`SEARCH_MODES`). Each is weighed
    (:func:`~coldwar_lod.wikidata.candidates.weigh`) on names, kind (P31), dates and
    country or place; the ``limit`` best above ``min_score`` are kept. Nothing is linked.

    :param wikidata: as for :func:`check_links`.
    :raises NotWikidataError: if the endpoint holds no Wikidata statements (exit code 2).
    :raises EndpointError: if the service cannot be reached, refuses or fails (exit code 4).
    :raises QueryError: if the service rejects a query or it times out (exit code 5).

    >>> import coldwar_lod, pyoxigraph as ox
    >>> local = ox.Store()   # a made-up "Wikidata" that knows one region
    >>> local.load('''@prefix wd: <http://www.wikidata.org/entity/> .
    ... @prefix wdt: <http://www.wikidata.org/prop/direct/> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... wd:Q999999903 rdfs:label "Silesia"@en, "Śląsk"@pl ; wdt:P31 wd:Q82794 .'''.encode(),
    ...     ox.RdfFormat.TURTLE)
    >>> top = suggest_links(coldwar_lod.build(), local).top()["silesia"]
    >>> top.item.qid, top.verdict.score, top.verdict.evidence_for[0]
    ('Q999999903', 74.0, "their label 'Śląsk'@pl = our label 'Śląsk'@pl")
    """
    started = time.perf_counter()
    asker = Asker(wikidata)
    mode = search_mode(search, asker)
    require_wikidata(asker)
    known = entities(build)
    unlinked = sorted((e for e in known.values() if not e.qid),
                      key=lambda e: (e.kind, e.slug))
    wanted = {e.slug: search_terms(e) for e in unlinked}
    found = find_by_label(asker, wanted, batch_size)
    if mode == "mwapi":
        for slug, searched in find_by_search(asker, unlinked, limit).items():
            found[slug] |= searched
    qids = sorted({q for qs in found.values() for q in qs}, key=lambda q: int(q[1:]))
    languages = {lang for e in unlinked for lang, _ in e.names}
    linked = {e.slug: e.qid for e in known.values() if e.qid}
    details = fetch_details(asker, qids, languages, batch_size, linked.values())
    suggestions = []
    for entity in unlinked:
        items = [details[q] for q in found.get(entity.slug, ())
                 if details[q].exists and not details[q].redirect]
        weighed = [(weigh(entity, item, linked), item) for item in items]
        weighed = [w for w in weighed if w[0].score >= min_score]
        weighed.sort(key=lambda w: (-w[0].score, int(w[1].qid[1:])))
        suggestions += [Suggestion(entity, item, verdict, rank)
                        for rank, (verdict, item) in enumerate(weighed[:limit], start=1)]
    return SuggestReport(suggestions, unlinked, asker.where, mode, asker.requests,
                         time.perf_counter() - started)
