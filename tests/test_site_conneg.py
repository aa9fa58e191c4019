"""The content negotiation matrix of issue 13, run alike against the three ways the site
negotiates: ``coldwar-lod serve``, a real Apache with the generated configuration
(mod_negotiation), and the generated w3id.org ``.htaccess`` (mod_rewrite) in front of a
static host. All three are generated from one route table (``coldwar_lod.site.routes``).
"""

from __future__ import annotations

import http.client
import urllib.parse
from collections.abc import Iterator

import pytest

from coldwar_lod.site.negotiation import choose, parse_accept
from coldwar_lod.site.routes import VARIANTS, match

from .test_site_support import apache, built_site, serving

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

#: Accept header (None: no header) -> the suffix of the document the thing must redirect to
#: (None: 406 Not Acceptable).
MATRIX: list[tuple[str | None, str | None]] = [
    (BROWSER, ".html"),
    ("*/*", ".html"),
    (None, ".html"),
    ("text/turtle", ".ttl"),
    ("application/ld+json", ".jsonld"),
    ("application/rdf+xml;q=0.9,text/turtle", ".ttl"),
    ("text/turtle;q=0.5,application/ld+json", ".jsonld"),
    ("application/json", ".jsonld"),
    ("application/n-triples", ".nt"),
    ("application/rdf+xml", ".rdf"),
    ("image/png", None),
]
#: A thing of each route: path -> where its documents are (without suffix).
THINGS = {
    "id/event/prague-spring": "id/event/prague-spring",
    "id/claim/prague-spring-place": "id/claim/prague-spring-place",
    "ontology": "ontology",
    "graph/data": "dist/coldwar-lod",
    ".well-known/void": "id/dataset/coldwar-lod",
}
MEDIA = {".html": "text/html", ".ttl": "text/turtle", ".jsonld": "application/ld+json",
         ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}


def request(url: str, method: str = "GET", accept: str | None = None
            ) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, parts.path, headers={"Accept": accept} if accept is not None
                     else {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


@pytest.fixture(scope="module", params=["serve", "apache", "w3id"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, str]]:
    """(name, URL of the base, URL of the site the documents are at)."""
    site = built_site()
    if request.param == "serve":
        with serving(site.folder) as root:
            yield "serve", root, root
    else:
        with apache(site) as (root, w3id):
            yield (request.param, w3id, root) if request.param == "w3id" else (
                "apache", root, root)


@pytest.mark.site
@pytest.mark.parametrize(("accept", "suffix"), MATRIX)
@pytest.mark.parametrize("thing", list(THINGS))
def test_matrix(server: tuple[str, str, str], thing: str, accept: str | None,
                suffix: str | None) -> None:
    name, base, documents = server
    status, headers, body = request(base + thing, accept=accept)
    assert "accept" in headers.get("vary", "").lower(), (name, headers)
    if suffix is None:
        assert status == 406, (name, status)
        for media in MEDIA.values():
            assert media.encode() in body, (name, media)
        assert b".asis" not in body, name  # no link to what is not a document
        return
    assert status == 303, (name, thing, accept, status)
    location = urllib.parse.urljoin(base + thing, headers["location"])
    assert location == documents + THINGS[thing] + suffix, (name, location)
    status, headers, body = request(location)
    assert status == 200, (name, location, status)
    assert headers["content-type"].split(";")[0] == MEDIA[suffix]
    assert body


@pytest.mark.site
@pytest.mark.parametrize("thing", list(THINGS))
def test_head(server: tuple[str, str, str], thing: str) -> None:
    _, base, _ = server
    get = request(base + thing, accept="text/turtle")
    head = request(base + thing, method="HEAD", accept="text/turtle")
    assert head[0] == get[0] == 303
    assert head[1]["location"] == get[1]["location"]
    assert head[2] == b""


@pytest.mark.site
def test_documents_and_404(server: tuple[str, str, str]) -> None:
    name, base, documents = server
    if name == "w3id":  # passes every other path through to the host
        status, headers, _ = request(base + "timeline.html")
        assert status == 302 and headers["location"] == documents + "timeline.html"
        return
    for path, media in (("id/event/prague-spring.ttl", "text/turtle"),
                        ("id/event/prague-spring.jsonld", "application/ld+json"),
                        ("index.html", "text/html"), ("sitemap.xml", "application/xml"),
                        ("style.css", "text/css"), ("context.jsonld", "application/ld+json")):
        status, headers, body = request(base + path)
        assert status == 200 and headers["content-type"].split(";")[0] == media, (name, path)
    for missing in ("id/event/no-such-event", "nothing-here.html", "id/event/x.ttl"):
        status, _, body = request(base + missing, accept="text/turtle")
        assert status == 404, (name, missing)
        assert b"Not found" in body
    status, headers, _ = request(base + "id/event")
    assert status == 301 and headers["location"].endswith("/id/event/")


def test_negotiation_follows_apache() -> None:
    """Apache's reading of a header without any q (old browsers): wildcards count less."""
    assert choose("text/turtle, */*") is VARIANTS[1]
    assert choose("text/turtle;q=0.5, */*") is VARIANTS[0]
    assert choose("text/*;q=0.3, text/turtle;q=0.2") is VARIANTS[0]
    assert choose("application/ld+json;q=0") is None
    assert choose("") is VARIANTS[0]
    assert [r.q for r in parse_accept("a/b;q=x, c/d;q=2")] == [0.0, 1.0]


def test_routes() -> None:
    assert match("id/event/prague-spring") is not None
    assert match("id/nokind/x") is None
    assert match("id/event/Bad_Slug") is None
    assert match("id/event/prague-spring.html") is None
