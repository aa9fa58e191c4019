"""`coldwar-lod wikidata suggest` against a real Oxigraph server holding the Wikidata snapshot:
links taken out of a copy of the data come back as the best candidates; the review file holds
one row per candidate with its evidence; nothing is linked; the service is asked politely."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import coldwar_lod
from coldwar_lod.cli import main
from coldwar_lod.errors import EXIT_ENDPOINT, EXIT_INPUT
from coldwar_lod.wikidata.names import entities
from coldwar_lod.wikidata.service import user_agent
from coldwar_lod.wikidata.suggest import REVIEW_COLUMNS

from ..server import Fail, OxigraphServer, Proxy, Seen, oxigraph

pytestmark = pytest.mark.server


def suggest(data: Path, url: str, review: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data", str(data), "wikidata", "suggest", "--endpoint",
                                       url, "-o", str(review), "-f", "csv", *extra])
    return result.exit_code, result.stdout, result.stderr


def review_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter="\t"))


def findable(snapshot: OxigraphServer, data: Path, removed: dict[str, str]) -> set[str]:
    """The entities whose item has, in the snapshot, a label or alias equal to one of our
    names in the same language: those a label search must find (asked directly, not through
    the code under test)."""
    known = entities(coldwar_lod.build(data))
    values = " ".join(f"<http://www.wikidata.org/entity/{q}>" for q in removed.values())
    rows = snapshot.select(f"""SELECT ?item ?name (LANG(?name) AS ?lang) WHERE {{
        VALUES ?item {{ {values} }}
        {{ ?item <http://www.w3.org/2000/01/rdf-schema#label> ?name }} UNION
        {{ ?item <http://www.w3.org/2004/02/skos/core#altLabel> ?name }} }}""")
    theirs = {(r["item"].rsplit("/", 1)[1], r["name"], r["lang"]) for r in rows}
    return {slug for slug, qid in removed.items()
            if any((qid, text, lang) in theirs for lang, text in known[slug].names)}


def digest(folder: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.rglob("*"))
                                   if p.is_file())).hexdigest()


def test_removed_links_come_back_as_the_best_candidates(
        snapshot: OxigraphServer, unlinked_copy: tuple[Path, dict[str, str]],
        tmp_path: Path) -> None:
    data, removed = unlinked_copy
    before = digest(data)
    review = tmp_path / "review.tsv"
    code, out, err = suggest(data, f"{snapshot.url}/query", review)
    assert code == 0, err
    rows = review_rows(review)
    best = {r["entity"].split("/", 1)[1]: r["qid"] for r in rows if r["rank"] == "1"}
    expected = findable(snapshot, data, removed)
    assert len(expected) >= 50  # of 66 links: the snapshot has no matching name for the rest
    wrong = {slug: (removed[slug], best.get(slug)) for slug in expected
             if best.get(slug) != removed[slug]}
    assert not wrong
    # Historical states are told apart from today's country of the same name: our label is
    # the item's label, the country's name only our alias.
    assert best["polish-peoples-republic"] == "Q211274"
    assert "Q36" in {r["qid"] for r in rows if r["entity"] == "state/polish-peoples-republic"}
    assert digest(data) == before  # nothing linked
    unlinked = {r["entity"] for r in rows}  # every unlinked entity has a row
    assert err.splitlines()[0].startswith(f"{len(unlinked)} unlinked entities: ")
    assert "nothing was linked" in err and str(review) in err
    table = list(csv.reader(io.StringIO(out)))
    assert table[0][:4] == ["entity", "label", "qid", "wikidata_label"]


def test_the_review_file_holds_the_evidence(snapshot: OxigraphServer, data_copy: Path,
                                            tmp_path: Path) -> None:
    review = tmp_path / "review.tsv"
    code, _, err = suggest(data_copy, f"{snapshot.url}/query", review, "--limit", "2")
    assert code == 0, err
    lines = review.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == list(REVIEW_COLUMNS)
    rows = review_rows(review)
    unlinked = {e.short_id for e in entities(coldwar_lod.build(data_copy)).values() if not e.qid}
    assert {r["entity"] for r in rows} == unlinked  # every unlinked entity, with or without
    for row in rows:
        assert row["decision"] == ""  # a person decides
        if not row["qid"]:
            assert row["evidence_against"] == "no candidate found"
            continue
        assert row["rank"] in ("1", "2")
        assert 0 <= float(row["score"]) <= 100
        assert row["evidence_for"] or row["evidence_against"]
    party = next(r for r in rows if r["entity"] == "organisation/communist-party-of-china")
    assert (party["qid"], party["rank"]) == ("Q17427", "1")
    assert "their label 'Communist Party of China'@en = our label" in party["evidence_for"]
    scores = [(r["entity"], int(r["rank"]), float(r["score"])) for r in rows if r["qid"]]
    for (e1, r1, s1), (e2, r2, s2) in itertools.pairwise(scores):
        if e1 == e2:
            assert r2 == r1 + 1 and s2 <= s1


def test_asks_politely(snapshot: OxigraphServer, unlinked_copy: tuple[Path, dict[str, str]],
                       tmp_path: Path) -> None:
    """Batches, one request at a time, the tool named, 429 and its Retry-After honoured."""
    data, _ = unlinked_copy
    arrivals: list[float] = []

    def rule(seen: Seen) -> Fail | None:
        arrivals.append(time.monotonic())
        return Fail(429, "Too Many Requests", (("Retry-After", "1"),)) if seen.number == 2 \
            else None

    with Proxy(snapshot.url, rule) as proxy:
        code, _, err = suggest(data, f"{proxy.url}/query", tmp_path / "r.tsv",
                               "--batch-size", "40")
    assert code == 0, err
    assert all(s.headers["user-agent"] == user_agent() for s in proxy.seen)
    assert proxy.count() >= 8  # at most 40 names or items per request
    refused, again = proxy.seen[1], proxy.seen[2]
    assert again.text == refused.text  # the refused request, asked again...
    assert arrivals[2] - arrivals[1] >= 0.95  # ...after the 1 s asked for (backoff: 0.5 s)
    assert "request(s)" in err


def test_not_a_wikidata_service(tmp_path: Path, data_copy: Path) -> None:
    with oxigraph(tmp_path / "empty", persistent=False) as empty:
        code, _, err = suggest(data_copy, f"{empty.url}/query", tmp_path / "r.tsv")
    assert code == EXIT_INPUT
    assert f"{empty.url}/query holds no Wikidata statements" in err
    assert "Traceback" not in err and not (tmp_path / "r.tsv").exists()


def test_unreachable_service(data_copy: Path, tmp_path: Path) -> None:
    code, _, err = suggest(data_copy, "http://127.0.0.1:9/query", tmp_path / "r.tsv",
                           "--retries", "0")
    assert code == EXIT_ENDPOINT
    assert "cannot connect to http://127.0.0.1:9/query" in err


def test_wikidata_search_only_where_the_endpoint_offers_it() -> None:
    """``auto`` asks Wikidata's search service (mwapi) on the Query Service only; the query it
    would send is valid SPARQL (parsed, never sent: no network here)."""
    import pyoxigraph as ox
    from rdflib.plugins.sparql import prepareQuery

    from coldwar_lod.errors import InputError
    from coldwar_lod.wikidata.candidates import _BY_SEARCH
    from coldwar_lod.wikidata.service import Asker
    from coldwar_lod.wikidata.suggest import search_mode

    assert search_mode("auto", Asker("https://query.wikidata.org/sparql")) == "mwapi"
    assert search_mode("auto", Asker("http://127.0.0.1:7878/query")) == "labels"
    assert search_mode("labels", Asker("https://query.wikidata.org/sparql")) == "labels"
    assert search_mode("auto", Asker(ox.Store())) == "labels"
    with pytest.raises(InputError, match="no search service"):
        search_mode("mwapi", Asker(ox.Store()))
    prepareQuery(_BY_SEARCH % (ox.Literal('Alexander "Sasha" Dubček'), "sk", 5))


def test_the_review_file_defuses_formulas_from_wikidata() -> None:
    """Anyone can edit Wikidata: a description that a spreadsheet would run is defused."""
    import pyoxigraph as ox

    local = ox.Store()
    local.load(b'''@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
wd:Q999999903 rdfs:label "Silesia"@en ; wdt:P31 wd:Q82794 ;
    schema:description "=HYPERLINK(\\"http://example.org\\")"@en .''', ox.RdfFormat.TURTLE)
    report = coldwar_lod.suggest_links(coldwar_lod.build(), local)
    rows = list(csv.DictReader(io.StringIO(report.review_tsv().decode()), delimiter="\t"))
    row = next(r for r in rows if r["qid"] == "Q999999903")
    assert row["description"] == "'=HYPERLINK(\"http://example.org\")"
