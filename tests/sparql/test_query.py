"""The shipped queries: well-formed, golden results embedded, the same results from a real
Oxigraph server, and clear errors (with exit codes) when a query or an endpoint goes wrong.

Golden results live in tests/golden/queries/<name>.tsv (SPARQL 1.1 TSV, every term exact).
After the data or a query changes, regenerate them and review the diff by hand:

    COLDWAR_LOD_UPDATE_GOLDEN=1 .venv/bin/pytest tests/sparql/test_query.py -k golden
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import coldwar_lod
from coldwar_lod.cli import main
from coldwar_lod.dataset import Build
from coldwar_lod.errors import EXIT_ENDPOINT, EXIT_INPUT, EXIT_QUERY, EndpointError, QueryError
from coldwar_lod.resources import resource_dir
from coldwar_lod.sparql.catalogue import HEADER_FIELDS, load_query, shipped_queries
from coldwar_lod.sparql.http import ENV_TOKEN, ENV_USER, Endpoint
from coldwar_lod.sparql.load import load_store
from coldwar_lod.sparql.query import check_syntax, run_query
from coldwar_lod.sparql.results import QueryResult
from coldwar_lod.wikidata.unlinked import unlinked_tsv

from ..conftest import DATA, GOLDEN_ROOT
from ..server import Delay, Fail, OxigraphServer, Proxy, Truncate, free_port, oxigraph

GOLDEN = GOLDEN_ROOT / "queries"
UPDATE_GOLDEN = os.environ.get("COLDWAR_LOD_UPDATE_GOLDEN") == "1"
NAMES = sorted(shipped_queries())
# Every pair of triples, hashed: minutes of work, which Oxigraph cancels at its --timeout-s.
HEAVY = ('SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f '
         'FILTER(SHA256(CONCAT(STR(?c), STR(?f))) = "0") }')


@pytest.fixture(scope="module")
def store(built: Build) -> ox.Store:
    return built.store()


@pytest.fixture(scope="module")
def server(built: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph server holding the dataset, loaded with ``load_store``."""
    with oxigraph(tmp_path_factory.mktemp("oxigraph")) as running:
        load_store(built, running.url)
        yield running


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data", str(DATA), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


# The catalogue ---------------------------------------------------------------------------------


def test_the_historians_questions_are_all_shipped() -> None:
    assert set(NAMES) >= {
        "invasion-participants", "reactions", "timeline", "offices", "evidence",
        "disagreements", "events-at-place", "warsaw-pact-members", "citations",
        "wikidata-links", "unlinked", "certainly-before", "possibly-overlapping"}


@pytest.mark.parametrize("name", NAMES)
def test_query_has_header_prefixes_and_order(name: str) -> None:
    query = shipped_queries()[name]
    for key in HEADER_FIELDS:
        assert getattr(query, key), f"{name}.rq has no '#+ {key}:' line"
    assert len(query.summary) <= 110, "the summary is one line of `coldwar-lod queries`"
    # Parsed with no predeclared prefixes: every prefix the query uses is declared in it.
    assert check_syntax(query.text, query.origin) == "select"
    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
    declared = set(re.findall(r"^PREFIX (\w+):", body, re.MULTILINE))
    used = set(re.findall(r"(?<![\w<\"?])([a-z]\w*):\w", re.sub(r"<[^>]*>|\"[^\"]*\"", "", body)))
    assert used <= declared, f"undeclared: {used - declared}"
    assert declared <= used, f"declared but unused: {declared - used}"
    assert re.search(r"\bORDER BY\b", body), "results must be ordered"
    # No GRAPH or FROM: the same text runs embedded and remotely (default-graph-uri).
    assert not re.search(r"\b(GRAPH|FROM)\b", body)


def test_readme_lists_every_query() -> None:
    readme = (resource_dir("queries") / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| \[`([\w-]+)`\]\(\1\.rq\) \| (.+) \|$", readme, re.MULTILINE)
    assert sorted(name for name, _ in listed) == NAMES
    catalogue = shipped_queries()
    assert all(summary == catalogue[name].summary for name, summary in listed)


def test_header_continuation_lines_join() -> None:
    query = shipped_queries()["certainly-before"]
    assert "latestEnd" in query.description and "\n" not in query.description
    assert query.tags == ("time", "uncertainty", "events", "allen-relations")


def test_queries_command_lists_names_and_summaries() -> None:
    code, out, _ = cli("queries")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == NAMES
    assert any("Timeline of 1968-1969" in line for line in lines)
    code, out, _ = cli("queries", "--verbose")
    assert code == 0 and "tags: time, events, chronology, uncertainty" in out


# Golden results ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_golden(name: str, built: Build, store: ox.Store) -> None:
    result = run_query(shipped_queries()[name], built, store=store)
    path = GOLDEN / f"{name}.tsv"
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.to_tsv(), encoding="utf-8")
    assert path.is_file(), f"no golden result; run COLDWAR_LOD_UPDATE_GOLDEN=1 pytest {__file__}"
    golden = QueryResult.from_tsv(path.read_bytes())
    assert golden.variables == result.variables
    if golden.rows != result.rows:  # terms differ: show the rows that differ, as TSV lines
        want, got = golden.to_tsv().splitlines()[1:], result.to_tsv().splitlines()[1:]
        missing = [line for line in want if line not in got]
        extra = [line for line in got if line not in want]
        assert {"missing": missing, "extra": extra} == {"missing": [], "extra": []}, (
            f"{name}: rows differ from {path.name}")
        pytest.fail(f"{name}: the same rows as {path.name}, in another order")


def test_core_answers_hold(built: Build, store: ox.Store) -> None:
    """Facts a historian expects, whatever else the data grows to hold."""

    def rows(name: str) -> list[dict[str, str]]:
        result = run_query(shipped_queries()[name], built, store=store)
        return [{v: t.value for v, t in zip(result.variables, row, strict=True)
                 if isinstance(t, ox.NamedNode | ox.Literal)} for row in result.rows]

    cwo = built.space.ontology
    invaders = {r["stateLabel"] for r in rows("invasion-participants")
                if r.get("role") == cwo + "InvaderRole"}
    assert {"Soviet Union", "Polish People's Republic", "German Democratic Republic",
            "Hungarian People's Republic", "People's Republic of Bulgaria"} <= invaders
    assert "Socialist Republic of Romania" not in invaders  # it refused: a reaction
    refused = {r["agentLabel"] for r in rows("reactions") if r["reaction"] == cwo + "refusedToJoin"}
    assert "Socialist Republic of Romania" in refused
    dates = [r["earliestBegin"] for r in rows("timeline") if "earliestBegin" in r]
    assert dates == sorted(dates)
    assert any(r["personLabel"] == "Gustáv Husák" and r.get("predecessorLabel") ==
               "Alexander Dubček" for r in rows("offices"))
    assert {r["rank"] for r in rows("disagreements")} == {
        cwo + "PreferredRank", cwo + "NormalRank", cwo + "DeprecatedRank"}
    assert all(int(r["start"]) < int(r["end"]) for r in rows("evidence"))
    before = {r["eventLabel"] for r in rows("certainly-before")}
    assert "Prague Spring" not in before or "Bratislava Declaration" in before
    assert "Warsaw Pact invasion of Czechoslovakia" not in before


def test_unlinked_query_agrees_with_unlinked_tsv(built: Build, store: ox.Store) -> None:
    result = run_query(shipped_queries()["unlinked"], built, store=store)
    from_query = {row[1].value for row in result.rows if isinstance(row[1], ox.NamedNode)}
    tsv = unlinked_tsv(built.records, built.space).decode().splitlines()[1:]
    assert from_query == {line.split("\t")[-1] for line in tsv}


# Remote = embedded -------------------------------------------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize("name", NAMES)
def test_remote_answers_equal_embedded(name: str, built: Build, store: ox.Store,
                                       server: OxigraphServer) -> None:
    query = shipped_queries()[name]
    embedded = run_query(query, built, store=store)
    remote = run_query(query, built, endpoint=server.url)
    assert remote.where == f"{server.url}/query"
    assert remote.variables == embedded.variables
    assert remote.rows == embedded.rows


@pytest.mark.server
def test_a_sparqlwrapper_user_gets_the_same_answers(built: Build, store: ox.Store,
                                                   server: OxigraphServer) -> None:
    """A loaded store answers SPARQLWrapper (what many Python users query with) as it answers
    this package's own client; the data is in the named graph ``load`` puts it in."""
    from SPARQLWrapper import JSON, SPARQLWrapper

    query = shipped_queries()["invasion-participants"]
    wrapper = SPARQLWrapper(f"{server.url}/query")
    wrapper.setQuery(query.text)
    wrapper.addDefaultGraph(f"{built.space.base}graph/data")
    wrapper.setReturnFormat(JSON)
    bindings = wrapper.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    embedded = run_query(query, built, store=store)
    assert len(bindings) == len(embedded.rows) > 0
    assert [b[embedded.variables[0]]["value"] for b in bindings] == [
        row[0].value for row in embedded.rows if row[0] is not None]


@pytest.mark.server
def test_query_command_embedded_and_remote_formats(server: OxigraphServer,
                                                   built: Build) -> None:
    code, tsv_local, err = cli("query", "timeline", "-f", "tsv")
    assert code == 0 and "row(s)" in err and "embedded" in err
    code, tsv_remote, err = cli("query", "timeline", "-f", "tsv", "--endpoint", server.url)
    assert code == 0 and server.url in err
    assert QueryResult.from_tsv(tsv_local).rows == QueryResult.from_tsv(tsv_remote).rows
    code, out, _ = cli("query", "timeline", "-f", "json", "--endpoint", server.url)
    doc = json.loads(out)
    assert doc["head"]["vars"][:3] == ["event", "eventLabel", "edtf"]
    assert len(doc["results"]["bindings"]) == len(QueryResult.from_tsv(tsv_local).rows)
    code, out, _ = cli("query", "timeline", "-f", "csv")
    assert out.splitlines()[0] == ("event,eventLabel,edtf,precision,qualifier,earliestBegin,"
                                   "latestEnd")
    code, out, _ = cli("query", "invasion-participants")
    header, rule = out.splitlines()[:2]
    assert header.split()[:2] == ["event", "eventLabel"] and set(rule) == {"-", " "}
    assert "event:warsaw-pact-invasion" in out  # IRIs shortened with the dataset's prefixes


@pytest.mark.server
def test_query_file_ask_and_construct_remote(server: OxigraphServer, tmp_path: Path,
                                             built: Build, store: ox.Store) -> None:
    ask = "PREFIX cwo: <https://w3id.org/coldwar-lod/ontology#>\nASK { ?e a cwo:Invasion }"
    assert run_query(ask, endpoint=server.url).boolean is True
    construct = ("PREFIX cwo: <https://w3id.org/coldwar-lod/ontology#>\n"
                 "CONSTRUCT { ?e a cwo:Invasion } WHERE { ?e a cwo:Invasion }")
    remote = run_query(construct, endpoint=server.url)
    assert remote.kind == "graph" and remote.rows
    assert remote.rows == run_query(construct, built, store=store).rows
    path = tmp_path / "mine.rq"
    path.write_text(ask)
    code, out, _ = cli("query", str(path), "--endpoint", server.url)
    assert (code, out) == (0, "yes\n")
    # the service's own default graph is empty: the data is in a named graph
    code, out, _ = cli("query", str(path), "--endpoint", server.url, "--graph", "none")
    assert (code, out) == (0, "no\n")


@pytest.mark.server
def test_another_base_moves_graphs_and_queries(tmp_path: Path) -> None:
    other = coldwar_lod.build(DATA, "https://example.org/cw/")
    query = shipped_queries()["invasion-participants"]
    with oxigraph(tmp_path, persistent=False) as running:
        load_store(other, running.url)
        assert "https://example.org/cw/graph/data" in running.graphs()
        code, out, _ = cli("--base", "https://example.org/cw/", "query", query.name,
                           "--endpoint", running.url, "-f", "tsv")
    assert code == 0
    embedded = run_query(query, other)
    assert embedded.rows and QueryResult.from_tsv(out).rows == embedded.rows
    assert "https://example.org/cw/id/event/warsaw-pact-invasion" in out


# Failures ----------------------------------------------------------------------------------------


def test_unknown_query_name_suggests_one() -> None:
    code, _, err = cli("query", "timelin")
    assert code == EXIT_INPUT
    assert "unknown query 'timelin' (did you mean 'timeline'?)" in err


@pytest.mark.server
def test_malformed_query_gives_line_and_column_before_sending(tmp_path: Path,
                                                              server: OxigraphServer) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                    "SELECT ?s WHERE {\n  ?s rdfs:label ?l FILTER(?l = )\n}\n")
    with Proxy(server.url) as proxy:
        code, out, err = cli("query", str(path), "--endpoint", proxy.url)
    assert code == EXIT_QUERY and out == ""
    assert f"{path}:3:" in err and "malformed SPARQL query" in err
    assert "  ?s rdfs:label ?l FILTER(?l = )" in err and "^" in err
    assert "Traceback" not in err
    assert proxy.seen == []  # parsed locally: nothing was sent
    code, _, err2 = cli("query", str(path))  # embedded: the same message
    assert code == EXIT_QUERY and err2.splitlines()[0] == err.splitlines()[0]


def test_undeclared_prefix_is_a_query_error() -> None:
    with pytest.raises(QueryError, match=r"^query:1:\d+: malformed SPARQL query"):
        run_query("SELECT * WHERE { ?s cwo:rank ?r }", store=ox.Store())


def test_endpoint_down_exit_4() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, _, err = cli("query", "timeline", "--endpoint", url)
    assert code == EXIT_ENDPOINT
    assert f"cannot connect to {url}/query: connection refused" in err
    assert "Traceback" not in err


@pytest.mark.server
def test_wrong_path_is_no_sparql_service(server: OxigraphServer) -> None:
    url = f"{server.url}/coldwar/sparql"
    code, _, err = cli("query", "timeline", "--endpoint", url)
    assert code == EXIT_ENDPOINT
    assert f"no SPARQL service at {url} (HTTP 404)" in err


@pytest.mark.server
def test_server_error_500_carries_the_servers_message(server: OxigraphServer) -> None:
    rule = lambda seen: Fail(500, "storage failure: disk full\nat line 42")  # noqa: E731
    with Proxy(server.url, rule) as proxy:
        code, _, err = cli("query", "timeline", "--endpoint", proxy.url)
    assert code == EXIT_ENDPOINT
    assert "failed (HTTP 500): storage failure: disk full" in err
    assert "line 42" not in err  # the first line only
    assert len(proxy.seen) == 1  # a 500 is not retried


@pytest.mark.server
def test_answer_cut_off_half_way(server: OxigraphServer) -> None:
    with Proxy(server.url, lambda seen: Truncate()) as proxy:
        code, _, err = cli("query", "timeline", "--endpoint", proxy.url, "--retries", "1")
    assert code == EXIT_ENDPOINT
    assert "closed the connection half-way" in err or "malformed answer" in err
    assert len(proxy.seen) == 2  # a dropped answer is transient: retried once


@pytest.mark.server
def test_transient_503_is_retried_then_succeeds(server: OxigraphServer, built: Build,
                                               store: ox.Store) -> None:
    rule = lambda seen: Fail(503, "restarting") if seen.number == 1 else None  # noqa: E731
    with Proxy(server.url, rule) as proxy:
        endpoint = Endpoint.from_url(proxy.url, backoff=0.01)
        result = run_query(shipped_queries()["timeline"], built, endpoint=endpoint)
    assert len(proxy.seen) == 2
    assert result.rows == run_query(shipped_queries()["timeline"], built, store=store).rows


@pytest.mark.server
def test_rejected_query_is_a_query_error_not_retried(server: OxigraphServer) -> None:
    rule = lambda seen: Fail(400, "Unsupported function xyz")  # noqa: E731
    with (Proxy(server.url, rule) as proxy,
          pytest.raises(QueryError, match=r"rejected the query \(HTTP 400\): Unsupported")):
        run_query("ASK {}", endpoint=proxy.url)
    assert len(proxy.seen) == 1


@pytest.mark.server
def test_client_timeout_exit_5(server: OxigraphServer) -> None:
    with Proxy(server.url, lambda seen: Delay(3)) as proxy:
        code, _, err = cli("query", "timeline", "--endpoint", proxy.url, "--timeout", "0.5")
    assert code == EXIT_QUERY
    assert "timed out after 0.5 s" in err


@pytest.mark.server
def test_server_side_timeout_exit_5(built: Build, tmp_path: Path) -> None:
    with oxigraph(tmp_path, timeout_s=1, persistent=False) as slow:
        load_store(built, slow.url)
        started = time.monotonic()
        with pytest.raises(QueryError, match=r"timed out at .*: the service stopped half-way"):
            run_query(HEAVY, endpoint=slow.url)
        assert time.monotonic() - started < 15


@pytest.mark.server
def test_credentials_are_sent_and_never_shown(server: OxigraphServer) -> None:
    secret = "s3cret-t0ken"
    rule = lambda seen: Fail(401, f"bad token {secret}")  # noqa: E731
    with Proxy(server.url, rule) as proxy:
        code, _, err = cli("query", "timeline", "--endpoint", proxy.url,
                           env={ENV_TOKEN: secret})
    assert code == EXIT_ENDPOINT
    assert proxy.seen[0].headers["authorization"] == f"Bearer {secret}"
    assert secret not in err and "***" in err and ENV_TOKEN in err
    with Proxy(server.url) as proxy:
        endpoint = Endpoint.from_url(proxy.url, env={ENV_USER: "ada", "X": "y"})
        assert run_query("ASK {}", endpoint=endpoint).boolean is True
    assert proxy.seen[0].headers["authorization"] == "Basic YWRhOg=="  # ada:


def test_endpoint_error_types_are_documented_exit_codes() -> None:
    assert EndpointError("x").exit_code == 4 and QueryError("x").exit_code == 5


def test_load_query_reads_files_and_rejects_missing(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: Mine\nASK {}\n")
    assert load_query(str(path)).summary == "Mine"
    code, _, err = cli("query", str(tmp_path / "missing.rq"))
    assert code == EXIT_INPUT and "no such query file" in err


def test_the_sources_golden_agrees_with_stats(built: Build) -> None:
    """Each source's claims and passages in the shipped query are the figures ``stats`` gives
    (works cited in a source point at passages too, and are not claims)."""
    golden = QueryResult.from_tsv((GOLDEN / "sources.tsv").read_bytes())
    stats = coldwar_lod.count(built.records)
    by_source = {str(row[0].value).rsplit("/", 1)[1]: (int(row[2].value), int(row[3].value))
                 for row in golden.rows if row[0] is not None and row[2] is not None
                 and row[3] is not None}
    assert {s: claims for s, (claims, _) in by_source.items()} == stats.claims_by_source
    assert sum(passages for _, passages in by_source.values()) == stats.locators
