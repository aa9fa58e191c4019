"""Parsing historians' dates (a subset of EDTF, ISO 8601-2) into four bounds and a precision.

A date is written in the Extended Date/Time Format of the Library of Congress, level 0 and the
parts of level 1 a historian needs:

=====================  ======================================  ===========
written                meaning                                  precision
=====================  ======================================  ===========
``1968``               some time in 1968                        year
``1968-08``            some time in August 1968                 month
``1968-08-21``         on 21 August 1968                        day
``1968-08-20T21:40``   at 21:40 local time                      minute
``1969-22``            summer 1969 (21 spring ... 24 winter)    season
``1968?`` ``1968~``    uncertain / approximate (flag kept)      as written
``A/B``                began at A, ended at B                   coarser of A, B
``A/..`` ``../B``      open end / open start                    as written
``A/`` ``/B``          unknown end / unknown start              as written
=====================  ======================================  ===========

Seasons are meteorological, northern hemisphere (spring = March-May). Times are local time as
the source states them, with no time zone. The four bounds follow the CIDOC-CRM reading of a
time-span: the thing began between ``earliest_begin`` and ``latest_begin`` and ended between
``earliest_end`` and ``latest_end``; a bound is ``None`` where the text leaves it open.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

PRECISIONS = ("minute", "day", "month", "season", "year")
_RANK = {p: i for i, p in enumerate(PRECISIONS)}

_DATE = re.compile(
    r"^(?P<year>\d{4})"
    r"(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})(?:T(?P<hour>\d{2}):(?P<minute>\d{2}))?)?)?"
    r"(?P<flag>[?~%])?$"
)
_SEASON_MONTHS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 2)}
_FLAGS = {"?": "uncertain", "~": "approximate", "%": "uncertain-approximate"}


class DateError(ValueError):
    """A date string that is not valid EDTF in the supported subset, or not a real date."""


@dataclass(frozen=True, slots=True)
class Span:
    """One date's extent: its first and last instant (inclusive) and its precision."""

    first: datetime
    last: datetime
    precision: str
    qualifier: str | None = None


@dataclass(frozen=True, slots=True)
class TimeBounds:
    """The four bounds of a (possibly uncertain) time-span, plus precision.

    >>> b = parse_edtf("1968-08-20/1968-08-21")
    >>> b.earliest_begin.isoformat(), b.latest_end.isoformat(), b.precision
    ('1968-08-20T00:00:00', '1968-08-21T23:59:59', 'day')
    """

    edtf: str
    earliest_begin: datetime | None
    latest_begin: datetime | None
    earliest_end: datetime | None
    latest_end: datetime | None
    precision: str
    qualifier: str | None = None


def parse_date(text: str) -> Span:
    """Parse one EDTF date (not an interval) into its first and last instant.

    >>> s = parse_date("1968-02")
    >>> s.first.isoformat(), s.last.isoformat(), s.precision
    ('1968-02-01T00:00:00', '1968-02-29T23:59:59', 'month')
    >>> try:
    ...     parse_date("1968-02-30")
    ... except DateError as exc:
    ...     print(exc)
    impossible date '1968-02-30': day is out of range for month

    :raises DateError: if the text is not a supported EDTF date or names no real day.
    """
    m = _DATE.match(text)
    if not m:
        raise DateError(f"not a date in EDTF form (YYYY, YYYY-MM, YYYY-MM-DD, ...): {text!r}")
    year = int(m["year"])
    qualifier = _FLAGS.get(m["flag"] or "")
    try:
        if m["month"] is None:
            last = _end_of_day(datetime(year, 12, 31))
            return Span(datetime(year, 1, 1), last, "year", qualifier)
        month = int(m["month"])
        if month in _SEASON_MONTHS and m["day"] is None:
            start_month, end_month = _SEASON_MONTHS[month]
            end_year = year + 1 if month == 24 else year
            return _months(year, start_month, end_year, end_month, "season", qualifier)
        if m["day"] is None:
            if not 1 <= month <= 12:
                raise ValueError("month must be in 1..12 (or 21..24 for a season)")
            return _months(year, month, year, month, "month", qualifier)
        day = datetime(year, month, int(m["day"]))
        if m["hour"] is None:
            return Span(day, _end_of_day(day), "day", qualifier)
        at = day.replace(hour=int(m["hour"]), minute=int(m["minute"]))
        return Span(at, at + timedelta(seconds=59), "minute", qualifier)
    except ValueError as exc:
        raise DateError(f"impossible date {text!r}: {exc}") from None


def parse_edtf(text: str) -> TimeBounds:
    """Parse an EDTF date or interval into :class:`TimeBounds`.

    >>> b = parse_edtf("1968-01-05/..")
    >>> b.latest_begin.isoformat(), b.earliest_end, b.precision
    ('1968-01-05T23:59:59', None, 'day')

    :raises DateError: if the text is malformed, names an impossible date, or ends before it
        begins.
    """
    text = text.strip()
    if "/" not in text:
        span = parse_date(text)
        return TimeBounds(
            text, span.first, span.last, span.first, span.last, span.precision, span.qualifier
        )
    left, _, right = text.partition("/")
    begin = parse_date(left) if left not in ("", "..") else None
    end = parse_date(right) if right not in ("", "..") else None
    if begin is None and end is None:
        raise DateError(f"an interval needs at least one known end: {text!r}")
    if begin and end and end.last < begin.first:
        raise DateError(f"interval ends before it begins: {text!r}")
    precision = max((s.precision for s in (begin, end) if s), key=_RANK.__getitem__)
    qualifier = next((s.qualifier for s in (begin, end) if s and s.qualifier), None)
    return TimeBounds(
        text,
        begin.first if begin else None,
        begin.last if begin else None,
        end.first if end else None,
        end.last if end else None,
        precision,
        qualifier,
    )


def _months(year: int, month: int, end_year: int, end_month: int, precision: str,
            qualifier: str | None) -> Span:
    """The span from the first day of one month to the last instant of another."""
    last_day = calendar.monthrange(end_year, end_month)[1]
    end = _end_of_day(datetime(end_year, end_month, last_day))
    return Span(datetime(year, month, 1), end, precision, qualifier)


def _end_of_day(day: datetime) -> datetime:
    return day.replace(hour=23, minute=59, second=59)
