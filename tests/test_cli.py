"""The command line: build, validate, export; bad input gives one clear message, exit 2, no
traceback, and leaves the previous output untouched."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coldwar_lod.cli import main

from .conftest import DATA


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_every_file_and_a_summary(runner: CliRunner, tmp_path: Path) -> None:
    code, out, _ = run(runner, "--data", str(DATA), "build", "-o", str(tmp_path / "dist"))
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "dist").iterdir())
    assert names == ["coldwar-lod.jsonld", "coldwar-lod.nt", "coldwar-lod.trig",
                     "coldwar-lod.ttl", "context.jsonld", "ontology.ttl", "shapes.ttl",
                     "void.ttl"]
    assert "wrote" in out and "triples" in out and "conforms" in out


def test_validate_conforms_exit_0(runner: CliRunner) -> None:
    code, out, _ = run(runner, "--data", str(DATA), "validate")
    assert code == 0
    assert out.startswith("Conforms: 0 violation(s)")


def test_validate_file_with_violations_exit_1(runner: CliRunner) -> None:
    bad = Path(__file__).parent / "fixtures" / "shapes" / "invalid" / "EndMustNotPrecedeBegin.ttl"
    code, out, _ = run(runner, "--data", str(DATA), "validate", str(bad))
    assert code == 1
    assert "The time-span ends before it begins." in out
    assert "cwsh:EndMustNotPrecedeBegin" in out
    assert "node:  claim:invasion-date#timespan" in out


def test_validate_reports_data_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    # A Turtle file with an event lacking its English label: the report names the event's
    # record in data/events.csv (the build maps IRIs back to records).
    ttl = tmp_path / "bad.ttl"
    ttl.write_text(
        "@prefix cwo: <https://w3id.org/coldwar-lod/ontology#> .\n"
        "<https://w3id.org/coldwar-lod/id/event/prague-spring> a cwo:ReformProgramme .\n",
        encoding="utf-8")
    code, out, _ = run(runner, "--data", str(DATA), "validate", str(ttl))
    assert code == 1
    line = next(i for i, row in enumerate((DATA / "events.csv").read_text().splitlines(), 1)
                if row.startswith("prague-spring,"))
    assert f"from:  data/events.csv:{line}" in out


def test_validate_unparseable_file_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    ttl = tmp_path / "broken.ttl"
    ttl.write_text("@prefix ex: <http://ex.org/> .\nex:a ex:b \n ex:c ex:d .\n", encoding="utf-8")
    code, _, err = run(runner, "validate", str(ttl))
    assert code == 2
    assert f"{ttl}:" in err and "syntax error" in err


@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "nt", "trig", "nquads", "rdfxml"])
def test_export_formats(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    code, _, _ = run(runner, "--data", str(DATA), "export", "--format", fmt, "-o", str(out))
    assert code == 0
    assert out.stat().st_size > 10_000


def test_export_to_stdout(runner: CliRunner) -> None:
    code, out, _ = run(runner, "--data", str(DATA), "export", "-f", "nt")
    assert code == 0
    assert out.count("\n") > 1000


def test_stats(runner: CliRunner) -> None:
    code, out, _ = run(runner, "--data", str(DATA), "stats")
    assert code == 0
    for label in ("events", "persons", "states", "claims", "disagreements", "Wikidata links"):
        assert label in out


def test_bad_base_iri(runner: CliRunner) -> None:
    code, _, err = run(runner, "--data", str(DATA), "--base", "not an iri", "stats")
    assert code == 2
    assert "bad base IRI" in err


# --- bad input: one case per kind of mistake --------------------------------------------

def edit_row(path: Path, match: str, column: str, value: str) -> int:
    """Set ``column`` of the row whose first cell is ``match``; return its line number."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for i, row in enumerate(rows):
        if row and row[0] == match:
            row[header.index(column)] = value
            with path.open("w", encoding="utf-8", newline="") as fh:
                csv.writer(fh, lineterminator="\n").writerows(rows)
            return i + 1
    raise AssertionError(f"no row {match!r} in {path}")


def append_line(path: Path, line: str) -> int:
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


CLAIM = "invasion-place"
CASES = {
    "malformed-csv": ("claims.csv", lambda d: append_line(
        d / "claims.csv", 'broken,"warsaw-pact-invasion,place'), "a quoted cell is never closed"),
    "wrong-cell-count": ("events.csv", lambda d: append_line(
        d / "events.csv", "extra-event,event,An event"), "expected 7 cells"),
    "dangling-reference": ("claims.csv", lambda d: edit_row(
        d / "claims.csv", CLAIM, "object", "czechoslovkia"),
        "unknown reference 'czechoslovkia' (did you mean 'czechoslovakia'?)"),
    "impossible-date": ("claims.csv", lambda d: edit_row(
        d / "claims.csv", "invasion-date-21-august", "object", "1968-02-30"),
        "impossible date '1968-02-30'"),
    "duplicate-slug": ("persons.csv", lambda d: append_line(
        d / "persons.csv", "jan-palach,person,Jan Palach again,,,,"),
        "duplicate slug 'jan-palach'"),
    "malformed-slug": ("places.csv", lambda d: append_line(
        d / "places.csv", "Old_Town,square,Old Town Square,,,,"), "malformed slug 'Old_Town'"),
    "locator-outside-source": ("claims.csv", lambda d: edit_row(
        d / "claims.csv", CLAIM, "locators", "cvce-invasion:2000-2100"),
        "lies outside its source (2022 code points"),
    "unknown-rank": ("claims.csv", lambda d: edit_row(
        d / "claims.csv", CLAIM, "rank", "prefered"),
        "unknown rank 'prefered' (did you mean 'preferred'?)"),
    "unverified-qid": ("persons.csv", lambda d: edit_row(
        d / "persons.csv", "jan-palach", "qid", "Q42"), "not in the verified list"),
    "bad-iri": ("sources.csv", lambda d: edit_row(
        d / "sources.csv", "cvce-invasion", "url", "http://exa mple.org/x"), "bad IRI in url"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case: str, data_copy: Path, tmp_path: Path, runner: CliRunner) -> None:
    file, breaker, message = CASES[case]
    out = tmp_path / "dist"
    code, _, _ = run(runner, "--data", str(data_copy), "build", "-o", str(out))
    assert code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    line = breaker(data_copy)
    code, stdout, stderr = run(runner, "--data", str(data_copy), "build", "-o", str(out))
    assert code == 2
    assert f"data/{file}:{line}: " in stderr
    assert message in stderr
    assert "Traceback" not in stderr + stdout
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_missing_data_file(data_copy: Path, runner: CliRunner) -> None:
    (data_copy / "places.csv").unlink()
    code, _, err = run(runner, "--data", str(data_copy), "stats")
    assert code == 2
    assert "data/places.csv: missing data file" in err


def test_unknown_column_is_named(data_copy: Path, runner: CliRunner) -> None:
    path = data_copy / "states.csv"
    text = path.read_text(encoding="utf-8").replace("label_en", "lable_en", 1)
    path.write_text(text, encoding="utf-8")
    code, _, err = run(runner, "--data", str(data_copy), "stats")
    assert code == 2
    assert "data/states.csv:1: unknown column 'lable_en' (did you mean 'label_en'?)" in err


def test_violations_exit_1_and_keep_output(data_copy: Path, tmp_path: Path,
                                           runner: CliRunner) -> None:
    # Passes the record checks but breaks a shape: Romania both refuses and takes part.
    out = tmp_path / "dist"
    assert run(runner, "--data", str(data_copy), "build", "-o", str(out))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    append_line(data_copy / "claims.csv",
                "romania-took-part,warsaw-pact-invasion,participant,"
                "socialist-republic-of-romania,invader,,,,,,cvce-invasion:776-869,,")
    code, _, err = run(runner, "--data", str(data_copy), "build", "-o", str(out))
    assert code == 1
    assert "cwsh:RefuserIsNotParticipant" in err
    # The files were staged as they were rendered; none replaced a file, none is left over.
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    fresh = tmp_path / "new" / "dist"  # and folders made for them are removed again
    assert run(runner, "--data", str(data_copy), "build", "-o", str(fresh))[0] == 1
    assert not (tmp_path / "new").exists()


def test_debug_shows_traceback_and_plain_run_does_not(data_copy: Path) -> None:
    edit_row(data_copy / "claims.csv", CLAIM, "rank", "prefered")
    cmd = [sys.executable, "-m", "coldwar_lod", "--data", str(data_copy), "stats"]
    plain = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    debug = subprocess.run([*cmd[:3], "--debug", *cmd[3:]], capture_output=True, text=True,
                           check=False)
    assert debug.returncode == 1 and "Traceback" in debug.stderr
