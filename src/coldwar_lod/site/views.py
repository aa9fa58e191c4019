"""What each page shows, taken from the records: claims, their sources and locators, labels.

The pages show the dataset's own words only: labels, descriptions, the editors' notes and
paraphrases, and for every claim its locators (source title, character range, page, URL),
never the text of a source. No HTML here: :mod:`coldwar_lod.site.pages` renders these.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import model
from ..namespaces import RDFS, SKOS, IriSpace
from ..records import Records, Row, parse_labels, parse_locators
from ..resources import ontology_file
from .words import date_in_words, number_in_words

_RANK_ORDER = {"preferred": 0, "normal": 1, "deprecated": 2}
_LANGUAGE_NAMES = {
    "en": "English", "cs": "Czech", "sk": "Slovak", "ru": "Russian", "ro": "Romanian",
    "pl": "Polish", "hu": "Hungarian", "de": "German", "bg": "Bulgarian", "sq": "Albanian",
    "uk": "Ukrainian", "sr": "Serbian", "sh": "Serbo-Croatian", "hr": "Croatian",
    "sl": "Slovene", "mk": "Macedonian", "fr": "French", "it": "Italian", "es": "Spanish",
    "zh": "Chinese", "ko": "Korean", "vi": "Vietnamese", "da": "Danish", "la": "Latin",
}


def language_name(tag: str) -> str:
    return _LANGUAGE_NAMES.get(tag, tag)


@dataclass(frozen=True, slots=True)
class Link:
    """A link to a page: its path in the site (``id/event/x.html``) and its text."""

    path: str
    text: str


@dataclass(slots=True)
class LocatorView:
    source: Link
    start: int
    end: int
    url: str | None
    pages: str | None


@dataclass(slots=True)
class ClaimView:
    """One claim as a page shows it."""

    slug: str
    link: Link
    subject: Link
    property_label: str
    property_term: str
    value: str
    value_link: Link | None
    rank: str
    role: str | None = None
    when: str | None = None
    replaces: Link | None = None
    according_to: Link | None = None
    note: str | None = None
    locators: list[LocatorView] = field(default_factory=list)
    disagreements: list[Link] = field(default_factory=list)


@dataclass(slots=True)
class DisagreementView:
    slug: str
    link: Link
    label: str
    reason: str
    claims: list[ClaimView]


class Vocabulary:
    """Labels and definitions of the ontology's terms (English), from the ontology file."""

    def __init__(self, space: IriSpace) -> None:
        self.labels: dict[str, str] = {}
        self.definitions: dict[str, str] = {}
        text = space.rebase_text(ontology_file().read_text(encoding="utf-8"))
        for q in ox.parse(text.encode(), ox.RdfFormat.TURTLE):
            o = q.object
            if not isinstance(o, ox.Literal) or o.language not in ("en", None):
                continue
            if q.predicate.value == RDFS.label.value and o.language == "en":
                self.labels[q.subject.value] = o.value
            elif q.predicate.value in (SKOS.definition.value, RDFS.comment.value):
                self.definitions.setdefault(q.subject.value, o.value)
        self.ontology = space.ontology

    def label(self, local: str) -> str:
        return self.labels.get(self.ontology + local, local)


def entity_path(kind: str, slug: str) -> str:
    """The site path (without suffix) of an entity, claim or disagreement."""
    return f"id/{kind}/{slug}"


def relative(target: str, page: str) -> str:
    """A link from one page of the site to another path (both relative to the root).

    >>> relative("id/person/x.html", "id/event/y.html"), relative("index.html", "id/a/b.html")
    ('../person/x.html', '../../index.html')
    """
    if target.endswith("/"):
        return posixpath.relpath(target, posixpath.dirname(page) or ".") + "/"
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


class Views:
    """The records seen as pages: every entity's, claim's and disagreement's view."""

    def __init__(self, records: Records, space: IriSpace) -> None:
        self.records = records
        self.space = space
        self.vocabulary = Vocabulary(space)
        self.claims_of: dict[str, list[Row]] = defaultdict(list)
        self.claims_to: dict[str, list[Row]] = defaultdict(list)
        self.claims_in: dict[str, list[Row]] = defaultdict(list)
        self.disagreements_of: dict[str, list[str]] = defaultdict(list)
        self.positions_of: dict[str, list[str]] = defaultdict(list)
        for entity in records.entities.values():
            if entity.kind == "positions":
                self.positions_of[entity.get("organisation")].append(entity.slug)
        for row in records.claims.values():
            self.claims_of[row.get("subject")].append(row)
            prop = model.CLAIM_PROPERTIES[row.get("property")]
            if prop.object_kind == "entity":
                self.claims_to[row.get("object")].append(row)
            for source in dict.fromkeys(loc.source for loc in
                                        parse_locators(row.get("locators"))):
                self.claims_in[source].append(row)
        for row in records.disagreements.values():
            for claim in row.get("claims").split():
                self.disagreements_of[claim].append(row.slug)

    def kind(self, slug: str) -> str:
        return model.ENTITY_KINDS[self.records.entities[slug].kind]

    def link(self, slug: str) -> Link:
        row = self.records.entities[slug]
        return Link(entity_path(model.ENTITY_KINDS[row.kind], slug) + ".html",
                    row.get("label_en"))

    def type_label(self, row: Row) -> str:
        return self.vocabulary.label(model.TYPES[row.kind][row.get("type")])

    def claim(self, row: Row) -> ClaimView:
        prop = model.CLAIM_PROPERTIES[row.get("property")]
        obj = row.get("object")
        value_link = None
        if prop.object_kind == "entity":
            value_link = self.link(obj)
            value = value_link.text
        elif prop.object_kind == "date":
            value = date_in_words(obj)
        elif prop.object_kind == "integer":
            value = number_in_words(int(obj), model.BOUNDS.get(row.get("bound"), None))
        else:
            value = obj
        view = ClaimView(
            slug=row.slug, link=Link(entity_path("claim", row.slug) + ".html", row.slug),
            subject=self.link(row.get("subject")),
            property_label=self.vocabulary.label(prop.term), property_term=prop.term,
            value=value, value_link=value_link, rank=row.get("rank") or "normal",
            role=self.vocabulary.label(model.ROLES[row.get("role")]) if row.get("role")
            else None,
            when=date_in_words(row.get("when")) if row.get("when") else None,
            replaces=self.link(row.get("replaces")) if row.get("replaces") else None,
            according_to=self.link(row.get("according_to")) if row.get("according_to")
            else None,
            note=row.get("note") or None,
        )
        pages = row.get("pages") or None
        for loc in parse_locators(row.get("locators")):
            source = self.records.entities[loc.source]
            view.locators.append(LocatorView(self.link(loc.source), loc.start, loc.end,
                                             source.get("url") or None, pages))
        for slug in self.disagreements_of.get(row.slug, ()):
            view.disagreements.append(Link(entity_path("disagreement", slug) + ".html",
                                           self.records.disagreements[slug].get("label_en")))
        return view

    def claims_by_property(self, rows: Iterable[Row]) -> list[tuple[str, list[ClaimView]]]:
        """Claims grouped by property (in the order of the model), best rank first."""
        order = {name: i for i, name in enumerate(model.CLAIM_PROPERTIES)}
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            groups[row.get("property")].append(row)
        out = []
        for name in sorted(groups, key=order.__getitem__):
            members = sorted(groups[name], key=lambda r: (_RANK_ORDER[r.get("rank") or "normal"],
                                                          r.slug))
            views = [self.claim(r) for r in members]
            out.append((views[0].property_label, views))
        return out

    def disagreement(self, slug: str) -> DisagreementView:
        row = self.records.disagreements[slug]
        claims = [self.claim(self.records.claims[c]) for c in row.get("claims").split()]
        claims.sort(key=lambda c: (_RANK_ORDER[c.rank], c.slug))
        return DisagreementView(slug, Link(entity_path("disagreement", slug) + ".html",
                                           row.get("label_en")),
                                row.get("label_en"), row.get("note"), claims)

    def labels(self, row: Row) -> list[tuple[str, str, str]]:
        """Every label: (language name, tag, text), English first, then alternative names."""
        out = [(language_name("en"), "en", row.get("label_en"))]
        if row.get("labels"):
            out += [(language_name(lang), lang, text)
                    for lang, text in parse_labels(row.get("labels"))]
        return out

    def alt_labels(self, row: Row) -> list[tuple[str, str, str]]:
        if not row.get("alt_labels"):
            return []
        return [(language_name(lang), lang, text)
                for lang, text in parse_labels(row.get("alt_labels"))]

    def referrers(self, slug: str) -> list[tuple[Link, str, Link]]:
        """What refers to an entity: (subject, property label, claim) for every claim whose
        object it is, and the positions of an organisation and the works of an author."""
        out = []
        for row in self.claims_to.get(slug, ()):
            prop = model.CLAIM_PROPERTIES[row.get("property")]
            out.append((self.link(row.get("subject")), self.vocabulary.label(prop.term),
                        Link(entity_path("claim", row.slug) + ".html", row.slug)))
        for position in self.positions_of.get(slug, ()):
            out.append((self.link(position), self.vocabulary.label("positionIn"),
                        self.link(position)))
        out.sort(key=lambda item: (item[0].text, item[1], item[2].path))
        return out
