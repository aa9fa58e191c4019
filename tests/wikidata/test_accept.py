"""`coldwar-lod wikidata accept FILE` against a real Oxigraph server holding the Wikidata
snapshot: marked rows become links (records, verified list with date and evidence,
unlinked.tsv), all files or none; redirected, missing and ill-fitting items are refused;
malformed review files get file:line messages."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

import coldwar_lod
from coldwar_lod.cli import main
from coldwar_lod.errors import EXIT_INPUT, EXIT_VIOLATIONS

from ..server import OxigraphServer
from .conftest import MISSING, REDIRECT_TARGET, REDIRECTED, unlink, unverify

pytestmark = pytest.mark.server

HEADER = "decision\tentity\tlabel\tqid\n"


def run(data: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data", str(data), "wikidata", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def digest(folder: Path) -> str:
    return hashlib.sha256(b"".join(p.name.encode() + p.read_bytes()
                                   for p in sorted(folder.rglob("*")) if p.is_file())).hexdigest()


def test_marked_rows_become_links(snapshot: OxigraphServer,
                                  unlinked_copy: tuple[Path, dict[str, str]],
                                  tmp_path: Path) -> None:
    data, removed = unlinked_copy
    chosen = {"alexander-dubcek": "persons", "polish-peoples-republic": "states",
              "prague": "places"}
    unverify(data, {removed[slug] for slug in chosen})
    url = f"{snapshot.url}/query"
    review = tmp_path / "review.tsv"
    assert run(data, "suggest", "--endpoint", url, "-o", str(review))[0] == 0
    rows = list(csv.DictReader(io.StringIO(review.read_text(encoding="utf-8")),
                               delimiter="\t"))
    for row in rows:  # the person marks the best candidate of three entities
        if row["entity"].split("/")[1] in chosen and row["rank"] == "1":
            row["decision"] = "yes"
        elif row["entity"] == "place/bratislava":
            row["decision"] = "no"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    review.write_text(out.getvalue(), encoding="utf-8")
    before = {kind: (data / f"{kind}.csv").read_text(encoding="utf-8").splitlines()
              for kind in set(chosen.values())}

    code, out_text, err = run(data, "accept", str(review), "--endpoint", url)
    assert code == 0, err
    assert "linked person/alexander-dubcek -> Q150543 (Alexander Dubček)" in out_text
    assert err.startswith("3 link(s) accepted after checking them against ")
    for slug, kind in chosen.items():  # one entity per file: one line changed, its qid cell
        after = (data / f"{kind}.csv").read_text(encoding="utf-8").splitlines()
        changed = [(a, b) for a, b in zip(before[kind], after, strict=True) if a != b]
        assert len(changed) == 1
        old, new = (next(csv.reader([line])) for line in changed[0])
        column = before[kind][0].split(",").index("qid")
        assert new[0] == slug and new[column] == removed[slug] and old[column] == ""
        assert new[:column] + new[column + 1:] == old[:column] + old[column + 1:]
    listed = (data / "reference" / "wikidata-qids.tsv").read_text(encoding="utf-8")
    today = dt.date.today().isoformat()
    for slug in chosen:
        row = next(ln.split("\t") for ln in listed.splitlines() if f"\t{removed[slug]}\t" in ln)
        assert row[3] == "reviewed"
        assert row[4].startswith(f"coldwar-lod wikidata accept {today} (review.tsv:")
        assert "their label" in row[4]
    build = coldwar_lod.build(data)  # the build accepts the new links
    linked = {r.slug: r.get("qid") for r in build.records.entities.values()}
    assert all(linked[slug] == removed[slug] for slug in chosen)
    unlinked = (data / "unlinked.tsv").read_text(encoding="utf-8")
    assert "\talexander-dubcek\t" not in unlinked and "\tbratislava\t" in unlinked


def mark(tmp_path: Path, *rows: str) -> Path:
    review = tmp_path / "review.tsv"
    review.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return review


@pytest.mark.parametrize(("row", "message"), [
    (f"yes\tperson/alexander-dubcek\tAlexander Dubček\t{REDIRECTED}",
     f"review.tsv:2: person/alexander-dubcek: {REDIRECTED} is a redirect to {REDIRECT_TARGET} "
     f"(merged): check {REDIRECT_TARGET} and mark it instead"),
    (f"yes\tperson/alexander-dubcek\tAlexander Dubček\t{MISSING}",
     f"review.tsv:2: person/alexander-dubcek: {MISSING} does not exist"),
    ("yes\tperson/alexander-dubcek\tAlexander Dubček\tQ8683",
     "review.tsv:2: person/alexander-dubcek: Q8683 is an instance of Q4176199"),
    ("yes\tstate/polish-peoples-republic\tPolish People's Republic\tQ28",
     "review.tsv:2: state/polish-peoples-republic: Q28: none of our names is one of its labels"),
])
def test_refused_items_change_nothing(snapshot: OxigraphServer,
                                      unlinked_copy: tuple[Path, dict[str, str]],
                                      tmp_path: Path, row: str, message: str) -> None:
    data, _ = unlinked_copy
    before = digest(data)
    review = mark(tmp_path, "yes\tplace/prague\tPrague\tQ1085", row)
    code, out, err = run(data, "accept", str(review), "--endpoint", f"{snapshot.url}/query")
    assert code == EXIT_VIOLATIONS
    assert "marked row(s) refused; nothing was written" in err
    assert message.replace("review.tsv:2", "review.tsv:3") in err.replace(str(tmp_path) + "/", "")
    assert out == ""
    assert digest(data) == before  # Prague passed the checks, but nothing was written


@pytest.mark.parametrize(("content", "message"), [
    ("entity\tqid\nyes\tQ1\n", "review.tsv:1: not a review file: the header needs the columns"),
    (HEADER + "maybe\tperson/alexander-dubcek\tx\tQ150543\n",
     "review.tsv:2: decision 'maybe' is neither yes nor no"),
    (HEADER + "\nyes\tperson/alexandr-dubcek\tx\tQ150543\n",
     "review.tsv:3: unknown entity 'person/alexandr-dubcek'"),
    (HEADER + "yes\tperson/alexander-dubcek\tx\t150543\n",
     "review.tsv:2: person/alexander-dubcek: malformed QID '150543'"),
    (HEADER + "yes\tplace/prague\tx\tQ1085\nyes\tplace/prague\tx\tQ1086\n",
     "review.tsv:3: place/prague is marked twice (line 2); keep one"),
    (HEADER + "yes\tplace/bratislava\tx\tQ1085\n",
     "review.tsv:2: Q1085 is already the item of place/prague"),
])
def test_malformed_review_files(data_copy: Path, tmp_path: Path, content: str,
                                message: str) -> None:
    # Bratislava unlinked (so that taking Prague's item is the fault), and Prague too where
    # it is marked twice (a linked entity's own QID is skipped).
    unlink(data_copy, lambda slug, _q: slug == "bratislava"
           or (slug == "prague" and "twice" in message))
    review = tmp_path / "review.tsv"
    review.write_text(content, encoding="utf-8")
    before = digest(data_copy)
    code, _, err = run(data_copy, "accept", str(review), "--endpoint", "http://127.0.0.1:9/q")
    assert code == EXIT_INPUT
    assert message in err.replace(str(tmp_path) + "/", "")
    assert digest(data_copy) == before


def test_nothing_marked_nothing_asked(data_copy: Path, tmp_path: Path) -> None:
    review = mark(tmp_path, "\tplace/vienna\tVienna\tQ1741", "no\tplace/prague\tPrague\tQ1")
    code, out, err = run(data_copy, "accept", str(review), "--endpoint", "http://127.0.0.1:9/q")
    assert (code, out) == (0, "")
    assert "nothing was linked" in err


def test_a_missing_review_file(data_copy: Path, tmp_path: Path) -> None:
    code, _, err = run(data_copy, "accept", str(tmp_path / "nope.tsv"))
    assert code == EXIT_INPUT and "nope.tsv: cannot read the review file: no such file" in err


def test_a_failed_write_changes_nothing(snapshot: OxigraphServer,
                                        unlinked_copy: tuple[Path, dict[str, str]],
                                        tmp_path: Path) -> None:
    """The records, the verified list and unlinked.tsv are replaced together or not at all:
    here unlinked.tsv cannot be replaced (a folder stands in its place)."""
    data, _ = unlinked_copy
    (data / "unlinked.tsv").unlink()
    (data / "unlinked.tsv").mkdir()
    before = digest(data)
    review = mark(tmp_path, "yes\tplace/prague\tPrague\tQ1085")
    code, _, err = run(data, "accept", str(review), "--endpoint", f"{snapshot.url}/query")
    assert code == EXIT_INPUT and "unlinked.tsv" in err
    assert digest(data) == before
