"""Reading the curated records in ``data/`` (CSV, one file per kind) and checking them.

Every problem is reported with the file and line that holds it, and all problems of a run are
reported together, so an editor can fix a file in one pass. Mapping never sees a bad record.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import model
from .dates import DateError, parse_edtf
from .errors import InputError, InputErrors, did_you_mean

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QID = re.compile(r"^Q[1-9][0-9]*$")
DOI = re.compile(r"^10\.[0-9]{4,9}/\S+$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
LOCATOR = re.compile(r"^(?P<source>[a-z0-9-]+):(?P<start>[0-9]+)-(?P<end>[0-9]+)$")
IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
#: A source text's file name: no folder, not hidden, nothing that leads out of the folder.
SOURCE_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
#: Characters RDF/XML (XML 1.0) cannot carry, and most tools choke on: C0 controls other than
#: tab and line breaks, DEL, and the non-characters U+FFFE and U+FFFF.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

_ENTITY_COLUMNS = ("slug", "type", "label_en", "labels", "alt_labels", "qid", "description")

#: Columns of each file: (required, optional). Documented in ``data/README.md``.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sources": (
        ("slug", "type", "label_en", "file", "sha256", "length"),
        ("labels", "alt_labels", "qid", "description", "author", "publisher", "issued",
         "modified", "url", "doi", "jstor", "journal", "volume", "issue", "pages", "language"),
    ),
    "persons": (("slug", "type", "label_en"), _ENTITY_COLUMNS[3:]),
    "states": (("slug", "type", "label_en"), _ENTITY_COLUMNS[3:]),
    "organisations": (("slug", "type", "label_en"), _ENTITY_COLUMNS[3:]),
    "places": (("slug", "type", "label_en"), _ENTITY_COLUMNS[3:]),
    "positions": (("slug", "type", "label_en", "organisation"), _ENTITY_COLUMNS[3:]),
    "events": (("slug", "type", "label_en"), _ENTITY_COLUMNS[3:]),
    "works": (
        ("slug", "type", "label_en"),
        (*_ENTITY_COLUMNS[3:], "authors", "journal", "volume", "issue", "year", "pages",
         "jstor", "doi", "url", "locators"),
    ),
    "claims": (
        ("claim", "subject", "property", "object", "locators"),
        ("role", "when", "replaces", "according_to", "bound", "pages", "rank", "note"),
    ),
    "disagreements": (("slug", "label_en", "claims", "note"), ()),
}

#: Verified Wikidata QIDs (see ``data/reference/README.md``).
VERIFIED_QIDS = "reference/wikidata-qids.tsv"

#: Files in the order they are read (entities before what refers to them).
FILES = (*model.ENTITY_KINDS, "claims", "disagreements")


@dataclass(slots=True)
class Row:
    """One record: its kind (file stem), cells by column, and where it was read."""

    kind: str
    cells: dict[str, str]
    file: str
    line: int

    def get(self, column: str) -> str:
        """The trimmed cell, or ``""`` when the column is absent or empty."""
        return self.cells.get(column, "")

    @property
    def slug(self) -> str:
        return self.cells.get("slug") or self.cells.get("claim", "")

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Locator:
    """A span of a source text: code-point offsets, ``end`` exclusive (Web Annotation)."""

    source: str
    start: int
    end: int


@dataclass(slots=True)
class Records:
    """All records of a data folder, checked and cross-referenced."""

    folder: Path
    entities: dict[str, Row] = field(default_factory=dict)
    claims: dict[str, Row] = field(default_factory=dict)
    disagreements: dict[str, Row] = field(default_factory=dict)

    def of_kind(self, kind: str) -> Iterator[Row]:
        """Entity rows of one kind, in file order."""
        return (r for r in self.entities.values() if r.kind == kind)


def parse_locators(text: str) -> list[Locator]:
    """Parse a ``locators`` cell: space-separated ``source:start-end`` items.

    >>> parse_locators("cvce-invasion:10-42 cvce-crushing:5-7")[1]
    Locator(source='cvce-crushing', start=5, end=7)

    :raises ValueError: if an item is not of the form ``source:start-end``.
    """
    out = []
    for item in text.split():
        m = LOCATOR.match(item)
        if not m:
            raise ValueError(f"malformed locator {item!r} (expected source:start-end)")
        out.append(Locator(m["source"], int(m["start"]), int(m["end"])))
    return out


def parse_labels(text: str) -> list[tuple[str, str]]:
    """Parse a ``labels`` cell: ``lang:text`` items separated by ``|``.

    >>> parse_labels("cs:Alexander Dubček | sk:Alexander Dubček")
    [('cs', 'Alexander Dubček'), ('sk', 'Alexander Dubček')]

    :raises ValueError: if an item lacks a known language tag or text.
    """
    out = []
    for item in text.split("|"):
        lang, sep, label = item.strip().partition(":")
        if not sep or not label.strip():
            raise ValueError(f"malformed label {item.strip()!r} (expected lang:text)")
        if lang not in model.LANGUAGES:
            raise ValueError(f"unknown language tag {lang!r} in {item.strip()!r}")
        out.append((lang, label.strip()))
    return out


def read_rows(path: Path, kind: str, display: str) -> Iterator[Row]:
    """Yield the records of one CSV file with their starting line numbers.

    Blank lines and lines whose first cell starts with ``#`` are comments.

    :raises InputError: on a missing file, bad encoding, unknown or missing columns, or a row
        with the wrong number of cells.
    """
    required, optional = COLUMNS[kind]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"missing data file (every data folder has {kind}.csv)", display) from None
    except OSError as exc:  # a folder, unreadable, ...
        raise InputError(f"cannot read the data file: {exc.strerror}", display) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("not valid UTF-8 text", display, line) from None
    # Lines end where CSV says they do (\n, \r\n, \r), not at U+2028, \x0c or \x85 as
    # str.splitlines would have it: those are characters inside a cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not cells or all(not c.strip() for c in cells) or cells[0].startswith("#"):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                _check_header(header, required, optional, display, line)
                continue
            if len(cells) != len(header):
                raise InputError(
                    f"expected {len(header)} cells (as in the header), found {len(cells)}",
                    display, line,
                )
            row = {k: v.strip() for k, v in zip(header, cells, strict=True)}
            for column, value in row.items():
                if bad := CONTROL.search(value):
                    raise InputError(f"{column}: control character U+{ord(bad[0]):04X} is not "
                                     "allowed (RDF/XML and most tools cannot carry it)",
                                     display, line + value.count("\n", 0, bad.start()))
            yield Row(kind, row, display, line)
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):  # where the quote opened, not the end
            raise InputError("a quoted cell is never closed (its quote opens in the record "
                             "that starts here)", display, start) from None
        stopped = f" (the record that starts here; the parser stopped at line " \
                  f"{reader.line_num}: a quote opened here may close there)" \
            if reader.line_num > start else ""
        raise InputError(f"malformed CSV: {exc}{stopped}", display, start) from None
    if header is None:
        raise InputError("empty data file (no header row)", display, 1)


def _check_header(
    header: list[str], required: tuple[str, ...], optional: tuple[str, ...], file: str, line: int
) -> None:
    known = (*required, *optional)
    for col in header:
        if col not in known:
            raise InputError(f"unknown column {col!r}{did_you_mean(col, known)}", file, line)
    if len(set(header)) != len(header):
        raise InputError("a column appears twice in the header", file, line)
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"missing required column(s): {', '.join(missing)}", file, line)


def load_records(folder: Path | str, display_root: Path | str | None = None) -> Records:
    """Read and check every data file in ``folder``.

    :param folder: the data folder (holding ``events.csv``, ``claims.csv``, ...).
    :param display_root: paths in messages are shown relative to this folder's parent
        (default: as ``data/<file>``).
    :raises InputErrors: listing every problem found, each with file and line.
    :raises InputError: if ``folder`` is not a folder.

    >>> from coldwar_lod.resources import default_data_dir
    >>> recs = load_records(default_data_dir())
    >>> recs.entities["prague-spring"].kind
    'events'
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"no such data folder: {folder}" if not folder.exists()
                         else f"not a folder: {folder} (--data names the folder of the records)")
    prefix = Path(display_root).name if display_root else folder.name
    records = Records(folder)
    checker = _Checker(records, _verified_qids(folder / VERIFIED_QIDS))
    for kind in FILES:
        display = f"{prefix}/{kind}.csv"
        try:
            for row in read_rows(folder / f"{kind}.csv", kind, display):
                checker.add(row)
        except InputError as exc:
            checker.errors.append(exc)
    if not checker.errors:
        checker.cross_check()
    if checker.errors:
        raise InputErrors(checker.errors)
    return records


def _verified_qids(path: Path) -> dict[str, str] | None:
    """QID -> label from the verified list, or ``None`` when the folder has no list."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    rows = (line.split("\t") for line in lines[1:] if line.strip())
    return {r[2]: r[1] for r in rows if len(r) > 2}


class _Checker:
    """Checks rows as they arrive, then the references between them."""

    def __init__(self, records: Records, verified: dict[str, str] | None) -> None:
        self.records = records
        self.verified = verified
        self.errors: list[InputError] = []

    def fail(self, row: Row, message: str) -> None:
        self.errors.append(InputError(message, row.file, row.line))

    def add(self, row: Row) -> None:
        if row.kind == "claims":
            self._add_keyed(row, self.records.claims, row.get("claim"), "claim")
        elif row.kind == "disagreements":
            self._add_keyed(row, self.records.disagreements, row.get("slug"), "disagreement")
        else:
            self._add_keyed(row, self.records.entities, row.get("slug"), "slug")
            self._check_entity(row)

    def _add_keyed(self, row: Row, table: dict[str, Row], key: str, what: str) -> None:
        if not SLUG.match(key):
            self.fail(row, f"malformed {what} {key!r}: use lower-case letters, digits and "
                           "single hyphens (e.g. 'warsaw-pact')")
            return
        if key in table:
            self.fail(row, f"duplicate {what} {key!r} (first defined at {table[key].where()})")
            return
        table[key] = row

    def _check_entity(self, row: Row) -> None:
        types = model.TYPES[row.kind]
        if row.get("type") not in types:
            self.fail(row, f"unknown type {row.get('type')!r} for {row.kind}"
                           f"{did_you_mean(row.get('type'), types)}; one of: {', '.join(types)}")
        if not row.get("label_en"):
            self.fail(row, "empty label_en (every record needs an English label)")
        for col in ("labels", "alt_labels"):
            if row.get(col):
                try:
                    parse_labels(row.get(col))
                except ValueError as exc:
                    self.fail(row, f"{col}: {exc}")
        qid = row.get("qid")
        if qid and not QID.match(qid):
            self.fail(row, f"malformed Wikidata QID {qid!r} (expected Q followed by digits)")
        elif qid and self.verified is not None and qid not in self.verified:
            self.fail(row, f"Wikidata QID {qid} is not in the verified list ({VERIFIED_QIDS}); "
                           "leave qid empty and let reconciliation find it")
        if row.get("url") and not IRI.match(row.get("url")):
            self.fail(row, f"bad IRI in url: {row.get('url')!r}")
        if row.get("doi") and not DOI.match(row.get("doi")):
            self.fail(row, f"malformed DOI {row.get('doi')!r} (expected 10.NNNN/...)")
        if row.get("jstor") and not row.get("jstor").isdigit():
            self.fail(row, f"malformed JSTOR stable id {row.get('jstor')!r} (digits only)")
        for col in ("issued", "modified", "year"):
            if row.get(col):
                self._check_date(row, col, row.get(col))
        if row.kind == "sources":
            if not SHA256.match(row.get("sha256")):
                self.fail(row, f"malformed sha256 {row.get('sha256')!r} (64 lower-case hex "
                               "digits)")
            if not row.get("length").isdigit():
                self.fail(row, f"length must be a whole number of code points, not "
                               f"{row.get('length')!r}")
            if not SOURCE_FILE.match(row.get("file")):
                self.fail(row, f"file must be a file name inside the sources folder, not "
                               f"{row.get('file')!r} (no folders, no '..')")

    def _check_date(self, row: Row, column: str, text: str) -> None:
        try:
            parse_edtf(text)
        except DateError as exc:
            self.fail(row, f"{column}: {exc}")

    def _ref(self, row: Row, column: str, slug: str, kinds: frozenset[str]) -> None:
        target = self.records.entities.get(slug)
        if target is None:
            self.fail(row, f"{column}: unknown reference {slug!r}"
                           f"{did_you_mean(slug, self.records.entities)}")
        elif target.kind not in kinds:
            self.fail(row, f"{column}: {slug!r} is one of the {target.kind}, expected one of "
                           f"the {' or '.join(sorted(kinds))}")

    def _locators(self, row: Row) -> None:
        text = row.get("locators")
        try:
            locators = parse_locators(text)
        except ValueError as exc:
            self.fail(row, f"locators: {exc}")
            return
        for loc in locators:
            source = self.records.entities.get(loc.source)
            if source is None or source.kind != "sources":
                sources = [r.slug for r in self.records.of_kind("sources")]
                self.fail(row, f"locators: unknown source {loc.source!r}"
                               f"{did_you_mean(loc.source, sources)}")
                continue
            length = int(source.get("length") or 0)
            if not loc.start < loc.end <= length:
                self.fail(row, f"locator {loc.source}:{loc.start}-{loc.end} lies outside its "
                               f"source ({length} code points; start must be below end)")

    def cross_check(self) -> None:
        records = self.records
        for row in records.of_kind("positions"):
            self._ref(row, "organisation", row.get("organisation"),
                      frozenset({"organisations", "states"}))
        for row in records.of_kind("works"):
            for author in row.get("authors").split():
                self._ref(row, "authors", author, frozenset({"persons"}))
            if row.get("locators"):
                self._locators(row)
        for row in records.claims.values():
            self._check_claim(row)
        for row in records.disagreements.values():
            claims = row.get("claims").split()
            if len(claims) < 2:
                self.fail(row, "a disagreement links at least two claims")
            for slug in claims:
                if slug not in records.claims:
                    self.fail(row, f"claims: unknown claim {slug!r}"
                                   f"{did_you_mean(slug, records.claims)}")

    def _check_claim(self, row: Row) -> None:
        prop_name = row.get("property")
        prop = model.CLAIM_PROPERTIES.get(prop_name)
        if prop is None:
            self.fail(row, f"unknown property {prop_name!r}"
                           f"{did_you_mean(prop_name, model.CLAIM_PROPERTIES)}")
            return
        self._ref(row, "subject", row.get("subject"), prop.subject_kinds)
        obj = row.get("object")
        if not obj:
            self.fail(row, "empty object")
        elif prop.object_kind == "entity":
            self._ref(row, "object", obj, prop.object_kinds)
        elif prop.object_kind == "date":
            self._check_date(row, "object", obj)
        elif prop.object_kind == "integer" and not obj.isdigit():
            self.fail(row, f"object must be a whole number for {prop_name}, not {obj!r}")
        elif prop.object_kind == "status" and obj not in model.EVENT_STATUSES:
            self.fail(row, f"unknown status {obj!r}{did_you_mean(obj, model.EVENT_STATUSES)}; "
                           f"one of: {', '.join(model.EVENT_STATUSES)}")
        role = row.get("role")
        if role and prop_name != "participant":
            self.fail(row, f"role applies only to participant claims, not {prop_name}")
        elif role and role not in model.ROLES:
            self.fail(row, f"unknown role {role!r}{did_you_mean(role, model.ROLES)}")
        if row.get("when"):
            self._check_date(row, "when", row.get("when"))
        if row.get("replaces"):
            if prop_name != "held-position":
                self.fail(row, "replaces applies only to held-position claims")
            else:
                self._ref(row, "replaces", row.get("replaces"), frozenset({"persons"}))
        if row.get("according_to"):
            self._ref(row, "according_to", row.get("according_to"), model.AGENT_KINDS)
        bound = row.get("bound")
        if bound and prop.object_kind != "integer":
            self.fail(row, f"bound applies only to numbers, not {prop_name}")
        elif bound and bound not in model.BOUNDS:
            self.fail(row, f"unknown bound {bound!r}; one of: {', '.join(model.BOUNDS)}")
        rank = row.get("rank") or "normal"
        if rank not in model.RANKS:
            self.fail(row, f"unknown rank {rank!r}{did_you_mean(rank, model.RANKS)}; "
                           f"one of: {', '.join(model.RANKS)}")
        if rank != "normal" and not row.get("note"):
            self.fail(row, f"a {rank} claim needs a note giving the reason for its rank")
        if not row.get("locators"):
            self.fail(row, "every claim needs at least one locator into a source")
        else:
            self._locators(row)
