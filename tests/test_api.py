"""The public API: every name documented with a runnable example, typed and shipped as such;
the jobs write, export or load only data that conforms."""

from __future__ import annotations

import inspect
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import coldwar_lod

from .conftest import ROOT

#: Names in ``__all__`` that are not callables or classes (no docstring of their own).
DATA_NAMES = {"__version__"}


@pytest.mark.parametrize("name", sorted(set(coldwar_lod.__all__) - DATA_NAMES))
def test_every_public_name_has_a_runnable_example(name: str) -> None:
    """pytest runs the examples (``--doctest-modules``); here: each name has one."""
    doc = inspect.getdoc(getattr(coldwar_lod, name)) or ""
    assert ">>>" in doc, f"coldwar_lod.{name} has no runnable example in its docstring"


def test_every_public_name_resolves() -> None:
    assert sorted(coldwar_lod.__all__) == sorted(set(coldwar_lod.__all__))
    for name in coldwar_lod.__all__:
        assert getattr(coldwar_lod, name) is not None
    with pytest.raises(AttributeError):
        coldwar_lod.no_such_name  # noqa: B018


def test_the_cli_uses_only_the_public_api() -> None:
    """``cli/`` imports ``coldwar_lod`` and its errors, nothing else of the library."""
    for module in (ROOT / "src" / "coldwar_lod" / "cli").glob("*.py"):
        source = module.read_text(encoding="utf-8")
        imports = {line.split()[1] for line in source.splitlines()
                   if line.startswith(("from .", "import coldwar_lod", "from coldwar_lod"))}
        assert imports <= {"coldwar_lod", "..", "..errors", ".", ".app"}, (module, imports)


def test_the_wheel_ships_py_typed(tmp_path: Path) -> None:
    """Users' type checkers read the package's types only if the wheel carries ``py.typed``
    (PEP 561); ``tests/typing/public_api.py`` is checked with ``mypy --strict``."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path), str(ROOT)], check=True)
    (wheel,) = tmp_path.glob("coldwar_lod-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "coldwar_lod/py.typed" in names
    assert "coldwar_lod/_resources/shapes/claim.ttl" in names  # the package data too


def test_a_job_writes_nothing_when_the_data_does_not_conform(data_copy: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert coldwar_lod.write_dataset(out, data_copy).files
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with (data_copy / "claims.csv").open("a", encoding="utf-8") as claims:
        # a state that refused to join as a participant: RefuserIsNotParticipant
        claims.write("romania-took-part,warsaw-pact-invasion,participant,"
                     "socialist-republic-of-romania,,,,,,,video-romania-refusal:4094-4176,,\n")
    outcome = coldwar_lod.write_dataset(out, data_copy)
    assert not outcome.conforms and outcome.files == {}
    assert any(r.source_shape.endswith("#RefuserIsNotParticipant")
               for r in outcome.report.violations)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    exported, content = coldwar_lod.export("turtle", tmp_path / "x.ttl", data_copy)
    assert not exported.conforms and content == b"" and not (tmp_path / "x.ttl").exists()
