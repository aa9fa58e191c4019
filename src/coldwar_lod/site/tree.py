"""Writing the site as a whole: a new tree is written beside the old one, then swapped in.

A site has thousands of files (hundreds of thousands for the 1M-triple benchmark set), so
they are not staged one by one beside their targets as :class:`coldwar_lod.files.StagedFiles`
does (with one ``fsync`` per file; benchmarks/README.md, *Site*, has the figures): the whole
tree is written into a fresh folder next to the target, synced once, and renamed into place.
A run that fails before the swap removes its folder and leaves the previous site as it was.
Only a folder that a previous run wrote (it holds :data:`MARKER`), or an empty one, is ever
replaced, so ``-o`` pointed at the wrong folder cannot delete anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InputError

#: The file that marks a folder as a site written by ``coldwar-lod site``.
MARKER = ".coldwar-lod-site"


def check_target(out: Path) -> None:
    """Fail early if ``out`` cannot become the site.

    :raises InputError: if it is a file, or a non-empty folder this did not write.
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"cannot write the site to {out}: it is a file, not a folder")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise InputError(f"{out} is not empty and was not written by `coldwar-lod site` "
                         f"(it holds no {MARKER}); choose another folder or empty it")


def write_tree(out: Path, produce: Callable[[Path], tuple[int, int]]) -> tuple[int, int]:
    """Make the folder ``out`` with ``produce``, which writes the files into the folder it
    is given (see :func:`write_files`), replacing what a previous run wrote there all at once.

    :returns: what ``produce`` returns: the number of files and of bytes written.
    :raises InputError: if ``out`` cannot be written, or is a folder this did not write.
    """
    out = out.absolute()
    check_target(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as exc:
        raise InputError(f"cannot write the site to {out}: {exc.strerror}") from None
    try:
        written = produce(staging)
        (staging / MARKER).write_text("written by coldwar-lod site; replaced by the next run\n")
        staging.chmod(0o755)
        os.sync()
        _swap(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"cannot write the site to {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def write_files(folder: Path, files: Iterable[tuple[str, bytes]]) -> tuple[int, int]:
    """Write ``files`` (path relative to ``folder``, content) into ``folder``.

    Each file is created relative to its folder's open descriptor (``openat``), which
    costs half as much as opening it by its whole path through :mod:`pathlib` (31 against
    45-68 µs a file here: benchmarks/README.md, *Site*).

    :returns: the number of files and of bytes written.
    """
    count = size = 0
    folders: dict[str, int] = {}
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    try:
        for name, content in files:
            parent, _, base = name.rpartition("/")
            fd = folders.get(parent)
            if fd is None:
                path = folder / parent
                path.mkdir(parents=True, exist_ok=True)
                fd = folders[parent] = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            out = os.open(base, flags, 0o666, dir_fd=fd)  # as open() does: the umask rules
            try:
                view = memoryview(content)
                while view:
                    view = view[os.write(out, view):]
            finally:
                os.close(out)
            count += 1
            size += len(content)
    finally:
        for fd in folders.values():
            os.close(fd)
    return count, size


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` in the place of ``out`` (two renames; the old tree is removed after)."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        old.rmdir()
        out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        remove_later(old)


def remove_later(folder: Path) -> None:
    """Remove a folder in a detached process, so that the command does not wait for it.

    Removing thousands of small files can take longer than writing them (on ext4 without a
    journal, files created meanwhile cost up to ten times as much: benchmarks/README.md,
    *Site*); the old tree is already out of the way, under a hidden name beside the site.
    """
    subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)",
                      str(folder)], start_new_session=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
