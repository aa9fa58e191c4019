"""The pages that tie the site together: home, timeline, queries, the dataset, 404, sitemap."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyoxigraph as ox

from .. import model
from ..dates import parse_edtf
from .pages import KIND_TITLES, Pages
from .views import relative
from .words import date_in_words

_RANK_ORDER = {"preferred": 0, "normal": 1, "deprecated": 2}
#: Rows of a query's result shown on its page (all of them are in its CSV file).
MAX_ROWS = 500


@dataclass(slots=True)
class Mark:
    """One dated event on the timeline."""

    slug: str
    href: str
    label: str
    words: str
    start: datetime
    possible: tuple[float, float]
    certain: tuple[float, float] | None
    scale: str


def dated_events(pages: Pages) -> dict[str, list[str]]:
    """Every event with a date: slug -> the EDTF of its best-ranked date claims (the claims
    its plain ``cwo:timeSpan`` triples come from), in file order."""
    best: dict[str, tuple[int, list[str]]] = {}
    records = pages.views.records
    for row in records.claims.values():
        if row.get("property") != "date" or records.entities[row.get("subject")].kind != "events":
            continue
        rank = _RANK_ORDER[row.get("rank") or "normal"]
        if rank == _RANK_ORDER["deprecated"]:
            continue
        current = best.get(row.get("subject"))
        if current is None or rank < current[0]:
            best[row.get("subject")] = (rank, [row.get("object")])
        elif rank == current[0]:
            current[1].append(row.get("object"))
    return {slug: dates for slug, (_, dates) in best.items()}


def _mark(pages: Pages, slug: str, dates: list[str]) -> Mark:
    bounds = [parse_edtf(d) for d in dates]
    starts = [b.earliest_begin or b.latest_begin or b.earliest_end for b in bounds]
    ends = [b.latest_end or b.earliest_end or b.latest_begin for b in bounds]
    start = min(s for s in starts if s is not None)
    end = max(e for e in ends if e is not None)
    window_start = datetime(start.year, 1, 1)
    window_end = datetime(end.year, 12, 31, 23, 59, 59)
    width = (window_end - window_start).total_seconds()

    def x(at: datetime) -> float:
        return round(1000 * (at - window_start).total_seconds() / width, 1)

    def span(a: datetime, b: datetime) -> tuple[float, float]:
        return x(a), max(round(x(b) - x(a), 1), 2.0)

    certain = None
    latest_begin = max((b.latest_begin for b in bounds if b.latest_begin), default=None)
    earliest_end = min((b.earliest_end for b in bounds if b.earliest_end), default=None)
    exact = all(b.precision in ("day", "minute") for b in bounds)
    if latest_begin and earliest_end and (latest_begin <= earliest_end or exact):
        certain = span(min(latest_begin, earliest_end), max(latest_begin, earliest_end))
    if exact and len({b.edtf for b in bounds}) == 1:
        certain = span(start, end)
    link = pages.views.link(slug)
    scale = str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    return Mark(slug, relative(link.path, "timeline.html"), link.text,
                " or ".join(date_in_words(d) for d in dates), start, span(start, end),
                certain, scale)


def timeline(pages: Pages) -> tuple[str, bytes]:
    """``timeline.html``: one mark per dated event, certain and possible spans drawn apart."""
    marks = sorted((_mark(pages, slug, dates) for slug, dates in dated_events(pages).items()),
                   key=lambda m: (m.start, m.label, m.slug))
    years: dict[int, list[Mark]] = defaultdict(list)
    for m in marks:
        years[m.start.year].append(m)
    html = pages.render("timeline.html", "timeline.html", title="Timeline", marks=marks,
                        years=sorted(years.items()))
    return "timeline.html", html


def home(pages: Pages, figures: dict[str, int], downloads: list[tuple[str, int, str]],
         version: str) -> tuple[str, bytes]:
    records = pages.views.records
    rows: list[tuple[str, int, str | None]] = []
    for kind, title in KIND_TITLES.items():
        count = (len(records.claims) if kind == "claim" else len(records.disagreements)
                 if kind == "disagreement" else
                 sum(1 for r in records.entities.values() if model.ENTITY_KINDS[r.kind] == kind))
        rows.append((title, count, f"id/{kind}/index.html"))
    rows.append(("Triples", figures["triples"], None))
    rows.append(("Wikidata links", figures["links"], None))
    kinds = [(f"id/{kind}/index.html", f"All {title.lower()}") for kind, title in
             KIND_TITLES.items()]
    html = pages.render("home.html", "index.html", title="Home", rows=rows, kinds=kinds,
                        figures={"sources": figures["sources"]}, downloads=downloads,
                        version=version, base=pages.space.base, iri=pages.space.base)
    return "index.html", html


def queries(pages: Pages, results: list[tuple[Any, Any]]) -> list[tuple[str, bytes]]:
    """``queries/index.html`` and, per shipped query, its page and its CSV result."""
    out = []
    items = []
    base = pages.space.base
    for query, result in results:
        page = f"queries/{query.name}.html"
        items.append((f"{query.name}.html", query.name, query.summary))
        rows = [[_cell(term, base, page) for term in row] for row in result.rows[:MAX_ROWS]]
        html = pages.render("query.html", page, title=f"Query: {query.name}", q=query,
                            variables=result.variables, rows=rows, total=len(result.rows))
        out.append((page, html))
        out.append((f"queries/{query.name}.csv", result.to_csv().encode()))
    html = pages.render("list.html", "queries/index.html", title="Shipped queries",
                        items=items, intro="The questions shipped with the dataset "
                        "(coldwar-lod query NAME runs each), with their answers on this "
                        "version of the data.")
    out.append(("queries/index.html", html))
    return out


def _cell(term: Any, base: str, page: str) -> dict[str, str | None]:
    if term is None:
        return {"text": "", "href": None}
    if isinstance(term, ox.NamedNode):
        value = term.value
        if value.startswith(base + "id/"):
            path = value[len(base):].split("#", 1)[0]
            return {"text": value[len(base) + 3:], "href": relative(path + ".html", page)}
        if value.startswith(base + "ontology#"):
            return {"text": "cwo:" + value.split("#", 1)[1],
                    "href": relative("ontology.html", page) + "#" + value.split("#", 1)[1]}
        return {"text": value, "href": None}
    if isinstance(term, ox.Literal):
        return {"text": term.value, "href": None}
    return {"text": str(term), "href": None}


def simple_page(pages: Pages, page: str, title: str, body: str, iri: str | None = None,
                document: str | None = None) -> tuple[str, bytes]:
    """A page of a few paragraphs (``body`` is trusted HTML written here, not data)."""
    from markupsafe import Markup

    alts = []
    if document is not None:
        from .pages import alternates
        alts = alternates(document, page)
    return page, pages.render("text.html", page, title=title, body=Markup(body), iri=iri,
                              alternates=alts)


def sitemap(base: str, pages: list[str]) -> bytes:
    """``sitemap.xml``: every HTML page (sitemaps.org protocol)."""
    buffer = io.StringIO()
    buffer.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
    from xml.sax.saxutils import escape
    for page in sorted(pages):
        url = base + (page[:-len("index.html")] if page.endswith("index.html") else page)
        buffer.write(f"<url><loc>{escape(url)}</loc></url>\n")
    buffer.write("</urlset>\n")
    return buffer.getvalue().encode()

