"""A real browser (Debian's Chromium, headless, no download) opens the home page, an entity
page and the timeline from ``coldwar-lod serve``: no console errors, one timeline mark per
dated event, no sideways scrolling on a phone; screenshots are kept in tests/artefacts/."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from .test_site_support import ARTEFACTS, Chromium, built_site, serving

PAGES = {"home": "", "entity": "id/event/warsaw-pact-invasion",
         "timeline": "timeline.html"}


@pytest.fixture(scope="module")
def browser() -> Iterator[tuple[Chromium, str]]:
    site = built_site()
    with serving(site.folder) as root, tempfile.TemporaryDirectory(
            prefix="chromium-profile-") as profile:
        chromium = Chromium(Path(profile))
        try:
            chromium.open()
            yield chromium, root
        finally:
            chromium.close()


def dated_events(site: Path) -> int:
    """Events with a plain time-span in the dump (from their best-ranked date claims)."""
    store = ox.Store()
    store.bulk_load(path=site / "dist/coldwar-lod.nt", format=ox.RdfFormat.N_TRIPLES)
    rows = list(store.query(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e <https://w3id.org/coldwar-lod/ontology"
        "#timeSpan> ?t FILTER STRSTARTS(STR(?e), 'https://w3id.org/coldwar-lod/id/event/') }"))
    return int(rows[0]["n"].value)  # type: ignore[index]


@pytest.mark.site
@pytest.mark.parametrize("name", list(PAGES))
def test_page_opens_without_errors(browser: tuple[Chromium, str], name: str) -> None:
    chromium, root = browser
    errors = chromium.visit(root + PAGES[name])
    assert errors == []
    assert chromium.evaluate("document.querySelector('h1').textContent")
    assert chromium.evaluate("document.styleSheets.length") == 1
    assert chromium.evaluate("getComputedStyle(document.body).marginTop") == "0px"  # CSS on
    chromium.screenshot(ARTEFACTS / f"site-{name}.png")
    assert (ARTEFACTS / f"site-{name}.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.site
def test_timeline_has_one_mark_per_dated_event(browser: tuple[Chromium, str]) -> None:
    chromium, root = browser
    assert chromium.visit(root + "timeline.html") == []
    expected = dated_events(built_site().folder)
    assert expected > 30
    assert chromium.evaluate("document.querySelectorAll('li.mark').length") == expected
    slugs = chromium.evaluate(
        "Array.from(document.querySelectorAll('li.mark')).map(m => m.dataset.event)")
    assert len(set(slugs)) == expected
    # certain and possible spans are drawn differently
    certain = chromium.evaluate("getComputedStyle(document.querySelector('rect.certain')).fill")
    possible = chromium.evaluate(
        "getComputedStyle(document.querySelector('rect.possible')).fill")
    assert certain != possible
    assert chromium.evaluate("document.querySelectorAll('li.mark.uncertain').length") > 0


@pytest.mark.site
@pytest.mark.parametrize("name", list(PAGES))
def test_reads_on_a_phone(browser: tuple[Chromium, str], name: str) -> None:
    chromium, root = browser
    chromium.send("Emulation.setDeviceMetricsOverride",
                  {"width": 375, "height": 800, "deviceScaleFactor": 2, "mobile": True})
    try:
        assert chromium.visit(root + PAGES[name]) == []
        overflow = chromium.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
        if name == "entity":
            chromium.screenshot(ARTEFACTS / "site-entity-phone.png", width=375)
    finally:
        chromium.send("Emulation.clearDeviceMetricsOverride")
