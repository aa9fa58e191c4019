"""Choosing a representation from an ``Accept`` header, as Apache's mod_negotiation does.

The variant with the highest ``q`` wins (the ``q`` of the most specific media range that
matches it, RFC 9110 section 12.5.1); ties go to the server's order of preference (Apache's
source quality ``qs``, :data:`coldwar_lod.site.routes.VARIANTS`). Like Apache, a header with
no ``q`` at all is read as an old browser's: there ``*/*`` counts 0.01 and ``type/*`` 0.02,
so ``text/turtle, */*`` means Turtle. No header means anything. The same choice is made by
``serve`` and by Apache with the type maps :mod:`coldwar_lod.site.apache` writes (a test
runs the same requests against both).

>>> choose("application/rdf+xml;q=0.9,text/turtle").media_type
'text/turtle'
>>> choose("text/turtle;q=0.5,application/ld+json").media_type
'application/ld+json'
>>> choose("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").media_type
'text/html'
>>> choose("image/png") is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .routes import VARIANTS, Variant


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    q: float
    explicit_q: bool

    def matches(self, media_type: str) -> int:
        """How specifically this range matches a media type: 2 exact, 1 ``type/*``,
        0 ``*/*``, -1 not at all."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed elements are skipped.

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/*;q=0.3, text/turtle")]
    [('text', '*', 0.3), ('text', 'turtle', 1.0)]
    """
    out = []
    for element in header.split(","):
        media, *params = (part.strip() for part in element.split(";"))
        main, slash, sub = media.lower().partition("/")
        if not slash or not main or not sub:
            continue
        q, explicit = 1.0, False
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q, explicit = min(max(float(value.strip()), 0.0), 1.0), True
                except ValueError:
                    q, explicit = 0.0, True
        out.append(MediaRange(main, sub, q, explicit))
    if out and not any(r.explicit_q for r in out):  # Apache's reading of old browsers
        out = [MediaRange(r.type, r.subtype, 0.01 if r.type == "*" else 0.02, False)
               if r.subtype == "*" else r for r in out]
    return out


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The ``q`` a client gives a media type: that of the most specific range matching it."""
    best, q = -1, 0.0
    for r in ranges:
        specificity = r.matches(media_type)
        if specificity > best:
            best, q = specificity, r.q
    return q if best >= 0 else 0.0


def choose(header: str | None, variants: Sequence[Variant] = VARIANTS) -> Variant | None:
    """The variant to send for an ``Accept`` header (None or empty: anything), or None when
    the client accepts none of them (then the answer is 406 Not Acceptable)."""
    if header is None or not header.strip():
        return variants[0]
    ranges = parse_accept(header)
    if not ranges:
        return variants[0]
    scored = [(quality(ranges, v.media_type) * v.qs, -i, v) for i, v in enumerate(variants)]
    score, _, best = max(scored, key=lambda item: (item[0], item[1]))
    return best if score > 0 else None
