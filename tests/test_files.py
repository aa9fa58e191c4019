"""Atomic writes (:mod:`coldwar_lod.files`): all targets replaced, or none."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_staged_files_replace_all_targets_or_none(tmp_path: Path) -> None:
    from coldwar_lod.errors import InputError
    from coldwar_lod.files import StagedFiles, write_files

    out = tmp_path / "out"
    first = write_files({out / "a.ttl": b"old a\n", out / "b.ttl": b"old b\n"})
    assert first == {out / "a.ttl": 6, out / "b.ttl": 6}
    (tmp_path / "blocker").write_bytes(b"a file where a folder is needed")
    with StagedFiles() as staged:
        staged.add(out / "a.ttl", b"new a\n")
        staged.add(tmp_path / "blocker" / "c.ttl", b"cannot be written\n")  # fails, later
        staged.add(out / "b.ttl", b"new b\n")
        with pytest.raises(InputError, match=r"cannot write .*blocker"):
            staged.commit()
    assert (out / "a.ttl").read_bytes() == b"old a\n"
    assert (out / "b.ttl").read_bytes() == b"old b\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.ttl", "b.ttl"]  # no temporary file


def test_staged_files_are_removed_when_the_block_fails(tmp_path: Path) -> None:
    from coldwar_lod.files import StagedFiles

    (tmp_path / "kept").mkdir()
    with pytest.raises(KeyboardInterrupt), StagedFiles() as staged:
        staged.add(tmp_path / "a.ttl", b"x" * 5_000_000)
        staged.add(tmp_path / "kept" / "b.ttl", b"y\n")
        staged.add(tmp_path / "made" / "deeper" / "c.ttl", b"z\n")
        raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept"]  # the folder it made: gone
    assert list((tmp_path / "kept").iterdir()) == []
