"""Dates and numbers in words, with their uncertainty, for the pages.

>>> date_in_words("1968-08-20/1968-08-21")
'from 20 to 21 August 1968'
>>> date_in_words("1968-08")
'some time in August 1968 (the day is not known)'
>>> date_in_words("1968-01-05/..")
'from 5 January 1968 onwards'
>>> date_in_words("1969-22")
'some time in summer 1969'
>>> date_in_words("1968?")
'some time in 1968 (uncertain)'
"""

from __future__ import annotations

from datetime import datetime

from ..dates import Span, parse_date, parse_edtf

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
_QUALIFIERS = {"uncertain": " (uncertain)", "approximate": " (approximate)",
               "uncertain-approximate": " (uncertain and approximate)"}
_BOUNDS = {"ExactValue": "exactly", "ApproximateValue": "about", "LowerBound": "at least",
           "UpperBound": "at most"}


def _one(text: str, span: Span) -> str:
    """One EDTF date (no interval), without its qualifier."""
    first = span.first
    if span.precision == "minute":
        return f"{first:%H:%M} on {first.day} {_MONTHS[first.month - 1]} {first.year}"
    if span.precision == "day":
        return f"{first.day} {_MONTHS[first.month - 1]} {first.year}"
    if span.precision == "month":
        return f"{_MONTHS[first.month - 1]} {first.year}"
    if span.precision == "season":
        return f"{_SEASONS[int(text[5:7])]} {first.year}"
    return str(first.year)


def _clean(text: str) -> str:
    return text.rstrip("?~%")


def date_in_words(edtf: str) -> str:
    """An EDTF date or interval in words, saying how precise and how sure it is."""
    bounds = parse_edtf(edtf)
    qualifier = _QUALIFIERS.get(bounds.qualifier or "", "")
    if "/" not in edtf:
        span = parse_date(edtf)
        words = _one(_clean(edtf), span)
        if span.precision == "month":
            return f"some time in {words} (the day is not known){qualifier}"
        if span.precision in ("season", "year"):
            return f"some time in {words}{qualifier}"
        return f"on {words}{qualifier}" if span.precision == "day" else f"at {words}{qualifier}"
    left, _, right = edtf.partition("/")
    begin = None if left in ("", "..") else (_clean(left), parse_date(left))
    end = None if right in ("", "..") else (_clean(right), parse_date(right))
    if begin and end:
        a, b = _one(*begin), _one(*end)
        if begin[1].precision == end[1].precision == "day":
            a = _shorten(begin[1].first, end[1].first, a)
        return f"from {a} to {b}{qualifier}"
    if begin:
        tail = " onwards" if right == ".." else " (the end is not known)"
        return f"from {_one(*begin)}{tail}{qualifier}"
    assert end is not None
    head = "until" if left == ".." else "by"
    return f"{head} {_one(*end)}{qualifier}" + ("" if left == ".." else
                                                 " (the beginning is not known)")


def _shorten(first: datetime, last: datetime, words: str) -> str:
    """``20 August 1968`` before ``21 August 1968`` reads ``20``, before September
    ``20 August``."""
    if first.year != last.year:
        return words
    if first.month != last.month:
        return f"{first.day} {_MONTHS[first.month - 1]}"
    return str(first.day)


def number_in_words(value: int, bound: str | None) -> str:
    """A count with its bound: ``about 200,000``.

    >>> number_in_words(200000, "ApproximateValue")
    'about 200,000'
    """
    prefix = _BOUNDS.get(bound or "", "")
    return f"{prefix} {value:,}".strip()


def certainty(edtf: str) -> tuple[datetime | None, datetime | None, datetime | None,
                                   datetime | None]:
    """The four bounds of a date: earliest begin, latest begin, earliest end, latest end.

    What lies between the latest begin and the earliest end certainly happened; what lies
    between the earliest begin and the latest end possibly did.
    """
    b = parse_edtf(edtf)
    return b.earliest_begin, b.latest_begin, b.earliest_end, b.latest_end
