"""`coldwar-lod wikidata check` and `compare` against a real SPARQL server (Oxigraph on
127.0.0.1) holding a small, synthetic, Wikidata-shaped fixture (tests/fixtures/wikidata/), with
the fixture's data folder on our side. Nothing here touches any other network.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import coldwar_lod
from coldwar_lod.cli import main
from coldwar_lod.dataset import Build
from coldwar_lod.errors import EXIT_ENDPOINT, EXIT_QUERY, EXIT_VIOLATIONS, EndpointError
from coldwar_lod.sparql.http import ENV_PASSWORD, ENV_TOKEN, ENV_USER
from coldwar_lod.wikidata.compare import ComparisonReport, compare_with_wikidata
from coldwar_lod.wikidata.links import LinkReport, check_links
from coldwar_lod.wikidata.service import ENV_WIKIDATA_ENDPOINT, user_agent, wikidata_endpoint

from ..conftest import FIXTURES
from ..server import Delay, Fail, OxigraphServer, Proxy, Seen, free_port, oxigraph

pytestmark = pytest.mark.server

FIXTURE = FIXTURES / "wikidata"
DATA = FIXTURE / "data"
PREFIXES = {"event": "https://w3id.org/coldwar-lod/id/event/",
            "person": "https://w3id.org/coldwar-lod/id/person/",
            "state": "https://w3id.org/coldwar-lod/id/state/",
            "organisation": "https://w3id.org/coldwar-lod/id/organisation/",
            "place": "https://w3id.org/coldwar-lod/id/place/",
            "claim": "https://w3id.org/coldwar-lod/id/claim/",
            "source": "https://w3id.org/coldwar-lod/id/source/",
            "cwo": "https://w3id.org/coldwar-lod/ontology#",
            "wd": "http://www.wikidata.org/entity/"}


def full(text: str) -> str:
    """Expand the prefixed names in a cell (space-separated) to full IRIs."""
    def one(word: str) -> str:
        prefix, _, local = word.partition(":")
        return PREFIXES[prefix] + local if prefix in PREFIXES and local else word
    return " ".join(one(w) for w in text.split(" ")) if text else ""


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """An Oxigraph server with the fixture in its default graph."""
    with oxigraph(tmp_path_factory.mktemp("wikidata"), persistent=False) as running:
        request = urllib.request.Request(
            f"{running.url}/store?default", data=(FIXTURE / "wikidata.ttl").read_bytes(),
            headers={"Content-Type": "text/turtle"}, method="POST")
        urllib.request.urlopen(request, timeout=10).close()
        yield running


@pytest.fixture(scope="module")
def ours() -> Build:
    return coldwar_lod.build(DATA)


def cli(*args: str, data: Path = DATA, env: dict[str, str] | None = None
        ) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data", str(data), "wikidata", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def rows(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out)))


# check -----------------------------------------------------------------------------------------

CHECK = [
    ["event:prague-spring", "wd:Q162401", "ok", "Prague Spring", "Prague Spring", "",
     "wd:Q1190554", "occurrence", ""],
    ["event:warsaw-pact-invasion", "wd:Q1773668", "ok", "Warsaw Pact invasion of Czechoslovakia",
     "Warsaw Pact invasion of Czechoslovakia", "", "wd:Q467011", "invasion", ""],
    ["organisation:communist-party-of-czechoslovakia", "wd:Q727724", "redirected",
     "Communist Party of Czechoslovakia", "", "wd:Q999999901", "", "",
     "merged into Q999999901 (Communist Party of Czechoslovakia); fix data/organisations.csv:3"],
    ["organisation:warsaw-pact", "wd:Q41644", "ok", "Warsaw Pact", "Warsaw Pact", "",
     "wd:Q1127126", "military alliance", ""],
    ["person:alexander-dubcek", "wd:Q150543", "ok", "Alexander Dubček", "Alexander Dubček", "",
     "wd:Q5", "human", ""],
    ["person:antonin-novotny", "wd:Q156494", "missing", "Antonín Novotný", "", "", "", "",
     "no such item (deleted, or never existed); fix data/persons.csv:3"],
    ["place:prague", "wd:Q1085", "ok", "Prague", "Prague", "", "wd:Q515 wd:Q5119",
     "city; capital", ""],
    ["state:czechoslovakia", "wd:Q853348", "label differs", "Czechoslovak Socialist Republic",
     "Czechoslovakia", "", "wd:Q3024240", "historical country",
     "ours is an English alias on Wikidata"],
    ["state:socialist-republic-of-romania", "wd:Q842794", "label differs",
     "Socialist Republic of Romania", "Romania", "", "wd:Q3024240", "historical country",
     "ours is neither the English label nor an alias on Wikidata"],
    ["state:soviet-union", "wd:Q15180", "ok", "Soviet Union", "Soviet Union", "", "wd:Q3024240",
     "historical country", ""],
]


def test_check_reports_every_link(wikidata: OxigraphServer) -> None:
    url = f"{wikidata.url}/query"
    code, out, err = cli("check", "--endpoint", url, "-f", "csv")
    assert code == EXIT_VIOLATIONS
    table = rows(out)
    assert table[0] == list(LinkReport.COLUMNS)
    assert table[1:] == [[full(c) if i in (0, 1, 5, 6) else c for i, c in enumerate(r)]
                         for r in CHECK]
    lines = err.splitlines()
    assert lines[0].startswith("10 link(s) checked: 6 ok, 2 label differs, 1 redirected, "
                               f"1 missing ({url}, 2 request(s), ")
    assert lines[1:] == [
        "redirected: organisation:communist-party-of-czechoslovakia (Q727724): merged into "
        "Q999999901 (Communist Party of Czechoslovakia); fix data/organisations.csv:3",
        "missing: person:antonin-novotny (Q156494): no such item (deleted, or never existed); "
        "fix data/persons.csv:3"]


def test_check_table_shows_prefixed_names(wikidata: OxigraphServer) -> None:
    code, out, _ = cli("check", "--endpoint", f"{wikidata.url}/query")
    assert code == EXIT_VIOLATIONS
    lines = out.splitlines()
    assert lines[0].split() == ["entity", "item", "status", "label", "wikidataLabel",
                                "redirectTo", "instanceOf", "instanceOfLabel", "note"]
    assert lines[8].split("  ")[0] == "place:prague"
    assert "wd:Q515 wd:Q5119" in lines[8]


def test_check_exits_0_when_every_link_resolves(wikidata: OxigraphServer,
                                                tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    for name, qid in (("persons.csv", "Q156494"), ("organisations.csv", "Q727724")):
        path = data / name
        path.write_text(path.read_text(encoding="utf-8").replace(qid, ""), encoding="utf-8")
    code, out, err = cli("check", "--endpoint", f"{wikidata.url}/query", "-f", "tsv", data=data)
    assert code == 0, err
    assert len(out.splitlines()) == 9
    assert err.startswith("8 link(s) checked: 6 ok, 2 label differs, 0 redirected, 0 missing")


def test_check_endpoint_from_the_environment(wikidata: OxigraphServer) -> None:
    code, _, err = cli("check", env={ENV_WIKIDATA_ENDPOINT: f"{wikidata.url}/query"})
    assert code == EXIT_VIOLATIONS
    assert f"({wikidata.url}/query, 2 request(s)" in err


# compare ---------------------------------------------------------------------------------------

COMPARE = [
    ["only here", "event:prague-spring", "wd:Q162401", "cwo:place", "place:prague", "wd:Q1085",
     "wdt:P276", "", "", "", "claim:prague-spring-place", "source:cvce-invasion"],
    ["only in Wikidata", "event:prague-spring", "wd:Q162401", "cwo:place",
     "state:czechoslovakia", "wd:Q853348", "wdt:P17", "", "", "", "", ""],
    ["agree", "event:prague-spring", "wd:Q162401", "cwo:timeSpan", "", "", "wdt:P585",
     "1968-21", "1968", "year", "claim:prague-spring-date", "source:cvce-invasion"],
    ["both", "event:warsaw-pact-invasion", "wd:Q1773668", "cwo:partOf", "event:prague-spring",
     "wd:Q162401", "^wdt:P527", "", "", "", "claim:invasion-part-of", "source:cvce-invasion"],
    ["only in Wikidata", "event:warsaw-pact-invasion", "wd:Q1773668", "cwo:participant",
     "person:alexander-dubcek", "wd:Q150543", "^wdt:P1344", "", "", "", "", ""],
    ["only here", "event:warsaw-pact-invasion", "wd:Q1773668", "cwo:participant",
     "state:czechoslovakia", "wd:Q853348", "wdt:P710", "", "", "", "claim:invasion-target",
     "source:cvce-invasion"],
    ["both", "event:warsaw-pact-invasion", "wd:Q1773668", "cwo:participant",
     "state:soviet-union", "wd:Q15180", "^wdt:P1344 wdt:P710", "", "", "",
     "claim:invasion-invader", "source:cvce-invasion"],
    ["both", "event:warsaw-pact-invasion", "wd:Q1773668", "cwo:place", "state:czechoslovakia",
     "wd:Q853348", "wdt:P17", "", "", "", "claim:invasion-place", "source:cvce-invasion"],
    ["disagree", "event:warsaw-pact-invasion", "wd:Q1773668", "cwo:timeSpan", "", "",
     "wdt:P580", "1968-08-21", "1968-08-20", "day", "claim:invasion-date",
     "source:cvce-invasion"],
    ["agree", "event:warsaw-pact-invasion", "wd:Q1773668", "cwo:timeSpan", "", "", "wdt:P582",
     "1968-08-21", "1968-08-21", "day", "claim:invasion-date", "source:cvce-invasion"],
    ["only in Wikidata", "person:alexander-dubcek", "wd:Q150543", "cwo:memberOf",
     "organisation:communist-party-of-czechoslovakia", "wd:Q999999901", "wdt:P463", "", "", "",
     "", ""],
    ["both", "state:socialist-republic-of-romania", "wd:Q842794", "cwo:memberOf",
     "organisation:warsaw-pact", "wd:Q41644", "wdt:P463", "", "", "", "claim:romania-member",
     "source:cvce-invasion"],
    ["only in Wikidata", "state:soviet-union", "wd:Q15180", "cwo:memberOf",
     "organisation:warsaw-pact", "wd:Q41644", "wdt:P463", "", "", "", "", ""],
]


def test_compare_reports_facts_and_dates(wikidata: OxigraphServer) -> None:
    url = f"{wikidata.url}/query"
    code, out, err = cli("compare", "--endpoint", url, "-f", "csv")
    assert code == 0, err
    table = rows(out)
    assert table[0] == list(ComparisonReport.COLUMNS)
    assert table[1:] == [[c if i in (0, 6, 7, 8, 9) else full(c) for i, c in enumerate(r)]
                         for r in COMPARE]
    lines = err.splitlines()
    assert lines[:2] == [
        "10 fact(s) between linked entities: 4 both, 2 only here, 4 only in Wikidata",
        "3 date(s): 2 agree, 1 disagree, 0 only here, 0 only in Wikidata"]
    assert lines[2].startswith(f"9 link(s) compared ({url}, 4 request(s), ")
    assert lines[2].endswith("1 link(s) followed through a redirect; 1 link(s) to missing "
                             "items left out; run `coldwar-lod wikidata check`")


def test_compare_json_is_sparql_results(wikidata: OxigraphServer) -> None:
    code, out, _ = cli("compare", "--endpoint", f"{wikidata.url}/query", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["head"]["vars"] == list(ComparisonReport.COLUMNS)
    first = doc["results"]["bindings"][0]
    assert first["status"] == {"type": "literal", "value": "only here"}
    assert first["subjectItem"] == {"type": "uri",
                                    "value": "http://www.wikidata.org/entity/Q162401"}
    assert "ourDate" not in first  # unbound: a fact, not a date
    assert len(doc["results"]["bindings"]) == len(COMPARE)


def test_compare_table(wikidata: OxigraphServer) -> None:
    code, out, _ = cli("compare", "--endpoint", f"{wikidata.url}/query")
    assert code == 0
    lines = out.splitlines()
    disagree = next(line for line in lines if line.startswith("disagree"))
    assert disagree.split() == ["disagree", "event:warsaw-pact-invasion", "wd:Q1773668",
                                "cwo:timeSpan", "wdt:P580", "1968-08-21", "1968-08-20", "day",
                                "claim:invasion-date", "source:cvce-invasion"]


# The library -----------------------------------------------------------------------------------


def test_library_check_and_compare(wikidata: OxigraphServer, ours: Build) -> None:
    endpoint = wikidata_endpoint(f"{wikidata.url}/query")
    report = check_links(ours, endpoint)
    assert [(c.link.qid, c.status) for c in report.violations] == [
        ("Q727724", "redirected"), ("Q156494", "missing")]
    redirect = report.violations[0]
    assert redirect.target is not None and redirect.target.qid == "Q999999901"
    assert redirect.target.instance_of == (("Q7278", "political party"),)
    compared = compare_with_wikidata(ours, endpoint)
    assert compared.counts(dates=True)["disagree"] == 1
    assert [ln.qid for ln in compared.redirected] == ["Q727724"]
    assert [ln.qid for ln in compared.not_compared] == ["Q156494"]
    both = [c for c in compared.comparisons if c.status == "both"]
    assert {c.predicate.rsplit("#", 1)[1] for c in both} == {"partOf", "participant", "place",
                                                             "memberOf"}


def test_requests_are_batched_and_name_the_tool(wikidata: OxigraphServer, ours: Build) -> None:
    with Proxy(wikidata.url) as proxy:
        report = check_links(ours, wikidata_endpoint(f"{proxy.url}/query"), batch_size=4)
    # 10 links in batches of 4, then the one redirect target
    assert report.requests == 4 == len(proxy.seen)
    for seen in proxy.seen:
        assert (seen.method, seen.path) == ("POST", "/query")
        assert seen.headers["user-agent"] == user_agent()
        assert "default-graph-uri" not in seen.text
    assert [seen.text.count("(wd:Q") for seen in proxy.seen] == [4, 4, 2, 1]


def test_store_credentials_are_never_sent_to_wikidata(wikidata: OxigraphServer) -> None:
    env = {ENV_TOKEN: "s3cret-token", ENV_USER: "ada", ENV_PASSWORD: "pw"}
    with Proxy(wikidata.url) as proxy:
        code, _, _ = cli("check", "--endpoint", f"{proxy.url}/query", env=env)
    assert code == EXIT_VIOLATIONS
    assert proxy.seen and all("authorization" not in s.headers for s in proxy.seen)
    assert user_agent().startswith("coldwar-lod/0.1.0 (https://w3id.org/coldwar-lod/) "
                                   "Python-urllib/")


# Failures --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "compare"])
def test_endpoint_down_exit_4(command: str) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    code, out, err = cli(command, "--endpoint", url, "--retries", "0")
    assert code == EXIT_ENDPOINT
    assert out == ""
    assert err == f"error: cannot connect to {url}: connection refused (is the server " \
                  "running, and is the URL right?)\n"


def test_too_many_requests_is_retried(wikidata: OxigraphServer, ours: Build) -> None:
    def rule(seen: Seen) -> Fail | None:
        return Fail(429, "Too Many Requests") if seen.number == 1 else None

    with Proxy(wikidata.url, rule) as proxy:
        report = check_links(ours, wikidata_endpoint(f"{proxy.url}/query", backoff=0.01))
    assert len(proxy.seen) == 3  # refused, asked again, then the redirect target
    assert report.counts()["ok"] == 6


def test_too_many_requests_at_last_exit_4(wikidata: OxigraphServer, ours: Build) -> None:
    with Proxy(wikidata.url, lambda _seen: Fail(429, "Too Many Requests")) as proxy:
        with pytest.raises(EndpointError, match=r"failed \(HTTP 429\): Too Many Requests; "
                                                r"the service limits .* wait a minute"):
            check_links(ours, wikidata_endpoint(f"{proxy.url}/query", retries=2,
                                                backoff=0.01))
        assert len(proxy.seen) == 3


def test_rejected_query_exit_5(wikidata: OxigraphServer) -> None:
    with Proxy(wikidata.url, lambda _seen: Fail(400, "Parse error: unexpected token")) as proxy:
        code, _, err = cli("compare", "--endpoint", f"{proxy.url}/query")
    assert code == EXIT_QUERY
    assert err == (f"error: {proxy.url}/query rejected the query (HTTP 400): "
                   "Parse error: unexpected token\n")


def test_timeout_exit_5(wikidata: OxigraphServer) -> None:
    with Proxy(wikidata.url, lambda _seen: Delay(2)) as proxy:
        code, _, err = cli("check", "--endpoint", f"{proxy.url}/query", "--timeout", "0.3")
    assert code == EXIT_QUERY
    assert err.startswith(f"error: the query timed out after 0.3 s at {proxy.url}/query")
    assert "Traceback" not in err


def test_default_endpoint_and_environment() -> None:
    """The default is the public service (the tests above always name a local one)."""
    assert wikidata_endpoint(env={}).query_url == "https://query.wikidata.org/sparql"
    assert urllib.parse.urlsplit(wikidata_endpoint(
        env={ENV_WIKIDATA_ENDPOINT: "http://127.0.0.1:1/query"}).query_url).hostname == \
        "127.0.0.1"
