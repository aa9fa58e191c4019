"""The HTML pages of entities, claims, disagreements and the index of each kind.

Rendered with Jinja2 (autoescaping on, so no label or note can inject markup; the schema.org
block is written with ``tojson``, which escapes ``<``, ``>`` and ``&``, so that no label can
close the script).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
import markupsafe

from .. import model
from ..namespaces import IriSpace
from ..records import Row
from .routes import VARIANTS
from .views import ClaimView, Link, Views, entity_path, relative

#: How many claims a source's page lists (the rest are in the dumps; a source of the 1M
#: benchmark set is cited by some 17,000 claims).
MAX_STATED = 300

_SCHEMA_TYPES = {"events": "Event", "persons": "Person", "states": "Country",
                 "organisations": "Organization", "places": "Place", "positions": "Role",
                 "works": "CreativeWork", "sources": "CreativeWork"}

#: Index pages: kind segment -> (title, introduction).
KIND_TITLES: dict[str, str] = {
    "event": "Events", "person": "People", "state": "States", "organisation": "Organisations",
    "place": "Places", "position": "Positions", "work": "Works", "source": "Sources",
    "claim": "Claims", "disagreement": "Disagreements",
}


@dataclass(frozen=True, slots=True)
class Alternate:
    media_type: str
    href: str
    label: str


def environment() -> jinja2.Environment:
    """The templates of the site (package data), autoescaping everything."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("coldwar_lod.site", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # the templates are package data: no stat() per page
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.globals.update(link=link, rank=rank)
    return env


def link(target: Link, root: str) -> markupsafe.Markup:
    """A link to a page, from a page at ``root`` (a function, not a template macro: pages
    hold thousands of links, and a macro call costs ten times as much)."""
    return markupsafe.Markup(f'<a href="{markupsafe.escape(root + target.path)}">'
                             f"{markupsafe.escape(target.text)}</a>")


def rank(name: str) -> markupsafe.Markup:
    """A claim's rank, as a label styled by its name."""
    name = markupsafe.escape(name)
    return markupsafe.Markup(f'<span class="rank rank-{name}">{name}</span>')


def alternates(document: str, page: str) -> list[Alternate]:
    """The RDF documents of a thing, as links from its page."""
    name = document.rsplit("/", 1)[-1]
    del page
    return [Alternate(v.media_type, name + v.suffix, v.label) for v in VARIANTS[1:5]]


class Pages:
    """Renders the pages of one build."""

    def __init__(self, views: Views, space: IriSpace, env: jinja2.Environment | None = None
                 ) -> None:
        self.views = views
        self.space = space
        self.env = env or environment()

    def render(self, template: str, page: str, **values: Any) -> bytes:
        """A page at ``page`` (its path in the site), with ``root`` set for relative links."""
        depth = page.count("/")
        values.setdefault("alternates", [])
        values.setdefault("schema", None)
        values.setdefault("iri", None)
        html = self.env.get_template(template).render(root="../" * depth, **values)
        return html.encode()

    def entity(self, row: Row) -> tuple[str, bytes]:
        views = self.views
        kind = model.ENTITY_KINDS[row.kind]
        path = entity_path(kind, row.slug)
        page = path + ".html"
        iri = self.space.base + path
        disagreements = []
        seen: set[str] = set()
        for claim in views.claims_of.get(row.slug, ()):
            for slug in views.disagreements_of.get(claim.slug, ()):
                if slug not in seen:
                    seen.add(slug)
                    disagreements.append(views.disagreement(slug))
        stated: list[ClaimView] = []
        stated_rows = views.claims_in.get(row.slug, []) if row.kind == "sources" else []
        for claim in stated_rows[:MAX_STATED]:
            stated.append(views.claim(claim))
        schema = self.schema(row, iri)
        html = self.render(
            "entity.html", page, title=row.get("label_en"), iri=iri,
            type_label=views.type_label(row), qid=row.get("qid") or None,
            description=row.get("description") or None, labels=views.labels(row),
            alt_labels=views.alt_labels(row), bibliographic=self.bibliographic(row),
            groups=views.claims_by_property(views.claims_of.get(row.slug, ())),
            disagreements=disagreements, stated=stated, stated_total=len(stated_rows),
            referrers=views.referrers(row.slug), alternates=alternates(path, page),
            schema=schema)
        return page, html

    def schema(self, row: Row, iri: str) -> dict[str, Any]:
        """The schema.org description of an entity, for search engines."""
        data: dict[str, Any] = {"@context": "https://schema.org",
                                "@type": _SCHEMA_TYPES.get(row.kind, "Thing"),
                                "@id": iri, "name": row.get("label_en"), "url": iri}
        names = [text for _, _, text in self.views.labels(row)[1:]]
        names += [text for _, _, text in self.views.alt_labels(row)]
        if names:
            data["alternateName"] = names
        if row.get("description"):
            data["description"] = row.get("description")
        if row.get("qid"):
            data["sameAs"] = "http://www.wikidata.org/entity/" + row.get("qid")
        return data

    def bibliographic(self, row: Row) -> list[tuple[str, str, str | None]]:
        if row.kind not in model.WORK_KINDS:
            return []
        out: list[tuple[str, str, str | None]] = []
        for column, label in (("author", "author"), ("publisher", "publisher"),
                              ("journal", "journal"), ("volume", "volume"), ("issue", "issue"),
                              ("pages", "pages"), ("issued", "issued"), ("year", "year"),
                              ("modified", "modified"), ("language", "language"),
                              ("doi", "DOI"), ("jstor", "JSTOR")):
            if row.get(column):
                out.append((label, row.get(column), None))
        for author in row.get("authors").split():
            link = self.views.link(author)
            out.append(("author", link.text, relative(link.path, entity_path("work", "x"))))
        if row.get("url"):
            out.append(("URL", row.get("url"), row.get("url")))
        if row.kind == "sources":
            out.append(("text length", f"{int(row.get('length')):,} characters", None))
            out.append(("SHA-256 of the text", row.get("sha256"), None))
        return out

    def claim(self, row: Row) -> tuple[str, bytes]:
        path = entity_path("claim", row.slug)
        page = path + ".html"
        view = self.views.claim(row)
        disagreements = [self.views.disagreement(d)
                         for d in self.views.disagreements_of.get(row.slug, ())]
        html = self.render("claim.html", page, title=f"Claim {row.slug}", c=view,
                           disagreements=disagreements, iri=self.space.base + path,
                           alternates=alternates(path, page))
        return page, html

    def disagreement(self, slug: str) -> tuple[str, bytes]:
        path = entity_path("disagreement", slug)
        page = path + ".html"
        view = self.views.disagreement(slug)
        html = self.render("disagreement.html", page, title=view.label, d=view,
                           iri=self.space.base + path, alternates=alternates(path, page))
        return page, html

    def index(self, kind: str, items: list[tuple[Link, str]]) -> tuple[str, bytes]:
        """The index of one kind: ``id/<kind>/index.html``."""
        page = f"id/{kind}/index.html"
        rows = [(relative(link.path, page), link.text, note) for link, note in items]
        html = self.render("list.html", page, title=KIND_TITLES.get(kind, kind), items=rows,
                           intro=None)
        return page, html

    def kind_indexes(self) -> list[tuple[str, bytes]]:
        """The index page of every kind of resource."""
        views, records = self.views, self.views.records
        by_kind: dict[str, list[tuple[Link, str]]] = {kind: [] for kind in KIND_TITLES}
        for row in records.entities.values():
            kind = model.ENTITY_KINDS[row.kind]
            by_kind[kind].append((views.link(row.slug), views.type_label(row)))
        for row in records.claims.values():
            label = views.vocabulary.label(model.CLAIM_PROPERTIES[row.get("property")].term)
            by_kind["claim"].append((Link(entity_path("claim", row.slug) + ".html", row.slug),
                                     f"{views.link(row.get('subject')).text}: {label}"))
        for row in records.disagreements.values():
            by_kind["disagreement"].append(
                (Link(entity_path("disagreement", row.slug) + ".html", row.get("label_en")),
                 f"{len(row.get('claims').split())} competing claims"))
        out = []
        for kind, items in by_kind.items():
            items.sort(key=lambda item: (item[0].text.casefold(), item[0].path))
            out.append(self.index(kind, items))
        return out
