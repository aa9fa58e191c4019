"""Hostile and careless input, class by class (issue 14): each gets a clear message naming the
file and line, a documented exit code, no traceback, bounded memory, and no earlier output
changed. Hostile servers are tested beside the loader (tests/sparql/)."""

from __future__ import annotations

import csv
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import coldwar_lod
from coldwar_lod.cli import main
from coldwar_lod.errors import EXIT_INPUT, EXIT_OK

from .conftest import DATA

COMMAND = [sys.executable, "-m", "coldwar_lod"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, cwd=cwd,
                          check=False)


def laughs(levels: int) -> bytes:
    """The "billion laughs": each entity ten of the one before; ``levels`` = 9 is 10^9 bytes."""
    entities = ['<!ENTITY l0 "ha">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{chr(10).join(entities)}\n]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="http://example.org/a">'
            f'<ex:p>&l{levels};</ex:p></rdf:Description>\n</rdf:RDF>\n').encode()


@pytest.mark.parametrize("suffix", [".rdf", ".owl", ".xml"])
def test_entity_expansion_in_rdf_xml_is_refused_in_bounded_memory(tmp_path: Path,
                                                                    suffix: str) -> None:
    bomb = tmp_path / f"bomb{suffix}"
    bomb.write_bytes(laughs(9))

    def limit() -> None:  # 1 GiB: the expansion would need 2 GB and more
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = subprocess.run([*COMMAND, "validate", str(bomb)], capture_output=True, text=True,
                          preexec_fn=limit, timeout=60, check=False)
    assert done.returncode == EXIT_INPUT
    assert done.stderr.startswith(f"error: {bomb}:2: XML with a document type declaration")
    assert "Traceback" not in done.stderr


def test_external_entities_and_utf16_xml_are_refused(tmp_path: Path) -> None:
    xxe = tmp_path / "xxe.rdf"
    xxe.write_text('<?xml version="1.0"?>\n\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
                   encoding="utf-8")
    utf16 = tmp_path / "wide.rdf"
    utf16.write_text('<?xml version="1.0" encoding="UTF-16"?><rdf:RDF '
                     'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
                     encoding="utf-16")
    for path, message in ((xxe, f"{xxe}:3: XML with a document type declaration"),
                          (utf16, f"{utf16}: XML in UTF-16 is refused")):
        result = CliRunner().invoke(main, ["validate", str(path)])
        assert result.exit_code == EXIT_INPUT
        assert result.stderr.startswith(f"error: {message}")


def test_a_missing_data_folder_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["--data", str(tmp_path / "nowhere"), "build", "-o",
                                  str(tmp_path / "dist")])
    assert result.exit_code == EXIT_INPUT
    assert result.stderr == f"error: no such data folder: {tmp_path / 'nowhere'}\n"


def test_an_incomplete_data_folder_is_an_error_not_another_dataset(tmp_path: Path) -> None:
    """``./data`` without claims.csv: the build names the missing file and leaves ``dist/``."""
    shutil.copytree(DATA, tmp_path / "data")
    (tmp_path / "data" / "claims.csv").unlink()
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "coldwar-lod.ttl").write_text("the last good build\n")
    done = run("build", cwd=tmp_path)
    assert done.returncode == EXIT_INPUT
    assert ("error: data/claims.csv: missing data file (every data folder has claims.csv)"
            in done.stderr)
    assert (tmp_path / "dist" / "coldwar-lod.ttl").read_text() == "the last good build\n"


def test_unlinked_never_writes_into_the_installed_package(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """With the data shipped inside the package (an installed wheel), the list goes to the
    working directory."""
    from coldwar_lod import resources

    packaged = tmp_path / "site-packages" / "coldwar_lod" / "_resources"
    shutil.copytree(DATA, packaged / "data")
    monkeypatch.setattr(resources, "_PACKAGED", packaged)
    monkeypatch.chdir(tmp_path)
    before = (packaged / "data" / "unlinked.tsv").read_bytes()
    target, count = coldwar_lod.write_unlinked()
    assert target == Path("unlinked.tsv") and (tmp_path / "unlinked.tsv").is_file()
    assert count > 100 and (packaged / "data" / "unlinked.tsv").read_bytes() == before


def test_csv_cells_are_not_run_as_formulas(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text('SELECT ?v WHERE { VALUES ?v { "=cmd|\' /C calc\'!A0" "+1+1" "@SUM(1)" '
                     '"-2" "plain" } }\n', encoding="utf-8")
    safe = CliRunner().invoke(main, ["query", str(query), "-f", "csv"])
    assert safe.exit_code == EXIT_OK
    assert safe.stdout.splitlines() == ["v", "'=cmd|' /C calc'!A0", "'+1+1", "'@SUM(1)",
                                        "-2", "plain"]
    raw = CliRunner().invoke(main, ["query", str(query), "-f", "csv", "--raw-csv"])
    assert raw.stdout.splitlines()[1:4] == ["=cmd|' /C calc'!A0", "+1+1", "@SUM(1)"]


@pytest.mark.parametrize("command", [["stats"], ["queries"], ["export", "-f", "nt"]])
def test_a_reader_that_stops_reading_ends_the_command_quietly(command: list[str]) -> None:
    process = subprocess.Popen([*COMMAND, *command], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head` that has read what it wanted
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == EXIT_OK
    assert errors == ""


def test_main_options_are_taken_after_the_command(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", "--validator", "turbo", "-q",
                                  "--data", str(DATA)])
    assert result.exit_code == EXIT_OK
    assert result.stdout.endswith("[turbo]\n")
    result = runner.invoke(main, ["stats", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == EXIT_INPUT and "no such data folder" in result.stderr


def test_validating_a_file_without_triples_says_nothing_was_checked(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("# nothing here\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(empty)])
    assert result.exit_code == EXIT_INPUT
    assert result.stderr == f"error: no triples in {empty}: nothing to validate\n"


def test_report_lines_come_in_reading_order(built: coldwar_lod.Build) -> None:
    where = [r.where for r in coldwar_lod.validate(built).warnings]
    lines = [(w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1])) for w in where]
    assert lines == sorted(lines) and len(set(lines)) > 10
    assert all(w.startswith("data/") for w in where)


def build_errors(data: Path) -> list[str]:
    """What ``coldwar-lod build`` says about the records in ``data`` (one line per error)."""
    result = CliRunner().invoke(main, ["--data", str(data), "validate"])
    assert result.exit_code == EXIT_INPUT, result.output
    assert "Traceback" not in result.output
    return [line.removeprefix("error: ") for line in result.stderr.splitlines()
            if line.startswith("error: ")]


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "column"), [
    ("events.csv", "Prague Spring,", "Prague\x00Spring,", "label_en"),
    ("claims.csv", "The only source that gives the day.", "The only source\x07 that gives",
     "note"),
    ("persons.csv", ",Q", ",\x1bQ", "qid"),
])
def test_control_characters_are_refused_in_every_file_and_column(
        data_copy: Path, file: str, old: str, new: str, column: str) -> None:
    path = data_copy / file
    line = path.read_text(encoding="utf-8").split(old, 1)[0].count("\n") + 1
    replace_in(path, old, new)
    (error,) = build_errors(data_copy)
    assert error.startswith(f"data/{file}:{line}: {column}: control character U+00")


def test_line_separators_inside_cells_keep_the_line_numbers(data_copy: Path) -> None:
    """U+2028, form feed and NEL are characters of a cell, not line ends."""
    events = data_copy / "events.csv"
    replace_in(events, "The 1968 reform", "The 1968\u2028reform\x85and\u2029")
    lines = events.read_text(encoding="utf-8").split("\n")
    lines[5] = lines[5].replace(",", ",,", 1)  # one cell too many, on line 6
    events.write_text("\n".join(lines), encoding="utf-8")
    assert build_errors(data_copy) == [
        "data/events.csv:6: expected 7 cells (as in the header), found 8"]


def test_an_unclosed_quote_is_reported_where_it_opens(data_copy: Path) -> None:
    events = data_copy / "events.csv"
    original = events.read_text(encoding="utf-8")
    lines = original.rstrip("\n").split("\n")
    lines[-1] = lines[-1].replace(",", ',"', 1)  # never closed: the file ends inside it
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (error,) = build_errors(data_copy)
    assert error.startswith(f"data/events.csv:{len(lines)}: a quoted cell is never closed")
    lines = original.split("\n")
    lines[3] = lines[3].replace(",", ',"', 1)  # closed by the next quote, lines further on
    events.write_text("\n".join(lines), encoding="utf-8")
    (error,) = build_errors(data_copy)
    assert error.startswith("data/events.csv:4: malformed CSV: ")
    assert "the parser stopped at line 9" in error


def test_a_data_file_that_is_a_folder_is_an_input_error(data_copy: Path) -> None:
    (data_copy / "works.csv").unlink()
    (data_copy / "works.csv").mkdir()
    assert build_errors(data_copy) == ["data/works.csv: cannot read the data file: Is a directory"]


def test_a_source_file_outside_the_sources_folder_is_refused(data_copy: Path) -> None:
    replace_in(data_copy / "sources.csv", "000_58053fec6a5b9db9.txt", "../../etc/passwd")
    (error,) = build_errors(data_copy)
    assert error == ("data/sources.csv:2: file must be a file name inside the sources folder, "
                     "not '../../etc/passwd' (no folders, no '..')")


def test_a_source_text_that_is_not_the_one_recorded_is_an_error(
        data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the texts at hand, a wrong checksum or length in sources.csv stops the build."""
    texts = tmp_path / "texts"
    texts.mkdir()
    with (data_copy / "sources.csv").open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            (texts / row["file"]).write_text("not the text\n", encoding="utf-8")
    monkeypatch.setenv("COLDWAR_LOD_SOURCES", str(texts))
    (error,) = build_errors(data_copy)
    assert error.startswith("data/sources.csv:2: ")
    assert "has SHA-256" in error and "the record says 5002057510" in error


def test_what_a_load_reports_prints_small(built: coldwar_lod.Build) -> None:
    """The objects a load hands back print as a few lines, not as the million triples they
    carry (a load report's repr was 3.7 MB)."""
    from coldwar_lod.sparql.load import dataset_graphs

    uploads = dataset_graphs(built)
    assert sum(len(u.triples) for u in uploads) > 10_000
    assert all(len(repr(u)) < 300 for u in uploads)
