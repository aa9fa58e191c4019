"""Every sentence of every source is covered by a locator, or listed as holding no fact.

A sentence is covered when a locator of a claim or of a work overlaps it. A sentence that
states nothing of its own (front matter, legal notices, footnotes whose work is recorded from
its own locator, the author's signposting, a question the text then answers) is listed in
``data/uncovered.csv`` with a locator and the editors' reason. A listed sentence that a claim
covers, or a listing that no longer meets a sentence, is reported too, so the list stays
exact.

How the texts are cut into sentences (:func:`sentences`): each line that is page furniture,
a marked-up heading or a footnote (a numbered note, a bare address, a rule of underscores) is
a unit of its own, and so is every line of a footnote block in the article (after its rule of
spaces, up to the first line that is neither a note nor a running header). The rest is one
running text, cut after a full stop, question mark, exclamation mark or ellipsis (with any
closing quote and footnote number after it) that white space and an upper-case letter, a
digit or an opening quote follow. A single capital letter before the full stop (an initial)
does not end a sentence; a line of furniture or a heading always does. A sentence that runs
round a footnote block is one unit of several pieces. Headings without a final stop join the
sentence after them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from coldwar_lod.dataset import Build
from coldwar_lod.records import parse_locators
from coldwar_lod.sources import source_text

from .conftest import DATA
from .test_sources import SOURCES, needs_texts

UNCOVERED = DATA / "uncovered.csv"
REASONS = ("front-matter", "legal-notice", "page-furniture", "footnote", "signposting",
           "question", "rhetoric")

#: A line that is furniture or a footnote, not running text.
_FURNITURE = re.compile(r"^\s*(?:_{5,}|#{1,6}\s|https?://\S+|\d{1,3}\s?(?:[A-Z\u201c]|Ibid)"
                        r"|\*\*(?:Source|Copyright|URL|Last updated):\*\*)")
#: The rule (a long run of spaces) that opens a block of footnotes in the article's text.
_RULE = re.compile(r"^[ \t\u00a0]{20,}$")
#: A footnote's second line, or a running header, inside such a block.
_NOTE_LINE = re.compile(r"^\s*\d|https?://|www\.|\((?:19|20)\d\d\)|\u201d,?\s*\d|Ibid"
                        r"|Volume \d+, Issue")
_END = re.compile(r"(?:[.?!\u2026])[\"\u201d\u2019']?\d{0,3}(?=\s+[\"\u201c\u2018'(A-Z0-9])")
_INITIAL = re.compile(r"(?:^|[\s(.])[A-Z]\.$")

Piece = tuple[int, int]


def _trim(text: str, start: int, end: int) -> Piece | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def sentences(text: str) -> list[list[Piece]]:
    """The sentences of ``text``, each as the pieces (start, end) of running text it spans."""
    units: list[list[Piece]] = []
    # the running text, as pieces between furniture lines; True: a heading or front matter
    # (not a footnote block) came before the piece, so no sentence runs on into it
    running: list[tuple[int, int, bool]] = []
    pos, notes, hard = 0, False, False
    for line in text.splitlines(keepends=True):
        piece = _trim(text, pos, pos + len(line))
        if _RULE.match(line.rstrip("\r\n")):
            notes = True
        elif piece is not None:
            notes = notes and bool(_NOTE_LINE.search(line))
            if notes or _FURNITURE.match(line):
                units.append([piece])
                hard = hard or not notes
            else:
                running.append((pos, pos + len(line), hard))
                hard = False
        pos += len(line)
    current: list[Piece] = []
    for start, end, after_furniture in running:
        if after_furniture and current:
            units.append(current)
            current = []
        cut = start
        for match in _END.finditer(text, start):
            if match.end() > end:
                break
            if _INITIAL.search(text, start, match.start() + 1):
                continue
            piece = _trim(text, cut, match.end())
            if piece is not None:
                current.append(piece)
            if current:
                units.append(current)
            current, cut = [], match.end()
        piece = _trim(text, cut, end)
        if piece is not None:
            current.append(piece)
    if current:
        units.append(current)
    return sorted(units)


def _overlaps(pieces: list[Piece], spans: list[Piece]) -> bool:
    return any(s < e2 and s2 < e for s, e in pieces for s2, e2 in spans)


def uncovered_rows() -> Iterator[tuple[int, dict[str, str]]]:
    with UNCOVERED.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), 2):
            if row["locator"].startswith("#"):
                continue
            yield line, row


def _spans(built: Build) -> tuple[dict[str, list[Piece]], dict[str, list[tuple[Piece, str]]]]:
    covered: dict[str, list[Piece]] = {}
    rows = [*built.records.claims.values(),
            *(r for r in built.records.of_kind("works") if r.get("locators"))]
    for row in rows:
        for loc in parse_locators(row.get("locators")):
            covered.setdefault(loc.source, []).append((loc.start, loc.end))
    listed: dict[str, list[tuple[Piece, str]]] = {}
    for line, row in uncovered_rows():
        for loc in parse_locators(row["locator"]):
            listed.setdefault(loc.source, []).append(((loc.start, loc.end), f"line {line}"))
    return covered, listed


def test_the_list_is_well_formed(built: Build) -> None:
    lengths = {r.slug: int(r.get("length")) for r in built.records.of_kind("sources")}
    for line, row in uncovered_rows():
        assert row["reason"] in REASONS, f"uncovered.csv:{line}: reason {row['reason']!r}"
        assert row["note"], f"uncovered.csv:{line}: a note says why"
        locs = parse_locators(row["locator"])
        assert len(locs) == 1, f"uncovered.csv:{line}: one locator per row"
        assert locs[0].source in lengths and locs[0].end <= lengths[locs[0].source]


def test_the_splitter_keeps_initials_and_footnotes_apart() -> None:
    text = ("Anna J. Stoneman wrote it.2 Then she left.\n"
            "3 Ibid, 57.\n"
            "And it ended? Yes.")
    cut = [[text[s:e] for s, e in pieces] for pieces in sentences(text)]
    assert cut == [["Anna J. Stoneman wrote it.2"], ["Then she left."], ["3 Ibid, 57."],
                   ["And it ended?"], ["Yes."]]


@needs_texts
@pytest.mark.parametrize("slug", ["video-romania-refusal", "naar-soviet-decision",
                                  "blog-warsaw-pact-invasion", "cvce-invasion", "cvce-crushing"])
def test_every_sentence_is_covered_or_listed(built: Build, slug: str) -> None:
    assert SOURCES is not None
    text = source_text(built.records, slug, SOURCES)
    covered, listed = _spans(built)
    mine = listed.get(slug, [])
    bare, both = [], []
    used: set[str] = set()
    for pieces in sentences(text):
        is_covered = _overlaps(pieces, covered.get(slug, []))
        hits = [where for span, where in mine if _overlaps(pieces, [span])]
        used.update(hits)
        where = f"{slug}:{pieces[0][0]}-{pieces[-1][1]}"
        if not is_covered and not hits:
            bare.append(where)
        elif is_covered and hits:
            both.append(f"{where} (uncovered.csv {', '.join(hits)})")
    assert bare == [], "sentences with no locator and not listed in data/uncovered.csv"
    assert both == [], "listed as holding no fact, but a locator covers them"
    stale = [where for _, where in mine if where not in used]
    assert stale == [], "uncovered.csv rows that meet no sentence"


def test_the_list_is_in_the_data_folder() -> None:
    assert Path(UNCOVERED).is_file()
