"""Smoke run of the benchmark (benchmarks/) at its smallest size, so that it keeps working.

The generator scales the real data by 1 (the smallest copy it writes) and the runner times
every stage once, in a temporary folder. pySHACL is skipped (it takes about 20 s here and
is the naive reference, not our pipeline), and so are the differential check and most of the
start-up runs; the full benchmark is ``python -m benchmarks.run`` (see benchmarks/README.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("bench")
    cmd = [sys.executable, "-m", "benchmarks.run", "--sizes", "1", "--runs", "1",
           "--naive-skip-validate", "--naive", "always", "--no-differential",
           "--startup-runs", "1", "--query-reps", "1", "--quiet", "--profile", "1",
           "--work", str(tmp / "work"), "--results", str(tmp / "results")]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    results = tmp / "results"
    reports = sorted(p for p in results.glob("*.json") if p.stem.count("-") == 2)
    assert len(reports) == 1, list(results.iterdir())
    tables = list(results.glob("*.md"))
    assert len(tables) == 1
    return {"report": json.loads(reports[0].read_text(encoding="utf-8")),
            "table": tables[0].read_text(encoding="utf-8")}


def test_generated_data_conforms(smoke: dict[str, object]) -> None:
    (size,) = smoke["report"]["sizes"]  # type: ignore[index]
    assert size["factor"] == 1
    assert size["triples"] > 1000
    assert size["conforms"] is True
    assert size["pipeline"]["read"]["runs"] == 1


def test_every_stage_is_timed(smoke: dict[str, object]) -> None:
    from benchmarks.run import BUILD_STAGES, FLOOR_STAGES, PIPELINE_STAGES, SERIALIZE_STAGES

    (size,) = smoke["report"]["sizes"]  # type: ignore[index]
    for stage in (*PIPELINE_STAGES, *BUILD_STAGES, *SERIALIZE_STAGES, "validate (turbo)",
                  "store load (embedded)"):
        entry = size["pipeline"][stage]
        assert 0 < entry["median"] < 60, stage
        assert 10 < entry["peak_mib"] < 4096, stage
    for stage in FLOOR_STAGES:
        assert 0 < size["floor"][stage]["median"] < 60, stage
    assert 0 < size["end_to_end"]["median"] < 60
    assert 10 < size["end_to_end"]["peak_mib"] < 4096
    # the command and its children, sampled: at least the command's own peak, roughly
    assert size["end_to_end"]["peak_mib"] * 0.5 < size["end_to_end"]["tree_peak_mib"] < 4096
    naive = size["naive"]["stages"]
    assert set(naive) == {"build", "serialize turtle", "serialize json-ld"}
    total = size["pipeline_total"]["median"]
    assert total == pytest.approx(sum(size["pipeline"][s]["median"] for s in BUILD_STAGES))
    serial = size["serial_total"]["median"]
    assert serial == pytest.approx(sum(size["pipeline"][s]["median"] for s in PIPELINE_STAGES))
    assert size["ratios"]["pipeline_over_floor"] > 0


def test_site_rows(smoke: dict[str, object]) -> None:
    (size,) = smoke["report"]["sizes"]  # type: ignore[index]
    site = size["site"]
    assert "error" not in site, site
    assert 0 < site["median"] < 120
    assert site["files"] > 5 * 700 and site["bytes"] > 10_000_000
    documents = size["site_documents"]
    assert set(documents["seconds"]) == {"rdflib", "coldwar-lod"}
    assert 0 < documents["sample"] <= documents["documents"]
    assert all(seconds > 0 for seconds in documents["seconds"].values())


def test_every_shipped_query_runs(smoke: dict[str, object]) -> None:
    (size,) = smoke["report"]["sizes"]  # type: ignore[index]
    shipped = {p.name for p in (ROOT / "queries").glob("*.rq")}
    assert set(size["queries"]) == shipped
    for name, entry in size["queries"].items():
        assert "error" not in entry, (name, entry)
        if "skipped" not in entry:
            assert 0 < entry["median"] < 10, name


def test_oxigraph_loads(smoke: dict[str, object]) -> None:
    (size,) = smoke["report"]["sizes"]  # type: ignore[index]
    oxigraph = size["oxigraph"]
    if "skipped" in oxigraph:
        pytest.skip(oxigraph["skipped"])
    assert 0 < oxigraph["bulk"]["median"] < 60
    assert 0 < oxigraph["http"]["median"] < 60
    if "load_store" in oxigraph:
        assert "error" not in oxigraph["load_store"], oxigraph["load_store"]


def test_table_and_startup(smoke: dict[str, object]) -> None:
    table = smoke["table"]
    assert isinstance(table, str)
    for label in ("read", "map", "sort", "validate", "files", "write", "serialize json-ld",
                  "coldwar-lod build", "naive total", "floor total", "build / floor",
                  "`coldwar-lod site`", "written by rdflib's serializers",
                  "Start-up", "Machine:", "Command:"):
        assert label in table, label
    startup = smoke["report"]["startup"]  # type: ignore[index]
    assert startup["ratio"] > 0
