"""A user's script of the public API, type-checked with ``mypy --strict`` by the test command.

It is what a user's type checker sees: every name comes from ``coldwar_lod`` itself, and the
package ships ``py.typed`` (``tests/test_api.py`` checks that the wheel carries it).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import coldwar_lod


def main() -> int:
    build: coldwar_lod.Build = coldwar_lod.build()
    report: coldwar_lod.ValidationReport = coldwar_lod.validate(build)
    violations: list[coldwar_lod.ValidationResult] = report.violations
    turtle: bytes = build.serialize("turtle")
    done: coldwar_lod.Outcome = coldwar_lod.write_dataset(Path(tempfile.mkdtemp()))
    sizes: dict[Path, int] = done.files
    query: coldwar_lod.NamedQuery = coldwar_lod.shipped_queries()["timeline"]
    result: coldwar_lod.QueryResult = coldwar_lod.run_query(query, build)
    endpoint = coldwar_lod.Endpoint.from_url("http://127.0.0.1:7878", env={})
    stats: coldwar_lod.Stats = coldwar_lod.count(build.records)
    short = coldwar_lod.shortener(build.space.prefixes())
    try:
        coldwar_lod.load_query("no-such-query")
    except coldwar_lod.InputError as exc:
        message: str = str(exc)
    print(len(violations), len(turtle), len(sizes), len(result.rows), endpoint.query_url,
          stats.claims, short(build.space.base + "id/event/prague-spring"), message)
    return 0 if report.conforms else 1


if __name__ == "__main__":
    raise SystemExit(main())
