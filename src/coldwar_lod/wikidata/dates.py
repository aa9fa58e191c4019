"""Wikidata dates (time value and precision) read and compared with our time-spans."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from ..namespaces import WD

if TYPE_CHECKING:  # pragma: no cover
    pass



#: Statuses of a date comparison (see :mod:`.compare`).
AGREE = "agree"
DISAGREE = "disagree"
NOT_COMPARED = "not compared"

#: Wikidata's time precisions (``wikibase:timePrecision``) we compare at; finer ones (hours,
#: minutes, seconds) count as days, coarser ones (decades, centuries) are not compared.
WIKIDATA_PRECISIONS = {9: "year", 10: "month", 11: "day"}
GREGORIAN = WD + "Q1985727"
_LEVELS = ("year", "month", "day")
#: Our precisions -> the finest level they can be compared at (a season spans months).
OUR_LEVEL = {"minute": "day", "day": "day", "month": "month", "season": "month",
              "year": "year"}


def _truncate(value: datetime | tuple[int, int, int], level: str) -> tuple[int, ...]:
    parts = (value.year, value.month, value.day) if isinstance(value, datetime) else value
    return tuple(parts[: _LEVELS.index(level) + 1])


def compare_date(low: datetime | None, high: datetime | None, our_precision: str,
                 value: tuple[int, int, int], precision: int) -> tuple[str, str]:
    """Compare a Wikidata date with one of our ranges: (status, the precision compared at).

    Our range is the span's two bounds for the Wikidata property (:data:`DATE_ALIGNMENT`).
    Both sides are cut to the coarser of the two precisions (year, month or day), and the
    dates agree if Wikidata's date falls within our range there: "1968" agrees with
    "1968-08-21", "1968-08-20" does not. A season is compared by its months.

    >>> day = datetime(1968, 8, 21)
    >>> compare_date(day, day.replace(hour=23), "day", (1968, 8, 20), 11)
    ('disagree', 'day')
    >>> compare_date(day, day.replace(hour=23), "day", (1968, 1, 1), 9)
    ('agree', 'year')
    >>> spring = datetime(1968, 3, 1), datetime(1968, 5, 31)
    >>> compare_date(*spring, "season", (1968, 5, 1), 10), compare_date(*spring, "season",
    ...     (1968, 1, 5), 11)
    (('agree', 'month'), ('disagree', 'month'))
    >>> compare_date(None, None, "year", (1968, 1, 1), 9)
    ('not compared', '')
    >>> compare_date(day, day, "day", (1960, 1, 1), 8)
    ('not compared', '')
    """
    theirs = WIKIDATA_PRECISIONS.get(min(precision, 11))
    if theirs is None or (low is None and high is None):
        return NOT_COMPARED, ""
    level = min(OUR_LEVEL[our_precision], theirs, key=_LEVELS.index)
    point = _truncate(value, level)
    if (low is not None and point < _truncate(low, level)) or (
            high is not None and point > _truncate(high, level)):
        return DISAGREE, level
    return AGREE, level


def wikidata_date(lexical: str, precision: int) -> tuple[tuple[int, int, int], str] | None:
    """A Wikidata time value: its (year, month, day) and how it reads at its precision.

    >>> wikidata_date("1968-08-20T00:00:00Z", 11)
    ((1968, 8, 20), '1968-08-20')
    >>> wikidata_date("1968-00-00T00:00:00Z", 9)
    ((1968, 1, 1), '1968')
    """
    m = re.match(r"^([+-]?\d+)-(\d\d)-(\d\d)", lexical.strip())
    if not m:
        return None
    year, month, day = int(m[1]), max(int(m[2]), 1), max(int(m[3]), 1)
    level = WIKIDATA_PRECISIONS.get(min(precision, 11))
    shown = {"year": f"{year:04d}", "month": f"{year:04d}-{month:02d}",
             "day": f"{year:04d}-{month:02d}-{day:02d}"}.get(level or "",
                                                          f"{lexical} (precision {precision})")
    return (year, month, day), shown

