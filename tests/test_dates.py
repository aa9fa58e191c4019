"""EDTF dates -> four bounds and precision."""

from __future__ import annotations

import pytest

from coldwar_lod.dates import DateError, parse_edtf


@pytest.mark.parametrize(
    ("text", "bounds", "precision"),
    [
        ("1968", ("1968-01-01T00:00:00", "1968-12-31T23:59:59",
                  "1968-01-01T00:00:00", "1968-12-31T23:59:59"), "year"),
        ("1968-08-21", ("1968-08-21T00:00:00", "1968-08-21T23:59:59",
                        "1968-08-21T00:00:00", "1968-08-21T23:59:59"), "day"),
        ("1968-08-20T21:40", ("1968-08-20T21:40:00", "1968-08-20T21:40:59",
                              "1968-08-20T21:40:00", "1968-08-20T21:40:59"), "minute"),
        ("1969-22", ("1969-06-01T00:00:00", "1969-08-31T23:59:59",
                     "1969-06-01T00:00:00", "1969-08-31T23:59:59"), "season"),
        ("1968-24", ("1968-12-01T00:00:00", "1969-02-28T23:59:59",
                     "1968-12-01T00:00:00", "1969-02-28T23:59:59"), "season"),
        ("1968-08-20T21:40/1968-08-21", ("1968-08-20T21:40:00", "1968-08-20T21:40:59",
                                         "1968-08-21T00:00:00", "1968-08-21T23:59:59"), "day"),
        ("1968-01/..", ("1968-01-01T00:00:00", "1968-01-31T23:59:59", None, None), "month"),
        ("../1969-04", (None, None, "1969-04-01T00:00:00", "1969-04-30T23:59:59"), "month"),
    ],
)
def test_bounds_and_precision(text: str, bounds: tuple[str | None, ...], precision: str) -> None:
    b = parse_edtf(text)
    got = tuple(v.isoformat() if v else None
                for v in (b.earliest_begin, b.latest_begin, b.earliest_end, b.latest_end))
    assert got == bounds
    assert b.precision == precision


def test_leap_year_february() -> None:
    assert parse_edtf("1968-02").latest_end.isoformat() == "1968-02-29T23:59:59"  # type: ignore[union-attr]
    assert parse_edtf("1969-02").latest_end.isoformat() == "1969-02-28T23:59:59"  # type: ignore[union-attr]


def test_qualifiers_are_kept() -> None:
    assert parse_edtf("1968?").qualifier == "uncertain"
    assert parse_edtf("1968-08~").qualifier == "approximate"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1968-02-30", "impossible date"),
        ("1968-13", "impossible date"),
        ("1968-08-21T25:00", "impossible date"),
        ("21/08/1968", "not a date in EDTF form"),
        ("August 1968", "not a date in EDTF form"),
        ("1969/1968", "ends before it begins"),
        ("../..", "at least one known end"),
    ],
)
def test_bad_dates(text: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_edtf(text)
