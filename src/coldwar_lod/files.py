"""Writing files atomically: all of them replace their targets, or none does.

The only way this package writes a file.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from .errors import InputError


def write_files(files: Mapping[Path, bytes]) -> dict[Path, int]:
    """Write several files so that either all are replaced or none is (:class:`StagedFiles`).

    :returns: path -> size in bytes.
    :raises InputError: if a folder cannot be created or a file cannot be written.
    """
    with StagedFiles() as staged:
        for path, content in files.items():
            staged.add(path, content)
        return staged.commit()


class StagedFiles:
    """Files that replace their targets all together or not at all, written while the caller
    goes on.

    :meth:`add` hands a file to a thread, which writes it in full, and syncs it to disk, to a
    temporary file beside its target; meanwhile the caller renders the next one (the writes
    and syncs release the GIL). :meth:`commit` waits for the writes, then renames each
    temporary file over its target. Leaving the ``with`` block without committing (an error,
    data that does not conform) removes the temporary files: every target stays as it was.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with StagedFiles() as staged:
    ...     staged.add(folder / "a.nt", b"")
    ...     staged.add(folder / "b.nt", b"<urn:a> <urn:b> <urn:c> .\\n")
    ...     sizes = staged.commit()
    >>> sorted((path.name, size) for path, size in sizes.items())
    [('a.nt', 0), ('b.nt', 26)]
    >>> with StagedFiles() as staged:  # not committed: nothing changes
    ...     staged.add(folder / "a.nt", b"<urn:a> <urn:b> <urn:c> .\\n")
    >>> sorted(path.name for path in folder.iterdir()), (folder / "a.nt").read_bytes()
    (['a.nt', 'b.nt'], b'')
    """

    def __init__(self) -> None:
        umask = os.umask(0)  # read here, not in the thread: setting it is process-wide
        os.umask(umask)
        self._mode = 0o666 & ~umask
        self._pending: queue.SimpleQueue[tuple[Path, bytes] | None] = queue.SimpleQueue()
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target), in order
        self._made: list[Path] = []  # folders made for the targets, parents first
        self._sizes: dict[Path, int] = {}
        self._error: OSError | None = None
        self._writer: threading.Thread | None = None
        self._done = False

    def add(self, path: Path, content: bytes) -> None:
        """Stage ``content`` to replace ``path``; returns at once."""
        assert not self._done, "add() after commit() or discard()"
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_all, daemon=True)
            self._writer.start()
        self._pending.put((path, content))

    def _write_all(self) -> None:
        while (item := self._pending.get()) is not None:
            if self._error is None:  # after a failure, the rest is not written
                try:
                    self._stage(*item)
                except OSError as exc:
                    self._error = exc

    def _stage(self, path: Path, content: bytes) -> None:
        missing = [folder for folder in (path.parent, *path.parent.parents)
                   if not folder.exists()]
        path.parent.mkdir(parents=True, exist_ok=True)
        self._made.extend(reversed(missing))
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._staged.append((Path(tmp), path))
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fd, self._mode)
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        self._sizes[path] = len(content)

    def _finish_writes(self) -> None:
        if not self._done:
            self._done = True
            self._pending.put(None)
        if self._writer is not None:
            self._writer.join()

    def commit(self) -> dict[Path, int]:
        """Wait for the writes, then put every file in place.

        :returns: path -> size in bytes, in the order the files were added.
        :raises InputError: if a folder cannot be created or a file cannot be written (then
            no target has changed).
        """
        self._finish_writes()
        done: list[tuple[Path, Path | None]] = []  # (target, its old version kept aside)
        try:
            if self._error is not None:
                raise self._error
            for tmp, path in self._staged:
                done.append((path, _keep_aside(path)))
                tmp.replace(path)
        except OSError as exc:
            _put_back(done)  # a rename that fails half-way must not leave some files new
            raise InputError(f"cannot write {exc.filename or 'output'}: {exc.strerror}"
                             ) from None
        for _path, old in done:
            if old is not None:
                old.unlink(missing_ok=True)
        self._staged.clear()
        self._made.clear()  # kept: they hold the files now
        return dict(self._sizes)

    def discard(self) -> None:
        """Remove the temporary files, and the folders made for them: the targets, and the
        file system, stay as they were."""
        self._finish_writes()
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()
        for folder in reversed(self._made):  # deepest first; only if still empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made.clear()

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()


def _keep_aside(path: Path) -> Path | None:
    """A hard link to the current version of ``path`` (``None`` if there is none), so that it
    can be put back."""
    if not path.is_file():
        return None
    aside = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.old")
    aside.unlink(missing_ok=True)
    try:
        os.link(path, aside)
    except OSError:  # a file system without hard links
        shutil.copyfile(path, aside)
    return aside


def _put_back(done: list[tuple[Path, Path | None]]) -> None:
    """Undo the renames already made: old versions back in place, new files removed."""
    for path, old in reversed(done):
        with contextlib.suppress(OSError):
            if old is not None:
                old.replace(path)
            elif path.is_file():
                path.unlink()
