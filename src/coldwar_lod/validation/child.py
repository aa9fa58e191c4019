"""The oxigraph engine in a child process, for large builds (:mod:`coldwar_lod.parallel`).

``python -m coldwar_lod.validation.child BASE`` reads the data as N-Triples (with canonical
literals, as a build writes them) on standard input, in chunks (each an 8-byte big-endian
length, then that many bytes of whole N-Triples statements; the input ends with the last
chunk), and writes its outcome as JSON on standard output: ``{"results": [[severity, focus,
path, shape, component, message, value], ...], "labels": {iri: label}}``, or ``{"note": why
the engine cannot validate this data}``.

A process of its own loads the data as the parent maps it, and validates beside the parent's
sorting and rendering, without sharing its GIL; its memory (the store) is returned to the
system when it exits. :class:`ChildValidation` starts one, feeds it and collects its outcome.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import queue
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import BinaryIO

from .oxigraph import oxigraph_outcome
from .report import Outcome, RawResult


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
    return [RawResult(*row) for row in data["results"]], dict(data["labels"])


class ChildValidation:
    """A validating child process: started, fed the data, asked for its outcome.

    The data is written to the child by a thread, so the caller goes on at once (a pipe write
    releases the GIL) and holds no reference to it; the child loads each chunk as it arrives.
    Its error output goes to a temporary file, so that neither pipe can fill up while the
    other is read. Used as a context manager, the child is killed if the block fails.

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
            [sys.executable, "-m", "coldwar_lod.validation.child", base],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors)
        self._chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._finished = False

    def feed(self, ntriples: bytes) -> None:
        """Hand over a chunk of the data (whole N-Triples statements, canonical literals);
        returns at once."""
        assert not self._finished, "fed after finish()"
        if self._writer is None:
            self._writer = threading.Thread(target=self._write, daemon=True)
            self._writer.start()
        self._chunks.put(ntriples)

    def finish(self) -> None:
        """Tell the child that the data is complete."""
        if self._writer is None:
            self.feed(b"")
        self._finished = True
        self._chunks.put(None)

    def send(self, ntriples: bytes) -> None:
        """Hand over the whole data at once: :meth:`feed` then :meth:`finish`."""
        self.feed(ntriples)
        self.finish()

    def _write(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            while (chunk := self._chunks.get()) is not None:
                stdin.write(struct.pack(">Q", len(chunk)))
                stdin.write(chunk)
        except (BrokenPipeError, ValueError):  # the child is gone (or killed): its exit
            while self._chunks.get() is not None:  # status tells why; later chunks are
                pass  # dropped as they come
        finally:
            with contextlib.suppress(BrokenPipeError):
                stdin.close()

    def outcome(self) -> Outcome | str:
        """Wait for the child; its outcome (or why the engine stepped aside).

        :raises RuntimeError: if the child failed (its error output is in the message).
        """
        assert self._writer is not None and self._finished, "send() or finish() first"
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
            self._chunks.put(None)  # or at once, if it waits for a chunk
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


def chunks(stream: BinaryIO) -> Iterator[bytes]:
    """The chunks of the input, each as it arrives.

    :raises EOFError: if the input ends inside a chunk.
    """
    while head := stream.read(8):
        if len(head) < 8:
            raise EOFError("the input ends inside a chunk's length")
        (size,) = struct.unpack(">Q", head)
        chunk = stream.read(size)
        if len(chunk) < size:
            raise EOFError(f"the input ends inside a chunk ({len(chunk)} of {size} bytes)")
        yield chunk


def main(argv: list[str]) -> int:
    (base,) = argv
    # Each chunk is loaded as it arrives, while the parent maps the next.
    # Written by the parent's pyoxigraph serializer from checked terms: no need to check the
    # IRIs again (trusted).
    sys.stdout.buffer.write(encode(oxigraph_outcome([], base, chunks(sys.stdin.buffer),
                                                    canonical=True, trusted=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
