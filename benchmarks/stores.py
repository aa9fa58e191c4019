"""Loading a store: the atomic ``load`` against one plain Graph Store PUT of the same triples and
the store's own bulk loader, for Oxigraph and Virtuoso, at 100k and 1M triples.

    .venv/bin/python -m benchmarks.stores --sizes 100k,1M --update-readme

Each measurement gets a fresh server with a fresh persistent database (RocksDB for Oxigraph,
Virtuoso's own files) on 127.0.0.1, started and stopped here; the data is the scaled copy of
``data/`` that ``benchmarks.generator`` makes (as ``benchmarks.run``). Timed, wall clock:

- *plain PUT*, *plain POST*: one GSP ``PUT`` (``POST``) of the data graph's N-Triples (what a
  user would ``curl``) into a fresh store; one graph, nothing verified;
- *atomic first load*: ``load_store`` of data, ontology and shapes into an empty store (the
  store's profile: for Oxigraph one N-Quads request, for Virtuoso temporary graphs, the swap,
  the clean-up and a checkpoint), counts verified;
- *reload*: ``load_store(..., replace=True)`` of the same version into that store (every graph
  read back and compared; nothing to write);
- *native*: the ``load.sh`` that ``export --bulk`` writes (``oxigraph load`` into a fresh
  folder; Virtuoso's ``ld_dir``/``rdf_loader_run``/``checkpoint`` through ``isql-vt``).

The results go to ``benchmarks/results/<date>-stores.json`` and, with ``--update-readme``, into
the table of ``benchmarks/README.md`` (between the ``stores:start``/``stores:end`` markers).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
START, END = "<!-- stores:start -->", "<!-- stores:end -->"
#: Virtuoso refuses a transaction whose log is above TransactionAfterImageLimit (50 MB by
#: default: a swap of about 500k triples); the atomic load of 1M needs it raised (SR325).
VIRTUOSO_PARAMETERS = {"TransactionAfterImageLimit": "1500000000"}
#: Seconds one request may take before it counts as failed (a store may hang on a big one).
PATIENCE = 300.0


def _timed(call: Callable[[], object]) -> float | str:
    """Seconds the call took, or why it failed (a store may refuse a request that big)."""
    started = time.perf_counter()
    try:
        call()
    except Exception as exc:  # recorded in the table, not fatal to the benchmark
        return f"failed: {str(exc).split('/', 3)[-1][:160]}"
    return time.perf_counter() - started


def _put(endpoint: Any, graph: str, body: bytes, method: str = "PUT") -> None:
    from coldwar_lod.sparql.http import http_request, with_param

    http_request(endpoint, method, with_param(endpoint.gsp_url, graph=graph), body=body,
                 headers={"Content-Type": "application/n-triples"}, idempotent=False)


def _handshake(endpoint: Any, graph: str) -> None:
    """One small request first, untimed, so that the PUT carries its credentials at once
    (Virtuoso asks for Digest; it closes the connection on a large PUT it refuses)."""
    from coldwar_lod.errors import EndpointError
    from coldwar_lod.sparql.http import http_request, with_param

    with contextlib.suppress(EndpointError):  # 404 (no such graph yet) is fine
        http_request(endpoint, "GET", with_param(endpoint.gsp_url, graph=graph))


def measure(store: str, build: Any, work: Path, runs: int) -> dict[str, list[float | str]]:
    """The four timings for one store, ``runs`` times each."""
    sys.path.insert(0, str(ROOT))
    from tests.server import OxigraphServer
    from tests.virtuoso import CREDENTIALS, VirtuosoServer

    from coldwar_lod.sparql.bulk import bulk_files
    from coldwar_lod.sparql.load import load_store
    from coldwar_lod.sparql.profiles import store_endpoint

    graph = build.space.base + "graph/data"
    body = build.serialize("nt")
    bulk = work / f"bulk-{store}"
    shutil.rmtree(bulk, ignore_errors=True)
    for path, content in bulk_files(build, store, bulk).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.chmod(0o755)

    def server(folder: Path) -> Any:
        shutil.rmtree(folder, ignore_errors=True)
        return (OxigraphServer(folder) if store == "oxigraph"
                else VirtuosoServer(folder, allowed=bulk, parameters=VIRTUOSO_PARAMETERS))

    out: dict[str, list[float | str]] = {"plain PUT": [], "plain POST": [],
                                         "atomic first load": [], "reload": [], "native": []}
    for run in range(runs):
        with server(work / f"{store}-put-{run}") as running:
            endpoint = store_endpoint(running.url, store, env=CREDENTIALS, timeout=PATIENCE)
            _handshake(endpoint, graph)
            out["plain PUT"].append(_timed(partial(_put, endpoint, graph, body)))
        with server(work / f"{store}-post-{run}") as running:
            endpoint = store_endpoint(running.url, store, env=CREDENTIALS, timeout=PATIENCE)
            _handshake(endpoint, graph)
            out["plain POST"].append(_timed(partial(_put, endpoint, graph, body, "POST")))
        with server(work / f"{store}-load-{run}") as running:
            endpoint = store_endpoint(running.url, store, env=CREDENTIALS, timeout=PATIENCE)
            out["atomic first load"].append(_timed(partial(load_store, build, endpoint)))
            out["reload"].append(_timed(partial(load_store, build, endpoint,
                                                        replace=True)))
        if store == "oxigraph":
            location = work / f"oxigraph-native-{run}"
            shutil.rmtree(location, ignore_errors=True)
            env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                         f"{os.environ['PATH']}"}
            out["native"].append(_timed(partial(
                subprocess.run, [str(bulk / "load.sh"), str(location)], env=env, check=True,
                capture_output=True)))
            shutil.rmtree(location, ignore_errors=True)
        else:
            with server(work / f"virtuoso-native-{run}") as running:
                env = {**os.environ, "VIRTUOSO_PORT": str(running.sql_port)}
                out["native"].append(_timed(partial(
                    subprocess.run, [str(bulk / "load.sh")], env=env, check=True,
                    capture_output=True)))
                held = running.graphs().get(graph)
                if held != len(build.triples):
                    out["native"][-1] = f"failed: {held} triples, not {len(build.triples)}"
        for folder in work.glob(f"{store}-*-{run}"):
            shutil.rmtree(folder, ignore_errors=True)
    return out


def _median(values: list[float | str]) -> float | str:
    numbers = [v for v in values if isinstance(v, float)]
    failed = [v for v in values if isinstance(v, str)]
    return statistics.median(numbers) if numbers else failed[0]


def markdown(results: dict[str, Any]) -> str:
    lines = ["| store | triples | plain PUT | plain POST | ratio | atomic first load | ratio | "
             "reload | ratio | native loader | ratio |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in results["rows"]:
        put = row["plain PUT"]

        def cell(name: str, put: Any = put, row: dict[str, Any] = row) -> str:
            value = row[name]
            if isinstance(value, str):
                return f"{value} | -"
            return f"{value:.2f} s | " + (f"{value / put:.2f}x" if isinstance(put, float)
                                          else "-")

        lines.append(f"| {row['store']} | {row['triples']:,} | "
                     + (f"{put:.2f} s" if isinstance(put, float) else put)
                     + f" | {cell('plain POST')} | {cell('atomic first load')} | "
                       f"{cell('reload')} | {cell('native')} |")
    return "\n".join(lines)


def update_readme(table: str, note: str) -> None:
    path = BENCH / "README.md"
    text = path.read_text(encoding="utf-8")
    block = f"{START}\n{note}\n\n{table}\n{END}"
    if START in text:
        head, _, rest = text.partition(START)
        text = head + block + rest.partition(END)[2]
    else:
        text = text.replace("## Small measurements behind choices in the code",
                            block + "\n\n## Small measurements behind choices in the code")
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1M")
    parser.add_argument("--stores", default="oxigraph,virtuoso")
    parser.add_argument("--runs", type=int, default=0, help="runs per size (default 3 below "
                        "500k triples, else 1)")
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--virtuoso-default-limit", action="store_true",
                        help="leave Virtuoso's TransactionAfterImageLimit at its default")
    args = parser.parse_args(argv)
    if args.virtuoso_default_limit:
        VIRTUOSO_PARAMETERS.clear()
    sys.path.insert(0, str(ROOT))
    import coldwar_lod
    from benchmarks import generator

    rows = []
    for size in args.sizes.split(","):
        target = generator.parse_size(size)
        data = BENCH / "work" / generator.size_name(target) / "data"
        generator.generate(ROOT / "data", data, target)
        build = coldwar_lod.build(data)
        runs = args.runs or (3 if target < 500_000 else 1)
        for store in args.stores.split(","):
            with tempfile.TemporaryDirectory(prefix=f"stores-{store}-") as work:
                print(f"{store} at {len(build.triples):,} triples, {runs} run(s)...",
                      file=sys.stderr, flush=True)
                timings = measure(store, build, Path(work), runs)
            row: dict[str, Any] = {"store": store, "triples": len(build.triples),
                                   "runs": runs, "all": timings}
            row.update({name: _median(values) for name, values in timings.items()})
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "all"}), file=sys.stderr,
                  flush=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True, check=False).stdout.strip()
    results = {"date": datetime.date.today().isoformat(), "commit": commit, "rows": rows}
    out = BENCH / "results" / f"{results['date']}-stores.json"
    if out.is_file():  # a partial run replaces its own rows and keeps the others
        done = {(r["store"], r["triples"]) for r in rows}
        kept = [r for r in json.loads(out.read_text(encoding="utf-8"))["rows"]
                if (r["store"], r["triples"]) not in done]
        results["rows"] = rows = sorted([*kept, *rows], key=lambda r: (r["triples"],
                                                                       r["store"]))
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    table = markdown(results)
    print(table)
    if args.update_readme:
        update_readme(table, f"Run of {results['date']} at commit `{commit}` "
                             "(`python -m benchmarks.stores`; medians; ratios to the plain PUT).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
