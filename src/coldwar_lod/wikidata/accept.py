"""Accepting reviewed suggestions: the rows a person marked in a review file become links.

Each marked row is checked against a Wikidata service as ``check`` checks a link (the item
exists, is not a redirect) and as ``suggest`` weighs it (its kind fits, one of our names is one
of its labels or aliases); then the QID goes into the entity's record, the item into the
verified-QID list (with the date and the evidence), and ``unlinked.tsv`` is written anew: all
files together, or none (a refused row leaves every file as it was).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_VIOLATIONS, ColdwarError, InputError, InputErrors
from ..files import write_files
from ..records import VERIFIED_QIDS, Records, Row
from .candidates import fetch_details, kind_fits, weigh
from .names import Entity, entities
from .service import BATCH_SIZE, Asker, Wikidata
from .suggest import REVIEW_COLUMNS, require_wikidata
from .unlinked import unlinked_tsv

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build

#: Words in the ``decision`` column that accept a row, and words that leave it out.
YES = frozenset({"yes", "y", "x", "accept", "accepted", "true", "1"})
NO = frozenset({"", "no", "n", "reject", "rejected", "false", "0", "-", "skip"})
_QID = re.compile(r"^Q[1-9][0-9]*$")
#: The kind column of the verified-QID list, by data file.
LIST_KINDS = {"persons": "person", "states": "state", "organisations": "organization",
              "places": "place", "events": "event", "works": "work", "positions": "position"}


class LinkRefusedError(ColdwarError):
    """Marked rows failed the checks (a missing or redirected item, a kind or label that does
    not fit); nothing was written (exit code 1)."""

    exit_code = EXIT_VIOLATIONS


@dataclass(frozen=True, slots=True)
class Marked:
    """A row of the review file marked for acceptance."""

    line: int
    entity: Entity
    qid: str


@dataclass(frozen=True, slots=True)
class Accepted:
    """A link made: the entity, the item, and the evidence written to the verified list."""

    entity: Entity
    qid: str
    wikidata_label: str
    evidence: str


@dataclass(slots=True)
class AcceptReport:
    """What ``accept`` did (see :func:`accept_links`).

    >>> AcceptReport([], [], "local store").summary()
    'no row is marked (decision=yes): nothing was linked'
    """

    accepted: list[Accepted]
    written: list[Path]
    where: str
    requests: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        if not self.accepted:
            return "no row is marked (decision=yes): nothing was linked"
        files = ", ".join(p.name for p in self.written)
        return (f"{len(self.accepted)} link(s) accepted after checking them against "
                f"{self.where} ({self.requests} request(s), {self.seconds:.2f} s); "
                f"wrote {files}")


def read_review(path: Path, known: dict[str, Entity]) -> list[Marked]:
    """The marked rows of a review file, checked (``file:line`` in every message).

    :raises InputErrors: for a missing column, an unknown decision word, an unknown entity,
        a malformed QID, an entity marked twice, or an entity that already has another QID.
    """
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError) as exc:
        reason = "not valid UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "no such file"
        raise InputErrors([InputError(f"cannot read the review file: {reason}", display)]
                          ) from None
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    if not rows or not {"decision", "entity", "qid"} <= {c.strip() for c in rows[0]}:
        raise InputErrors([InputError(
            "not a review file: the header needs the columns decision, entity and qid "
            f"(as `coldwar-lod wikidata suggest` writes: {', '.join(REVIEW_COLUMNS)})",
            display, 1)])
    header = [c.strip() for c in rows[0]]
    by_id = {e.short_id: e for e in known.values()}
    errors: list[InputError] = []
    marked: dict[str, Marked] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        decision = row.get("decision", "").casefold()
        if decision in NO:
            continue
        if decision not in YES:
            errors.append(InputError(f"decision {row.get('decision')!r} is neither yes nor no "
                                     "(leave it empty to skip the row)", display, number))
            continue
        entity, qid = by_id.get(row.get("entity", "")), row.get("qid", "")
        if entity is None:
            errors.append(InputError(f"unknown entity {row.get('entity')!r} (expected "
                                     "kind/slug, e.g. person/alexander-dubcek)", display, number))
        elif not _QID.match(qid):
            errors.append(InputError(f"{entity.short_id}: malformed QID {qid!r}", display,
                                     number))
        elif entity.slug in marked and marked[entity.slug].qid != qid:
            errors.append(InputError(f"{entity.short_id} is marked twice (line "
                                     f"{marked[entity.slug].line}); keep one", display, number))
        elif entity.qid and entity.qid != qid:
            errors.append(InputError(f"{entity.short_id} is already linked to {entity.qid} "
                                     f"({entity.record})", display, number))
        elif not entity.qid:
            marked.setdefault(entity.slug, Marked(number, entity, qid))
    taken = {e.qid: e for e in known.values() if e.qid}
    for m in marked.values():
        if m.qid in taken:
            errors.append(InputError(f"{m.qid} is already the item of {taken[m.qid].short_id}",
                                     display, m.line))
    if errors:
        raise InputErrors(errors)
    return list(marked.values())


def accept_links(build: Build, review: Path | str, wikidata: Wikidata | None = None, *,
                 batch_size: int = BATCH_SIZE, today: dt.date | None = None) -> AcceptReport:
    """Link the entities whose rows are marked ``decision=yes`` in a review file (written by
    :func:`suggest_links`), after checking each item against the Wikidata service.

    The checks: the item exists and is not a redirect (as :func:`check_links`), its kind
    (P31) does not contradict ours, and one of our names is one of its labels or aliases
    (diacritics aside). Then the records (the ``qid`` cell), the verified-QID list (a row with
    the date and the evidence) and ``unlinked.tsv`` are written, all together.

    :raises InputErrors: for a malformed review file (exit code 2).
    :raises LinkRefusedError: if a marked item fails a check; nothing is written (exit 1).
    :raises EndpointError: if the service cannot be reached (exit code 4).

    >>> import coldwar_lod, pyoxigraph as ox, tempfile
    >>> review = Path(tempfile.mkdtemp()) / "review.tsv"
    >>> _ = review.write_text("decision\\tentity\\tqid\\nyes\\tplace/silesia\\tQ999999903\\n")
    >>> local = ox.Store()   # a "Wikidata" where Q999999903 had been merged into another item
    >>> local.load(b"<http://www.wikidata.org/entity/Q999999903> <http://www.w3.org/2002/07/owl#sameAs>"
    ...            b" <http://www.wikidata.org/entity/Q9> .", ox.RdfFormat.N_TRIPLES)
    >>> try:
    ...     accept_links(coldwar_lod.build(), review, local)
    ... except LinkRefusedError as exc:
    ...     print(str(exc).split(": ", 1)[1])
    place/silesia: Q999999903 is a redirect to Q9 (merged): check Q9 and mark it instead
    """
    started = time.perf_counter()
    known = entities(build)
    path = Path(review)
    marked = read_review(path, known)
    asker = Asker(wikidata)
    if not marked:
        return AcceptReport([], [], asker.where)
    languages = {lang for m in marked for lang, _ in m.entity.names}
    details = fetch_details(asker, [m.qid for m in marked], languages, batch_size)
    if not any(d.exists for d in details.values()):
        require_wikidata(asker)
    linked = {e.slug: e.qid for e in known.values() if e.qid}
    refused: list[str] = []
    accepted: list[Accepted] = []
    day = (today or dt.date.today()).isoformat()
    for m in marked:
        item, where = details[m.qid], f"{path}:{m.line}: {m.entity.short_id}: {m.qid}"
        verdict = weigh(m.entity, item, linked)
        if item.redirect:
            refused.append(f"{where} is a redirect to {item.redirect} (merged): check "
                           f"{item.redirect} and mark it instead")
        elif not item.exists:
            refused.append(f"{where} does not exist (deleted, or never existed)")
        elif kind_fits(m.entity.kind, item.classes) is False:
            refused.append(f"{where} is an instance of {', '.join(item.classes)}, which is "
                           f"not one of our {m.entity.kind}")
        elif not verdict.label_fits:
            refused.append(f"{where}: none of our names is one of its labels or aliases "
                           f"({item.label or 'no label'}); check it is the same thing")
        else:
            evidence = "; ".join(verdict.evidence_for)
            accepted.append(Accepted(m.entity, m.qid, item.label or "", (
                f"coldwar-lod wikidata accept {day} ({path.name}:{m.line}; checked against "
                f"{asker.where}): {evidence}")))
    if refused:
        raise LinkRefusedError(f"{len(refused)} marked row(s) refused; nothing was written:\n"
                               + "\n".join(refused))
    written = _write(build.records, build, accepted)
    return AcceptReport(accepted, written, asker.where, asker.requests,
                        time.perf_counter() - started)


def _write(records: Records, build: Build, accepted: list[Accepted]) -> list[Path]:
    """The records, the verified list and ``unlinked.tsv``, written together."""
    folder = records.folder
    files: dict[Path, bytes] = {}
    rows = dict(records.entities)
    for a in accepted:
        row = records.entities[a.entity.slug]
        target = folder / f"{row.kind}.csv"
        text = files[target].decode("utf-8") if target in files else target.read_text(
            encoding="utf-8")
        files[target] = _set_qid(text, row, a.qid).encode("utf-8")
        rows[row.slug] = dataclasses.replace(row, cells={**row.cells, "qid": a.qid})
    listed = folder / VERIFIED_QIDS
    text = listed.read_text(encoding="utf-8") if listed.exists() else (
        "kind\tlabel\tqid\tconfidence\tevidence_from\n")
    if text and not text.endswith("\n"):
        text += "\n"
    for a in accepted:
        cells = (LIST_KINDS[a.entity.kind], a.entity.label, a.qid, "reviewed", a.evidence)
        text += "\t".join(" ".join(c.split()) for c in cells) + "\n"
    files[listed] = text.encode("utf-8")
    updated = dataclasses.replace(records, entities=rows)
    files[folder / "unlinked.tsv"] = unlinked_tsv(updated, build.space)
    write_files(files)
    return sorted(files)


def _set_qid(text: str, row: Row, qid: str) -> str:
    """The CSV text with the ``qid`` cell of the record at ``row.line`` set (only that line
    changes).

    :raises InputError: if the line no longer holds the record (the file changed).
    """
    lines = text.splitlines(keepends=True)
    header = next(csv.reader([next(ln for ln in lines if ln.strip()
                                   and not ln.startswith("#"))]))
    index = [c.strip() for c in header].index("qid")
    line = lines[row.line - 1] if 0 < row.line <= len(lines) else ""
    cells = next(csv.reader([line]), [])
    if not cells or cells[0].strip() != row.slug or len(cells) != len(header):
        raise InputError(f"the record of {row.slug!r} is no longer on this line; run "
                         "suggest again", row.file, row.line)
    cells[index] = qid
    ending = line[len(line.rstrip("\r\n")):] or "\n"
    out = io.StringIO()
    csv.writer(out, lineterminator=ending).writerow(cells)
    lines[row.line - 1] = out.getvalue()
    return "".join(lines)
