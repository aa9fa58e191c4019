"""The oxigraph engine in a child process, for large builds (see ``pipeline.build_and_render``).

``python -m coldwar_lod._validator BASE`` reads the data as N-Triples (with canonical literals,
as a build writes them) on standard input and writes its outcome as JSON on standard output:
``{"results": [[severity, focus, path, shape, component, message, value], ...], "labels":
{iri: label}}``, or ``{"note": why the engine cannot validate this data}``.

A process of its own validates beside the parent's sorting and rendering without sharing its
GIL, and its memory (the store) is returned to the system when it exits.
:class:`ChildValidation` starts one and collects its outcome.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
import tempfile
import threading
from types import TracebackType

from . import shacl
from .validation import Outcome, oxigraph_outcome


def encode(outcome: Outcome | str) -> bytes:
    """The JSON this process writes."""
    if isinstance(outcome, str):
        return json.dumps({"note": outcome}).encode()
    results, labels = outcome
    return json.dumps({"results": [dataclasses.astuple(r) for r in results],
                       "labels": labels}, ensure_ascii=False).encode()


def decode(payload: bytes) -> Outcome | str:
    """What :func:`encode` wrote."""
    data = json.loads(payload)
    if "note" in data:
        return str(data["note"])
    return [shacl.RawResult(*row) for row in data["results"]], dict(data["labels"])


class ChildValidation:
    """A validating child process: started, handed the data, asked for its outcome.

    The data is written to the child by a thread, so the caller goes on at once (a pipe write
    releases the GIL) and holds no reference to it; the child loads it as it arrives. Its
    error output goes to a temporary file, so that neither pipe can fill up while the other
    is read. Used as a context manager, the child is killed if the block fails.

    >>> from coldwar_lod import build
    >>> with ChildValidation(build().space.base) as child:
    ...     child.send(build().ntriples())
    ...     results, labels = child.outcome()
    >>> len(results), len(labels)
    (24, 24)
    """

    def __init__(self, base: str) -> None:
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "coldwar_lod._validator", base],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors)
        self._writer: threading.Thread | None = None

    def send(self, ntriples: bytes) -> None:
        """Hand the data (N-Triples, canonical literals) to the child; returns at once."""
        stdin = self._process.stdin
        assert stdin is not None and self._writer is None

        def write(data: bytes) -> None:
            try:
                stdin.write(data)
            except BrokenPipeError:  # the child is gone; its exit status tells why
                pass
            finally:
                with contextlib.suppress(BrokenPipeError):
                    stdin.close()

        self._writer = threading.Thread(target=write, args=(ntriples,), daemon=True)
        self._writer.start()

    def outcome(self) -> Outcome | str:
        """Wait for the child; its outcome (or why the engine stepped aside).

        :raises RuntimeError: if the child failed (its error output is in the message).
        """
        assert self._writer is not None, "send() first"
        self._writer.join()
        stdout = self._process.stdout
        assert stdout is not None
        out = stdout.read()
        stdout.close()
        code = self._process.wait()
        if code != 0:
            self._errors.seek(0)
            err = self._errors.read().decode(errors="replace")
            raise RuntimeError(f"the validation process failed (exit {code}): {err[-2000:]}")
        return decode(out)

    def close(self) -> None:
        """Kill the child if it still runs, and release its files."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._writer is not None:  # it ends once the child is gone (a broken pipe)
            self._writer.join()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()
        self._errors.close()

    def __enter__(self) -> ChildValidation:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def main(argv: list[str]) -> int:
    (base,) = argv
    # Loaded as it arrives: no copy of the whole document here.
    # Written by the parent's pyoxigraph serializer from checked terms: no need to check the
    # IRIs again (trusted).
    sys.stdout.buffer.write(encode(oxigraph_outcome([], base, sys.stdin.buffer, canonical=True,
                                                    trusted=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
