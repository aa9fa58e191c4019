"""pySHACL's reports on every shape fixture and on the real data, kept as a golden file.

pySHACL is the reference the project's engines are compared with (``test_engines.py``), and the
slowest of the three: running it on every fixture and on the real data took more than half of
the test suite. Its reports are kept in ``tests/golden/pyshacl.json``, each under a key made of
everything the report depends on (the data, the shapes, the ontology, pySHACL's version), so a
report whose inputs changed is stale and fails the tests instead of passing. Regenerate on
purpose with::

    python -m tests.validation.pyshacl_golden
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pyshacl

from coldwar_lod.namespaces import IriSpace
from coldwar_lod.rdfio import read_rdf
from coldwar_lod.resources import merged_shapes_bytes, ontology_bytes
from coldwar_lod.validation.engines import validate_triples

from ..conftest import DATA, FIXTURES, GOLDEN_ROOT

GOLDEN = GOLDEN_ROOT / "pyshacl.json"
SPACE = IriSpace.from_base()
SHAPES = FIXTURES / "shapes"
#: Every shape fixture, by its path under tests/fixtures.
CASES = sorted([SHAPES / "base.ttl", *(SHAPES / "invalid").glob("*.ttl"),
                *(SHAPES / "valid").glob("*.ttl")])
#: The name of the real data's entry.
REAL_DATA = "data/"

Keys = tuple[bool, list[tuple[str, ...]]]


def name_of(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def key_of(data: bytes) -> str:
    """What a report depends on: the data, the shapes, the ontology and pySHACL's version."""
    digest = hashlib.sha256()
    for part in (data, merged_shapes_bytes(SPACE.base), ontology_bytes(SPACE.base),
                 pyshacl.__version__.encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def keys(triples: list, validator: str) -> Keys:  # type: ignore[type-arg]
    """Conformance, and each result as (severity, focus, path, source shape, component)."""
    report = validate_triples(triples, SPACE, validator=validator)
    return report.conforms, sorted(r.key() for r in report.results)


def real_data() -> tuple[bytes, list]:  # type: ignore[type-arg]
    """The real data as N-Triples (what the key is made of) and as triples."""
    import coldwar_lod

    built = coldwar_lod.build(DATA)
    return built.ntriples(), built.triples


def entry(data: bytes, triples: list) -> dict[str, object]:  # type: ignore[type-arg]
    conforms, results = keys(triples, "pyshacl")
    return {"key": key_of(data), "conforms": conforms, "results": [list(r) for r in results]}


def load() -> dict[str, dict[str, object]]:
    """The golden reports, by fixture name (``{}`` if there is no golden file yet)."""
    return json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.is_file() else {}


def main() -> int:
    reports = {name_of(path): entry(path.read_bytes(), read_rdf([path])) for path in CASES}
    reports[REAL_DATA] = entry(*real_data())
    GOLDEN.write_text(json.dumps(reports, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}: {len(reports)} reports (pySHACL {pyshacl.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
