"""What the records say about each entity, for matching it by name: its labels and aliases in
every language, its kind, its dates and its places; and how two names are compared.

Used by the reconciliation service (people's names against ours) and by ``wikidata suggest``
and ``accept`` (our names against Wikidata's). No I/O.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from .. import model
from ..dates import DateError, TimeBounds, parse_edtf
from ..records import parse_labels

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normal(text: str) -> str:
    """A name as compared: NFC, case-folded, punctuation dropped, spaces collapsed.

    >>> normal("  Dubček,  Alexander ")
    'dubček alexander'
    """
    text = unicodedata.normalize("NFC", text).casefold()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


def folded(text: str) -> str:
    """:func:`normal` without diacritics (``Dubček`` and ``Dubcek`` fold alike).

    >>> folded("Nicolae Ceaușescu") == folded("Nicolae Ceausescu")
    True
    """
    decomposed = unicodedata.normalize("NFKD", normal(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Name:
    """A name made ready for comparing (normalised once, compared many times)."""

    text: str
    normal: str
    folded: str
    words: frozenset[str]
    trigrams: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Name:
        f = folded(text)
        padded = f" {f} "
        return cls(text, normal(text), f, frozenset(f.split()),
                   frozenset(padded[i:i + 3] for i in range(len(padded) - 2)))


def similarity(query: str | Name, name: str | Name) -> float:
    """How well ``name`` answers ``query``, 0..1: exact 1.0, equal without diacritics 0.95,
    else 0.9 times the best of the likeness of their letters (Dice coefficient of character
    trigrams, which forgives a typo), the word overlap, and (times 0.9) the share of the
    query's words found in the name.

    >>> similarity("Prague", "prague"), similarity("Dubcek", "Dubček")
    (1.0, 0.95)
    >>> similarity("Prague Spring", "The Prague Spring"), similarity("Dubcek", "Alexander Dubček")
    (0.81, 0.81)
    >>> similarity("Warsaw Pact invasion of Czechoslovakia", "Czechoslovakia") < 0.5
    True
    """
    q = query if isinstance(query, Name) else Name.of(query)
    n = name if isinstance(name, Name) else Name.of(name)
    if q.normal == n.normal:
        return 1.0
    if q.folded == n.folded:
        return 0.95
    if not q.words or not n.words:
        return 0.0
    shared = len(q.words & n.words)
    letters = 2 * len(q.trigrams & n.trigrams) / (len(q.trigrams) + len(n.trigrams))
    best = max(letters, shared / len(q.words | n.words), 0.9 * shared / len(q.words))
    return round(0.9 * best, 4)


@dataclass(slots=True)
class Entity:
    """One of our entities as matching sees it."""

    slug: str
    kind: str  # data file stem: persons, events, ...
    type: str  # the ``type`` column: person, invasion, city, ...
    label: str  # English label
    names: list[tuple[str, str]]  # (language, text): label_en, labels, alt_labels
    primary: int  # how many of ``names`` are labels (the rest are aliases)
    qid: str
    description: str
    record: str  # file:line
    dates: list[TimeBounds] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # slugs: where it happened / lies
    countries: list[str] = field(default_factory=list)  # slugs of states among those, and up
    related: list[str] = field(default_factory=list)  # slugs it has a claim with, either way
    _keys: list[Name] = field(default_factory=list, repr=False)

    @property
    def keys(self) -> list[Name]:
        """Its names, ready for comparing (distinct, made once)."""
        if not self._keys:
            self._keys.extend(Name.of(t) for t in dict.fromkeys(t for _, t in self.names))
        return self._keys

    @property
    def segment(self) -> str:
        """The IRI path segment of its kind: ``person``, ``event``, ..."""
        return model.ENTITY_KINDS[self.kind]

    @property
    def short_id(self) -> str:
        """``<kind>/<slug>``: its IRI under ``BASE/id/``."""
        return f"{self.segment}/{self.slug}"

    @property
    def ontology_class(self) -> str:
        """The ontology class of its type (local name): ``Person``, ``Invasion``, ..."""
        return model.TYPES[self.kind][self.type]

    @property
    def kind_class(self) -> str:
        """The ontology class of its kind (local name): ``Person``, ``Event``, ..."""
        return KIND_CLASSES[self.kind]


#: The general class of each kind (the reconciliation service's types).
KIND_CLASSES = {"persons": "Person", "states": "State", "organisations": "Organisation",
                "places": "Place", "positions": "Position", "events": "Event",
                "works": "Work"}

_BEST = ("preferred", "normal", "")


def entities(build: Build) -> dict[str, Entity]:
    """Every entity but the sources, by slug, with its names, dates and places.

    Dates come from ``date`` claims (and a work's ``year``), places from ``place`` and
    ``located-in`` claims, related entities from any claim between two entities (either
    way); deprecated claims are left out.

    >>> import coldwar_lod
    >>> found = entities(coldwar_lod.build())
    >>> ("cs", "Pražské jaro") in found["prague-spring"].names
    True
    >>> found["warsaw-pact-invasion"].countries
    ['czechoslovakia']
    """
    out: dict[str, Entity] = {}
    for row in build.records.entities.values():
        if row.kind == "sources":
            continue
        names = [("en", row.get("label_en"))]
        primary = 0
        for column in ("labels", "alt_labels"):
            primary = len(names)
            if row.get(column):
                names += [n for n in parse_labels(row.get(column)) if n not in names]
        out[row.slug] = Entity(row.slug, row.kind, row.get("type"), row.get("label_en"), names,
                               primary, row.get("qid"), row.get("description"), row.where())
        if row.get("year"):
            _add_date(out[row.slug], row.get("year"))
    located: dict[str, list[str]] = defaultdict(list)
    for claim in build.records.claims.values():
        if claim.get("rank") not in _BEST:
            continue
        subject = out.get(claim.get("subject"))
        if subject is None:
            continue
        prop, obj = claim.get("property"), claim.get("object")
        if obj in out:
            for one, other in ((subject, out[obj]), (out[obj], subject)):
                if other.slug not in one.related:
                    one.related.append(other.slug)
        if prop == "date":
            _add_date(subject, obj)
        elif prop in ("place", "located-in") and obj not in subject.places:
            subject.places.append(obj)
            located[subject.slug].append(obj)
    for entity in out.values():
        entity.countries = _countries(entity.slug, located, out)
    return out


def _add_date(entity: Entity, edtf: str) -> None:
    with contextlib.suppress(DateError):  # the build has checked dates; skip what is not one
        entity.dates.append(parse_edtf(edtf))


def _countries(slug: str, located: dict[str, list[str]], known: dict[str, Entity]) -> list[str]:
    """States an entity lies in or happened in, following ``located-in`` three steps up."""
    found: list[str] = []
    frontier, seen = list(located.get(slug, ())), {slug}
    for _step in range(3):
        following: list[str] = []
        for place in frontier:
            if place in seen:
                continue
            seen.add(place)
            if place in known and known[place].kind == "states" and place not in found:
                found.append(place)
            following += located.get(place, ())
        frontier = following
    return found


def bounds(span: TimeBounds) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest instant of a time-span (either may be open)."""
    return span.earliest_begin, span.latest_end


def overlaps(a: TimeBounds, b: TimeBounds) -> bool:
    """Whether two time-spans can share an instant (open bounds overlap everything).

    >>> overlaps(parse_edtf("1968"), parse_edtf("1968-08-21"))
    True
    >>> overlaps(parse_edtf("1969"), parse_edtf("1968-08-21"))
    False
    """
    a_first, a_last = bounds(a)
    b_first, b_last = bounds(b)
    return not ((a_last is not None and b_first is not None and a_last < b_first)
                or (b_last is not None and a_first is not None and b_last < a_first))
