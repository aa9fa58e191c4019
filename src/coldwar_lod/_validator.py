"""The oxigraph engine in a child process, for large builds (see ``validate_and_render``).

``python -m coldwar_lod._validator BASE`` reads the data as N-Triples (with canonical literals,
as a build writes them) on standard input and writes its outcome as JSON on standard output:
``{"results": [[severity, focus, path, shape, component, message, value], ...], "labels":
{iri: label}}``, or ``{"note": why the engine cannot validate this data}``.

A process of its own validates beside the parent's rendering of the files without sharing
its GIL, and its memory (the store) is returned to the system when it exits.
"""

from __future__ import annotations

import dataclasses
import json
import sys

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


def main(argv: list[str]) -> int:
    (base,) = argv
    ntriples = sys.stdin.buffer.read()
    sys.stdout.buffer.write(encode(oxigraph_outcome([], base, ntriples, canonical=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
