"""Hostile and careless input, class by class (issue 14): each gets a clear message naming the
file and line, a documented exit code, no traceback, bounded memory, and no earlier output
changed. Hostile servers are tested beside the loader (tests/sparql/)."""

from __future__ import annotations

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
