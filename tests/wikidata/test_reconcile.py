"""`coldwar-lod reconcile`: the reconciliation service answers OpenRefine-shaped requests over
real HTTP on 127.0.0.1 (batch POST and GET, JSONP, CORS, preview, suggest), every answer
checked against the JSON schemas of the W3C Entity Reconciliation API 0.2
(``reconcile_schemas.py``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from coldwar_lod.cli import main
from coldwar_lod.dataset import Build
from coldwar_lod.errors import EXIT_INPUT
from coldwar_lod.wikidata.names import entities, folded
from coldwar_lod.wikidata.reconcile.server import ReconcileServer

from ..conftest import DATA
from ..server import free_port
from .reconcile_schemas import BATCH_RESPONSE, MANIFEST, SUGGEST_RESPONSE

IDS = "https://w3id.org/coldwar-lod/id/"


@pytest.fixture(scope="module")
def service(built: Build) -> Iterator[ReconcileServer]:
    with ReconcileServer(built, port=0) as running:
        yield running


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def post_form(url: str, fields: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    """As OpenRefine sends a batch: a urlencoded form with the field ``queries``."""
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        "Origin": "http://127.0.0.1:3333"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), json.load(answer)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.load(exc)


def batch(service: ReconcileServer, queries: dict[str, Any]) -> dict[str, Any]:
    status, headers, doc = post_form(service.url + "/", {"queries": json.dumps(queries)})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    jsonschema.validate(doc, BATCH_RESPONSE)
    assert set(doc) == set(queries)
    return doc  # type: ignore[no-any-return]


def test_manifest(service: ReconcileServer) -> None:
    status, headers, body = get(service.url + "/")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert headers["Access-Control-Allow-Origin"] == "*"
    manifest = json.loads(body)
    jsonschema.validate(manifest, MANIFEST)
    assert manifest["identifierSpace"] == IDS
    assert manifest["view"]["url"] == IDS + "{{id}}"
    assert {t["id"] for t in manifest["defaultTypes"]} >= {"Person", "Event", "State", "Place"}
    assert manifest["preview"]["url"] == service.url + "/preview?id={{id}}"
    suggest = manifest["suggest"]["entity"]
    assert suggest["service_url"] + suggest["service_path"] == service.url + "/suggest/entity"


def test_a_schema_check_fails_on_a_broken_answer() -> None:
    """The schemas are not vacuous: a candidate without a score, a manifest without 0.2."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"q0": {"result": [{"id": "x", "name": "x", "match": True}]}},
                            BATCH_RESPONSE)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"versions": ["0.1"], "name": "x", "identifierSpace": "http://a/",
                             "schemaSpace": "http://b/"}, MANIFEST)


def test_cors_preflight(service: ReconcileServer) -> None:
    request = urllib.request.Request(service.url + "/", method="OPTIONS", headers={
        "Origin": "http://127.0.0.1:3333", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 204
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in answer.headers["Access-Control-Allow-Methods"]
        assert "content-type" in answer.headers["Access-Control-Allow-Headers"].lower()


def test_batch_post_types_and_properties(service: ReconcileServer) -> None:
    doc = batch(service, {
        "q0": {"query": "Dubcek", "type": "Person", "limit": 3},
        "q1": {"query": "Pražské jaro"},
        "q2": {"query": "invasion of Czechoslovakia", "type": "Event",
               "properties": [{"pid": "date", "v": "1968-08-21"},
                              {"pid": "country", "v": "Czechoslovak Socialist Republic"}]},
        "q3": {"query": "Bratislava", "properties": [{"pid": "country", "v": "Q853348"}]},
        "q4": {"query": "Prague", "type": "Person"},
    })
    assert doc["q0"]["result"][0]["id"] == "person/alexander-dubcek"
    assert len(doc["q0"]["result"]) <= 3
    assert all(t["id"] == "Person" for r in doc["q0"]["result"] for t in r["type"][:1])
    top = doc["q1"]["result"][0]
    assert (top["id"], top["score"], top["match"]) == ("event/prague-spring", 100, True)
    assert doc["q2"]["result"][0]["id"] == "event/warsaw-pact-invasion"
    assert doc["q3"]["result"][0]["id"] == "place/bratislava"
    assert all(r["id"].startswith("person/") for r in doc["q4"]["result"])


def test_a_contradicted_condition_lowers_the_score(service: ReconcileServer) -> None:
    doc = batch(service, {
        "right": {"query": "Warsaw Pact invasion of Czechoslovakia",
                  "properties": [{"pid": "date", "v": "1968"}]},
        "wrong": {"query": "Warsaw Pact invasion of Czechoslovakia",
                  "properties": [{"pid": "date", "v": "1975"}]},
    })
    right, wrong = doc["right"]["result"][0], doc["wrong"]["result"][0]
    assert right["id"] == wrong["id"] == "event/warsaw-pact-invasion"
    assert right["match"] and not wrong["match"]
    assert wrong["score"] < right["score"]


def test_every_exact_name_in_any_language_returns_its_entity_first(
        service: ReconcileServer, built: Build) -> None:
    known = entities(built)
    owners = Counter(folded(n) for e in known.values() for n in {t for _, t in e.names})
    queries, expected = {}, {}
    for e in known.values():
        for lang, name in e.names:
            key = f"q{len(queries)}"
            queries[key] = {"query": name, "limit": 10}
            expected[key] = (e.short_id, owners[folded(name)] == 1, lang)
    answers = {}
    for start in range(0, len(queries), 50):  # OpenRefine's batches
        answers.update(batch(service, dict(list(queries.items())[start:start + 50])))
    assert len(answers) > 400
    for key, (entity_id, unique, lang) in expected.items():
        result = answers[key]["result"]
        best = [r["id"] for r in result if r["score"] == result[0]["score"]]
        assert result[0]["score"] == 100, (queries[key], lang)
        if unique:
            assert result[0]["id"] == entity_id and result[0]["match"], (queries[key], lang)
        else:
            assert entity_id in best, queries[key]


def test_our_iris_and_linked_qids_return_their_entity(service: ReconcileServer) -> None:
    doc = batch(service, {
        "iri": {"query": IDS + "person/alexander-dubcek"},
        "id": {"query": "state/soviet-union"},
        "qid": {"query": "Q1085"},
        "wd": {"query": "http://www.wikidata.org/entity/Q162401"},
        "unlinked": {"query": "Q42"},
    })
    for key, entity_id in (("iri", "person/alexander-dubcek"), ("id", "state/soviet-union"),
                           ("qid", "place/prague"), ("wd", "event/prague-spring")):
        top = doc[key]["result"][0]
        assert (top["id"], top["score"], top["match"]) == (entity_id, 100, True)
    assert all(r["score"] < 100 for r in doc["unlinked"]["result"])


def test_get_batch_and_jsonp(service: ReconcileServer) -> None:
    queries = json.dumps({"q0": {"query": "Prague", "type": "Place"}})
    status, headers, body = get(service.url + "/?" + urllib.parse.urlencode(
        {"queries": queries}))
    assert status == 200
    doc = json.loads(body)
    jsonschema.validate(doc, BATCH_RESPONSE)
    assert doc["q0"]["result"][0]["id"] == "place/prague"
    status, headers, body = get(service.url + "/?" + urllib.parse.urlencode(
        {"queries": queries, "callback": "jsonp123"}))
    assert headers["Content-Type"].startswith("application/javascript")
    text = body.decode()
    assert text.startswith("jsonp123(") and text.endswith(");")
    assert json.loads(text[len("jsonp123("):-2]) == doc


def test_malformed_queries_get_a_400_with_a_message(service: ReconcileServer) -> None:
    status, headers, doc = post_form(service.url + "/", {"queries": "{not json"})
    assert status == 400 and "'queries' is not valid JSON" in doc["error"]
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, _, doc = post_form(service.url + "/", {"queries": json.dumps(
        {"q0": {"query": "Prague", "limit": "three"}})})
    assert status == 400 and "'limit' must be a positive integer" in doc["error"]


def test_preview_links_to_the_entity_iri(service: ReconcileServer) -> None:
    status, headers, body = get(service.url + "/preview?id=person/alexander-dubcek")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Access-Control-Allow-Origin"] == "*"
    page = body.decode()
    assert f'href="{IDS}person/alexander-dubcek"' in page
    assert "Alexander Dubček" in page and "Q150543" in page
    assert get(service.url + "/preview?id=person/nobody")[0] == 404


def test_suggest_entity_type_property(service: ReconcileServer) -> None:
    for path, prefix, expected in (("entity", "dubc", "person/alexander-dubcek"),
                                   ("entity", "Praž", "event/prague-spring"),
                                   ("type", "pers", "Person"),
                                   ("property", "coun", "country")):
        status, headers, body = get(f"{service.url}/suggest/{path}?"
                                    + urllib.parse.urlencode({"prefix": prefix}))
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
        doc = json.loads(body)
        jsonschema.validate(doc, SUGGEST_RESPONSE)
        assert expected in [r["id"] for r in doc["result"]], (path, prefix)


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["--data", str(DATA), "reconcile", "--port",
                                           str(port)])
    assert result.exit_code == EXIT_INPUT
    assert f"127.0.0.1:{port} is in use" in result.stderr
    assert "Traceback" not in result.output


def test_the_command_serves_until_stopped() -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "coldwar_lod", "--data", str(DATA),
                                "reconcile", "--port", str(port)], stderr=subprocess.PIPE,
                               env={**os.environ})
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                status, _, body = get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        assert status == 200 and json.loads(body)["versions"] == ["0.1", "0.2"]
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert f"reconciliation service at http://127.0.0.1:{port}/" in err.decode()
