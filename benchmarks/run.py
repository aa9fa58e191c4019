"""Time every stage of the coldwar-lod pipeline on scaled data, against two references.

Run from the repository root::

    .venv/bin/python -m benchmarks.run --sizes 10k,100k,1M

For each size it generates a scaled copy of ``data/`` (:mod:`benchmarks.generator`) and
measures, each run in a fresh Python process (so peak memory is per run and clean):

* **pipeline** (the library, in process): read records, map, sort, validate (the default
  oxigraph engine; then pyshacl-turbo for comparison), serialize Turtle / JSON-LD /
  N-Triples / TriG, render all dataset files (the dumps again plus ontology, shapes, context
  and VoID), write them atomically, validate and render side by side as ``coldwar-lod build``
  does; then load the embedded pyoxigraph store and run every shipped query
  (``queries/*.rq``); peak RSS per stage;
* **naive** reference: what a user would write with rdflib and pySHACL alone: an rdflib
  ``Graph`` built from the same records, ``pyshacl.validate`` with the same shapes and
  ontology, ``Graph.serialize`` to Turtle and JSON-LD;
* **floor**: pyoxigraph parsing our N-Triples and serializing Turtle and JSON-LD;
* **end to end**: ``coldwar-lod --data DIR build -o OUT`` as a subprocess (wall time, peak
  RSS of the child);
* **Oxigraph server**: ``oxigraph load`` (bulk loader, server stopped) and a Graph Store
  Protocol POST of the N-Triples to ``oxigraph serve`` on 127.0.0.1.

Once per benchmark: the start-up cost of ``coldwar-lod build`` on the real data against
``python -c "import rdflib, pyshacl"``, and a differential check of the oxigraph engine and
pyshacl-turbo against pySHACL near 10k triples, and of the oxigraph engine against turbo on the
larger sets up to 200k (same conformance and the same list of (severity, focus, path, source
shape, component)).

Results: ``benchmarks/results/<date>-<size>.json`` per size, ``<date>.json`` (everything) and
``<date>.md`` (the tables). ``--update-readme`` also puts the tables in
``benchmarks/README.md``. Stage times are medians over the runs; memory is peak RSS
(``VmHWM``, reset before each stage), which sees Rust allocations that ``tracemalloc`` cannot.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks import generator

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
PYTHON = sys.executable
BIN = Path(sys.executable).parent
MIB = 1024 * 1024

#: Stages of the pipeline in the order they run; the first six make up a ``build``.
PIPELINE_STAGES = ("read", "map", "sort", "validate", "files", "write")
#: What `coldwar-lod build` does in process: `build_and_render` (read; map while a child
#: process loads the triples; then its validation beside sorting and rendering), each file
#: written (`StagedFiles`) while the next is rendered, then the commit that puts them in place.
BUILD_STAGES = ("build_and_render",)
SERIALIZE_STAGES = ("serialize turtle", "serialize json-ld", "serialize nt", "serialize trig")
NAIVE_STAGES = ("build", "validate", "serialize turtle", "serialize json-ld")
FLOOR_STAGES = ("parse nt", "serialize turtle", "serialize json-ld")
STAGE_NOTES = {
    "read": "load_records: read and check the CSV files",
    "map": "map_records: records -> pyoxigraph triples (a set)",
    "sort": "Mapped.sorted (part of the map step of a build)",
    "validate": "validate(build): SHACL with the oxigraph engine, report with file:line",
    "files": "dataset_files: every dump + ontology, shapes, context, VoID",
    "write": "write_files: atomic write (fsync) of all files",
}


# --------------------------------------------------------------------------- measuring


def peak_rss_mib() -> float:
    """Peak resident set size of this process since the last :func:`reset_peak` (MiB)."""
    with Path("/proc/self/status").open(encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")  # pragma: no cover - not Linux


def reset_peak() -> None:
    """Reset the peak RSS (``VmHWM``) to the current RSS (Linux >= 4.0)."""
    with contextlib.suppress(OSError), Path("/proc/self/clear_refs").open("w") as fh:
        fh.write("5")


class Stopwatch:
    """Times named stages with ``perf_counter`` and records the peak RSS of each."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mib: dict[str, float] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        reset_peak()
        started = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - started
        self.peak_mib[name] = peak_rss_mib()

    def result(self, **extra: Any) -> dict[str, Any]:
        return {"seconds": self.seconds, "peak_mib": self.peak_mib, **extra}


def run_child(cmd: list[str], *, cwd: Path | None = None, timeout: float | None = None,
              env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """Run a command; returns (wall seconds, peak RSS in MiB, exit code, stderr).

    The peak RSS comes from ``wait4`` (the child's own ``ru_maxrss``); :func:`run_tree` also
    samples what the command's processes hold together.
    """
    wall, rss, _, code, stderr = run_tree(cmd, cwd=cwd, timeout=timeout, env=env)
    return wall, rss, code, stderr


def run_tree(cmd: list[str], *, cwd: Path | None = None, timeout: float | None = None,
             env: dict[str, str] | None = None, sample: float = 0.0, pss: bool = False
             ) -> tuple[float, float, float, int, str]:
    """Run a command; returns (wall seconds, peak RSS of the command's own process in MiB,
    peak of the RSS of it and its descendants added up, sampled from ``/proc`` every
    ``sample`` seconds (0: not sampled, NaN; ``pss``: their proportional set sizes), exit
    code, stderr)."""
    started = time.perf_counter()
    tree_peak = 0
    next_sample = started
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if deadline is not None and now > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            if sample and now >= next_sample:
                tree_peak = max(tree_peak, _tree_rss_kib(proc.pid, pss))
                next_sample = now + sample
            time.sleep(0.002)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    tree = tree_peak / 1024 if sample else float("nan")
    return wall, usage.ru_maxrss / 1024, tree, proc.returncode, stderr


def _tree_rss_kib(pid: int, pss: bool = False) -> int:
    """The resident memory of a process and its descendants (KiB; 0 for those gone).

    With ``pss``, each process's proportional share (``Pss``): processes forked from one
    another share their parent's pages until they write to them, and RSS would count those
    pages once per process.
    """
    total = 0
    source, key = ("smaps_rollup", "Pss:") if pss else ("status", "VmRSS:")
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
            if line.startswith(key):
                total += int(line.split()[1])
                break
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total += sum(_tree_rss_kib(int(child), pss) for child in children)
    return total


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --------------------------------------------------------------------------- workers
# Each worker runs once in a fresh interpreter and writes one JSON result.


def shipped_queries() -> dict[str, str]:
    """The shipped SPARQL queries (``queries/*.rq``), by file name."""
    folder = ROOT / "queries"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rq"))}


def _consume(result: Any) -> int:
    """Read a query result to the end; returns the number of rows/triples (1 for ASK)."""
    if isinstance(result, bool):
        return 1
    if hasattr(result, "__iter__"):
        return sum(1 for _ in result)
    return 1 if result else 0  # pragma: no cover - QueryBoolean in some versions


def worker_pipeline(data: Path, keep: Path | None, query_reps: int) -> dict[str, Any]:
    """One run of the pipeline in process, stage by stage, then the shipped queries."""
    import pyoxigraph as ox

    from coldwar_lod import dataset, pipeline, rdfio
    from coldwar_lod.files import StagedFiles, write_files
    from coldwar_lod.mapping import map_records
    from coldwar_lod.namespaces import IriSpace
    from coldwar_lod.records import load_records

    sw = Stopwatch()
    space = IriSpace.from_base()
    # What `coldwar-lod build` runs, writes included. First, so that its peak memory is its own
    # (a stage's peak includes what earlier stages still hold). Its result is freed after the
    # stage, as the floor's and the naive pipeline's are after theirs (freeing 100k triples
    # takes about 0.1 s); `coldwar-lod build` (subprocess) below includes everything.
    staging = Path(tempfile.mkdtemp(prefix="cw-bench-build-", dir=keep.parent if keep else None))
    try:
        with sw.stage("build_and_render"), StagedFiles() as staged:
            built = pipeline.build_and_render(
                data, on_file=lambda name, content: staged.add(staging / name, content))
            staged.commit()
        del built
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with sw.stage("read"):
        records = load_records(data)
    with sw.stage("map"):
        mapped = map_records(records, space)
    with sw.stage("sort"):
        triples = mapped.sorted()
    build = dataset.Build(space, records, triples, mapped.lineage)
    with sw.stage("validate"):
        report = pipeline.validate(build)  # the default engine (oxigraph)
    build._ntriples = None  # made again by each stage that needs it, as in a real build
    with sw.stage("validate (turbo)"):
        pipeline.validate(build, "turbo")
    build._ntriples = None
    for fmt in ("turtle", "json-ld", "nt", "trig"):
        with sw.stage(f"serialize {fmt}"):
            rdfio.serialize(triples, fmt, space)
    with sw.stage("files"):
        files = dataset.dataset_files(build)
    out = Path(tempfile.mkdtemp(prefix="cw-bench-out-", dir=keep.parent if keep else None))
    try:
        with sw.stage("write"):
            write_files({out / name: content for name, content in files.items()})
        if keep is not None:
            shutil.rmtree(keep, ignore_errors=True)
            out.rename(keep)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    sizes = {name: len(content) for name, content in files.items()}
    del files

    with sw.stage("store load (embedded)"):
        store = build.store()
    queries = time_queries(store, build, query_reps)
    del store, ox
    return sw.result(triples=len(triples), conforms=report.conforms,
                     results=len(report.results), file_sizes=sizes, queries=queries)


def time_queries(store: Any, build: Any, reps: int) -> dict[str, dict[str, Any]]:
    """Run every shipped query on the embedded store: ``Store.query`` read to the end, and
    :func:`coldwar_lod.sparql.query.run_query` (what ``coldwar-lod query`` does) if it exists."""
    try:
        from coldwar_lod.sparql.catalogue import NamedQuery
        from coldwar_lod.sparql.query import run_query
    except ImportError:
        run_query = None
    queries: dict[str, dict[str, Any]] = {}
    for name, text in shipped_queries().items():
        if re.search(r"\bSERVICE\b", text, re.IGNORECASE):
            queries[name] = {"skipped": "uses SERVICE (needs the network)"}
            continue
        entry: dict[str, Any] = {}
        try:
            times, rows = [], 0
            for _ in range(reps):
                started = time.perf_counter()
                rows = _consume(store.query(text))
                times.append(time.perf_counter() - started)
                if times[-1] > 1.0:
                    break
            entry.update(seconds=median(times), rows=rows)
            if run_query is not None:
                named = NamedQuery(name, text, name, shipped=True)
                times = []
                for _ in range(reps):
                    started = time.perf_counter()
                    run_query(named, build, store=store)
                    times.append(time.perf_counter() - started)
                    if times[-1] > 1.0:
                        break
                entry["run_query_seconds"] = median(times)
        except Exception as exc:  # a broken query is reported, not fatal
            entry["error"] = f"{type(exc).__name__}: {exc}"[:300]
        queries[name] = entry
    return queries


def worker_store_load(data: Path, port: int, runs: int) -> dict[str, Any]:
    """Time :func:`coldwar_lod.sparql.load.load_store` into a local server: each run a first load
    into a data graph the store does not hold yet, then a reload of the same data."""
    from coldwar_lod import pipeline
    from coldwar_lod.sparql.load import load_store

    build = pipeline.build(data)
    first, reload = [], []
    for i in range(runs):
        graph = f"{build.space.base}graph/bench-{os.getpid()}-{i}"
        for times in (first, reload):
            started = time.perf_counter()
            load_store(build, f"http://127.0.0.1:{port}", graph=graph, replace=True)
            times.append(time.perf_counter() - started)
    return {"seconds": first, "reload_seconds": reload}


def _rdflib_term(term: Any) -> Any:
    import pyoxigraph as ox
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    raise TypeError(f"unexpected term {term!r}")


def worker_naive(data: Path, skip_validate: bool) -> dict[str, Any]:
    """The naive pipeline: rdflib Graph from the records, pySHACL, rdflib serializers.

    The graph holds exactly the triples of our build: the records are read with our reader
    and mapped by our mapping rules, and every triple is added to the graph as rdflib terms,
    as a hand-written rdflib mapper would. (Our pyoxigraph mapping step, the "map" row of
    the pipeline, is therefore included in the naive build time.)
    """
    import pyshacl
    import rdflib

    from coldwar_lod.mapping import map_records
    from coldwar_lod.namespaces import IriSpace
    from coldwar_lod.records import load_records
    from coldwar_lod.resources import ontology_file, shape_files

    sw = Stopwatch()
    space = IriSpace.from_base()
    with sw.stage("build"):
        records = load_records(data)
        graph = rdflib.Graph()
        for prefix, ns in space.prefixes().items():
            graph.bind(prefix, ns, override=True)
        add, term = graph.add, _rdflib_term
        for t in map_records(records, space).triples:
            add((term(t.subject), term(t.predicate), term(t.object)))
    conforms = None
    if not skip_validate:
        with sw.stage("validate"):
            shapes = rdflib.Graph()
            for path in shape_files():
                shapes.parse(path, format="turtle")
            ontology = rdflib.Graph().parse(ontology_file(), format="turtle")
            conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology,
                                              inference="none", allow_warnings=True)
    with sw.stage("serialize turtle"):
        graph.serialize(format="turtle", encoding="utf-8")
    with sw.stage("serialize json-ld"):
        graph.serialize(format="json-ld", encoding="utf-8")
    return sw.result(triples=len(graph), conforms=conforms)


#: Documents the site's naive reference writes (an even sample of them; the rest is
#: extrapolated per document).
SITE_SAMPLE = 2_000


def worker_site_naive(data: Path, out: Path) -> dict[str, Any]:
    """The site's RDF documents written the way an rdflib user would, beside ours.

    For an even sample of :data:`SITE_SAMPLE` documents, each document's slice (taken from
    our index, which is generous to the reference: it would otherwise have to find them in
    the graph) is put in an rdflib ``Graph`` and serialized to Turtle, JSON-LD, N-Triples and
    RDF/XML with rdflib's serializers, and the four files are written; then the same
    documents are written by the site's own renderer (`Renderer.documents`: the same four
    formats, each with the document's description of itself). Both write into fresh folders
    under ``out``, removed afterwards (not timed). The per-document figures extrapolate to the
    whole site's documents.
    """
    import rdflib

    import coldwar_lod
    from coldwar_lod.site.publish import Renderer
    from coldwar_lod.site.tree import write_files

    result, _, files = coldwar_lod.build_and_render(data)
    renderer = Renderer(result, files)
    base = result.space.base
    docs = [d for d in renderer.slices.documents() if d != renderer.dataset]
    step = max(1, len(docs) // SITE_SAMPLE)
    sample = docs[::step][:SITE_SAMPLE]
    slices = {doc: renderer.slices.slice(doc) for doc in sample}
    prefixes = result.space.prefixes()
    formats = {".ttl": "turtle", ".jsonld": "json-ld", ".nt": "nt", ".rdf": "xml"}

    def naive() -> Any:
        term = _rdflib_term
        for doc in sample:
            graph = rdflib.Graph()
            for prefix, ns in prefixes.items():
                graph.bind(prefix, ns, override=True)
            for t in slices[doc]:
                graph.add((term(t.subject), term(t.predicate), term(t.object)))
            for suffix, fmt in formats.items():
                yield doc[len(base):] + suffix, graph.serialize(format=fmt, encoding="utf-8")

    def ours() -> Any:
        for doc in sample:
            yield from renderer.documents(doc[len(base):], slices[doc])

    sw = Stopwatch()
    for name, make in (("rdflib", naive), ("coldwar-lod", ours)):
        folder = out / f"site-documents-{name}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        with sw.stage(name):
            write_files(folder, make())
        shutil.rmtree(folder, ignore_errors=True)
    return sw.result(documents=len(docs), sample=len(sample))


def worker_floor(nt_file: Path) -> dict[str, Any]:
    """The floor: pyoxigraph parses the N-Triples and serializes Turtle and JSON-LD."""
    import pyoxigraph as ox

    from coldwar_lod.namespaces import IriSpace

    prefixes = IriSpace.from_base().prefixes()
    content = nt_file.read_bytes()
    sw = Stopwatch()
    with sw.stage("parse nt"):
        triples = list(ox.parse(content, ox.RdfFormat.N_TRIPLES))
    with sw.stage("serialize turtle"):
        ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    with sw.stage("serialize json-ld"):
        ox.serialize(triples, format=ox.RdfFormat.JSON_LD, prefixes=prefixes)
    return sw.result(triples=len(triples))


def worker_differential(data: Path, drop_every: int, engines: list[str]) -> dict[str, Any]:
    """The engines against the last one (the reference) on the data, and on a copy with
    triples dropped.

    Dropping every ``drop_every``-th triple (of the sorted build) removes types, labels,
    bounds, sources and selectors, so the copy violates most shapes.
    """
    from coldwar_lod import pipeline
    from coldwar_lod.validation.engines import validate_triples

    build = pipeline.build(data)
    out: dict[str, Any] = {}
    broken = [t for i, t in enumerate(build.triples) if i % drop_every != drop_every - 1]
    reference = engines[-1]
    for label, triples in (("as generated", build.triples),
                           (f"every {drop_every}th triple dropped", broken)):
        keys: dict[str, list[Any]] = {}
        entry: dict[str, Any] = {"triples": len(triples), "reference": reference,
                                 "engines": {}, "same": {}}
        for engine in engines:
            started = time.perf_counter()
            report = validate_triples(triples, build.space, validator=engine,
                                      lineage=build.lineage)
            entry["engines"][engine] = {"seconds": time.perf_counter() - started,
                                        "conforms": report.conforms,
                                        "violations": len(report.violations),
                                        "warnings": len(report.warnings),
                                        "used": report.validator}
            keys[engine] = sorted(r.key() for r in report.results)
        for engine in engines[:-1]:
            same = (keys[engine] == keys[reference] and entry["engines"][engine]["conforms"]
                    == entry["engines"][reference]["conforms"])
            entry["same"][engine] = same
            if not same:
                ours, theirs = set(keys[engine]), set(keys[reference])
                entry.setdefault("differences", {})[engine] = {
                    "only_" + engine: sorted(map(list, ours - theirs))[:20],
                    "only_" + reference: sorted(map(list, theirs - ours))[:20]}
        entry["results"] = len(keys[reference])
        entry["shapes_covered"] = len({k[3] for k in keys[reference]})
        out[label] = entry
    return out


def worker_profile(data: Path, out: Path, top: int = 30) -> dict[str, Any]:
    """cProfile one in-process build (what ``coldwar-lod build`` does) into ``out`` (text).

    cProfile sees Python functions; time spent in Rust (pyoxigraph, pyshacl-turbo) shows as
    the built-in method that called it.
    """
    import cProfile
    import io
    import pstats

    from coldwar_lod import dataset, pipeline
    from coldwar_lod.files import write_files

    profiler = cProfile.Profile()
    target = Path(tempfile.mkdtemp(prefix="cw-bench-prof-"))
    try:
        profiler.enable()
        build = pipeline.build(data)
        report = pipeline.validate(build)
        files = dataset.dataset_files(build)
        write_files({target / name: content for name, content in files.items()})
        profiler.disable()
    finally:
        shutil.rmtree(target, ignore_errors=True)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    out.write_text(text.getvalue(), encoding="utf-8")
    return {"conforms": report.conforms, "triples": len(build.triples)}


def worker_main(args: argparse.Namespace) -> int:
    if args.worker == "pipeline":
        result = worker_pipeline(args.data, args.keep, args.query_reps)
    elif args.worker == "naive":
        result = worker_naive(args.data, args.skip_validate)
    elif args.worker == "floor":
        result = worker_floor(args.data)
    elif args.worker == "differential":
        result = worker_differential(args.data, args.drop_every, args.engines.split(","))
    elif args.worker == "store-load":
        result = worker_store_load(args.data, args.port, args.runs)
    elif args.worker == "profile":
        result = worker_profile(args.data, args.keep)
    elif args.worker == "site-naive":
        result = worker_site_naive(args.data, args.keep)
    else:  # pragma: no cover - argparse restricts the choices
        raise ValueError(args.worker)
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


def run_worker(kind: str, *args: str, timeout: float | None = None) -> dict[str, Any]:
    """Run one worker in a fresh interpreter; returns its JSON result."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    try:
        cmd = [PYTHON, "-m", "benchmarks.run", "--worker", kind, "--json", str(out), *args]
        wall, _rss, code, stderr = run_child(cmd, cwd=ROOT, timeout=timeout)
        if code != 0:
            raise RuntimeError(f"worker {kind} failed ({code}):\n{stderr[-3000:]}")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        result["wall"] = wall
        return result
    finally:
        out.unlink(missing_ok=True)


# --------------------------------------------------------------------------- the benchmark


def summarize(runs: list[dict[str, Any]], stages: tuple[str, ...] | None = None
              ) -> dict[str, Any]:
    """Median, min and max seconds and median peak RSS per stage over runs."""
    names = stages or tuple(runs[0]["seconds"])
    out: dict[str, Any] = {}
    for name in names:
        secs = [r["seconds"][name] for r in runs if name in r["seconds"]]
        mem = [r["peak_mib"][name] for r in runs if name in r["peak_mib"]]
        if secs:
            out[name] = {"median": median(secs), "min": min(secs), "max": max(secs),
                         "peak_mib": median(mem), "runs": len(secs)}
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def oxigraph_loads(nt_file: Path, runs: int, graph: str, work: Path,
                   data: Path | None) -> dict[str, Any]:
    """Bulk load (``oxigraph load``) and HTTP (GSP POST) load of the N-Triples, timed; and
    :func:`coldwar_lod.sparql.load.load_store` into the same server, if that module exists."""
    binary = BIN / "oxigraph"
    if not binary.is_file():
        found = shutil.which("oxigraph")
        if not found:
            return {"skipped": "oxigraph binary not found"}
        binary = Path(found)
    out: dict[str, Any] = {}
    bulk, bulk_rss = [], []
    for i in range(runs):
        location = work / f"oxigraph-bulk-{i}"
        shutil.rmtree(location, ignore_errors=True)
        wall, rss, code, stderr = run_child(
            [str(binary), "load", "--location", str(location), "--file", str(nt_file),
             "--graph", graph])
        shutil.rmtree(location, ignore_errors=True)
        if code != 0:
            return {"error": f"oxigraph load failed: {stderr[-500:]}"}
        bulk.append(wall)
        bulk_rss.append(rss)
    out["bulk"] = {"median": median(bulk), "min": min(bulk), "max": max(bulk),
                   "peak_mib": median(bulk_rss), "runs": runs}

    location = work / "oxigraph-http"
    shutil.rmtree(location, ignore_errors=True)
    port = free_port()
    server = subprocess.Popen(
        [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    return {**out, "http": {"error": "server did not start"}}
                time.sleep(0.05)
        body = nt_file.read_bytes()
        target = f"{base}/store?graph={urllib.request.quote(graph, safe='')}"
        http = []
        for _ in range(runs):
            request = urllib.request.Request(
                target, data=body, method="POST",
                headers={"Content-Type": "application/n-triples"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=600) as response:
                response.read()
            http.append(time.perf_counter() - started)
            with urllib.request.urlopen(urllib.request.Request(target, method="DELETE"),
                                        timeout=600) as response:
                response.read()
        peak = float("nan")
        with contextlib.suppress(OSError), Path(f"/proc/{server.pid}/status").open() as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
        out["http"] = {"median": median(http), "min": min(http), "max": max(http),
                       "server_peak_mib": peak, "runs": runs}
        if data is None:
            out["load_store"] = {"skipped": "above --store-load-max triples"}
        elif (ROOT / "src" / "coldwar_lod" / "sparql" / "load.py").is_file():
            try:
                r = run_worker("store-load", "--data", str(data), "--port", str(port),
                               "--runs", str(runs))
                out["load_store"] = {"median": median(r["seconds"]), "min": min(r["seconds"]),
                                     "max": max(r["seconds"]), "runs": runs,
                                     "reload_median": median(r["reload_seconds"])}
            except RuntimeError as exc:
                out["load_store"] = {"error": str(exc)[-500:]}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(location, ignore_errors=True)
    return out


def end_to_end(data: Path, runs: int, work: Path) -> dict[str, Any]:
    """``coldwar-lod --data DATA build -o OUT`` as a subprocess, timed, with its peak RSS and
    the peak of it and its validating child together."""
    cli = BIN / "coldwar-lod"
    walls, peaks, trees = [], [], []
    for i in range(runs):
        out = work / f"e2e-out-{i}"
        shutil.rmtree(out, ignore_errors=True)
        wall, rss, tree, code, stderr = run_tree([str(cli), "--data", str(data), "build", "-o",
                                                  str(out)], cwd=ROOT, sample=0.02)
        shutil.rmtree(out, ignore_errors=True)
        if code != 0:
            return {"error": f"exit {code}: {stderr[-2000:]}"}
        walls.append(wall)
        peaks.append(rss)
        trees.append(tree)
    return {"median": median(walls), "min": min(walls), "max": max(walls),
            "peak_mib": max(peaks), "tree_peak_mib": max(trees), "runs": runs}


def site_end_to_end(data: Path, runs: int, work: Path) -> dict[str, Any]:
    """``coldwar-lod --data DATA site -o OUT`` as a subprocess (the build, then the site
    written from it), timed, with the peak memory of it and its children together (their
    proportional set sizes: the writers are forked and share the build's pages), and the
    files it wrote. The folders are kept until the whole benchmark is over
    (:func:`remove_site_outputs`): on a file system without a journal (this machine's),
    ext4 skips recently deleted inodes when it creates a file, so files created in the
    minutes after a large tree is removed cost up to ten times as much (benchmarks/README.md,
    *Site*), and the next run would pay for this one's clean-up.
    """
    walls, trees, outputs = [], [], []
    for i in range(runs):
        out = work / f"{SITE_OUTPUTS}{data.parent.name}-{data.name}-{i}"
        shutil.rmtree(out, ignore_errors=True)
        wall, _, tree, code, stderr = run_tree([str(BIN / "coldwar-lod"), "--data", str(data),
                                                "site", "-o", str(out)], cwd=ROOT, sample=0.5,
                                               pss=True)
        if code != 0:
            return {"error": f"exit {code}: {stderr[-2000:]}"}
        files = [p for p in out.rglob("*") if p.is_file()]
        outputs.append({"files": len(files), "bytes": sum(p.stat().st_size for p in files)})
        walls.append(wall)
        trees.append(tree)
    return {"median": median(walls), "min": min(walls), "max": max(walls),
            "tree_peak_pss_mib": max(trees), "runs": runs, **outputs[0]}


#: The prefix of the folders the site runs write (removed at the end of the benchmark).
SITE_OUTPUTS = "site-out-"


def remove_site_outputs(work: Path) -> None:
    """Remove the sites :func:`site_end_to_end` wrote, once nothing is timed any more."""
    for folder in work.glob(SITE_OUTPUTS + "*"):
        shutil.rmtree(folder, ignore_errors=True)


def startup(runs: int) -> dict[str, Any]:
    """Median wall time of ``coldwar-lod build`` on the real data vs importing rdflib+pyshacl."""
    cli = BIN / "coldwar-lod"
    imports, builds = [], []
    with tempfile.TemporaryDirectory(prefix="cw-bench-startup-") as tmp:
        for i in range(runs + 1):  # the first of each is a warm-up (file cache)
            wall, _, code, _ = run_child([PYTHON, "-c", "import rdflib, pyshacl"], cwd=ROOT)
            if i:
                imports.append(wall)
            wall, _, code, stderr = run_child([str(cli), "build", "-o", f"{tmp}/out"], cwd=ROOT)
            if code != 0:
                return {"error": f"coldwar-lod build failed ({code}): {stderr[-1000:]}"}
            if i:
                builds.append(wall)
    imp, bld = median(imports), median(builds)
    return {"import_rdflib_pyshacl": imp, "coldwar_lod_build": bld, "ratio": bld / imp,
            "runs": runs, "import_all": imports, "build_all": builds}


def naive_estimate(done: dict[int, float], triples: int) -> float | None:
    """Extrapolate the naive total to ``triples`` from the sizes measured (power law)."""
    points = sorted(done.items())
    if not points:
        return None
    if len(points) == 1:
        n, t = points[0]
        return t * (triples / n) ** 1.1
    (n1, t1), (n2, t2) = points[-2], points[-1]
    exponent = max(1.0, math.log(t2 / t1) / math.log(n2 / n1))
    return t2 * (triples / n2) ** exponent


def bench_size(name: str, target: int, args: argparse.Namespace, naive_done: dict[int, float],
               log: Callable[[str], None]) -> dict[str, Any]:
    work = args.work / name
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    started = time.perf_counter()
    manifest = generator.generate(args.data, data, target)
    log(f"[{name}] data: factor {manifest.factor}, {manifest.triples:,} triples "
        f"({time.perf_counter() - started:.1f} s)")
    runs = args.runs or (3 if target >= 500_000 else 5)
    result: dict[str, Any] = {"size": name, "target": target, "factor": manifest.factor,
                              "triples": manifest.triples, "records": manifest.records,
                              "runs": runs}

    keep = work / "out"
    pipeline_runs = []
    for i in range(runs):
        extra = ["--keep", str(keep)] if i == 0 else []
        r = run_worker("pipeline", "--data", str(data), "--query-reps", str(args.query_reps),
                       *extra)
        pipeline_runs.append(r)
        total = sum(r["seconds"][s] for s in BUILD_STAGES)
        log(f"[{name}] pipeline run {i + 1}/{runs}: {total:.2f} s, "
            f"peak {max(r['peak_mib'][s] for s in BUILD_STAGES):.0f} MiB")
    first = pipeline_runs[0]
    result["pipeline"] = summarize(pipeline_runs)
    result["pipeline_total"] = _total(pipeline_runs, BUILD_STAGES)
    result["serial_total"] = _total(pipeline_runs, PIPELINE_STAGES)
    result["pipeline_max_rss_mib"] = max(r["peak_mib"][s] for r in pipeline_runs
                                         for s in BUILD_STAGES)
    result["conforms"] = first["conforms"]
    result["file_sizes"] = first["file_sizes"]
    result["queries"] = _summarize_queries(pipeline_runs)
    nt_file = keep / "coldwar-lod.nt"

    floor_runs = [run_worker("floor", "--data", str(nt_file)) for _ in range(runs)]
    result["floor"] = summarize(floor_runs, FLOOR_STAGES)
    result["floor_total"] = _total(floor_runs, FLOOR_STAGES)
    log(f"[{name}] floor: {result['floor_total']['median']:.2f} s")

    result["end_to_end"] = end_to_end(data, runs, work)
    log(f"[{name}] coldwar-lod build: {result['end_to_end'].get('median', float('nan')):.2f} s, "
        f"peak {result['end_to_end'].get('peak_mib', float('nan')):.0f} MiB")

    result["site"] = site_end_to_end(data, 1 if target >= 500_000 else runs, work)
    log(f"[{name}] coldwar-lod site: {result['site'].get('median', float('nan')):.2f} s, "
        f"peak {result['site'].get('tree_peak_pss_mib', float('nan')):.0f} MiB, "
        f"{result['site'].get('files', 0):,} files")
    site_docs = run_worker("site-naive", "--data", str(data), "--keep", str(work))
    result["site_documents"] = site_docs
    per_doc = {k: v / site_docs["sample"] for k, v in site_docs["seconds"].items()}
    log(f"[{name}] site documents, {site_docs['sample']:,} of {site_docs['documents']:,}: "
        f"rdflib {per_doc['rdflib'] * 1000:.2f} ms each, coldwar-lod "
        f"{per_doc['coldwar-lod'] * 1000:.2f} ms each")

    if args.skip_server:
        result["oxigraph"] = {"skipped": "--skip-server"}
    else:
        from coldwar_lod.namespaces import IriSpace
        from coldwar_lod.rdfio import data_graph

        graph = data_graph(IriSpace.from_base()).value
        server_runs = 1 if manifest.triples >= 500_000 else min(runs, 3)
        store_data = data if manifest.triples <= args.store_load_max else None
        result["oxigraph"] = oxigraph_loads(nt_file, server_runs, graph, work, store_data)
        log(f"[{name}] oxigraph: {json.dumps(result['oxigraph'])[:200]}")

    result["naive"] = _naive(name, data, manifest.triples, runs, args, naive_done, log)
    result["ratios"] = ratios(result)
    shutil.rmtree(keep, ignore_errors=True)
    return result


def _naive(name: str, data: Path, triples: int, runs: int, args: argparse.Namespace,
           naive_done: dict[int, float], log: Callable[[str], None]) -> dict[str, Any]:
    if args.naive == "never":
        return {"skipped": "--naive never"}
    estimate = naive_estimate(naive_done, triples)
    if args.naive == "auto" and estimate is not None and estimate > args.naive_budget:
        log(f"[{name}] naive: not run (est. {estimate:.0f} s > budget {args.naive_budget:.0f} s)")
        return {"skipped": f"not run (est. {estimate:.0f} s)", "estimate": estimate}
    # one run where a run is long (an estimate over a minute, or a million triples)
    long_run = triples >= 500_000 or (estimate is not None and estimate > 60)
    n = 1 if long_run else min(runs, args.naive_runs)
    naive_runs = []
    for i in range(n):
        r = run_worker("naive", "--data", str(data), *(["--skip-validate"]
                                                       if args.naive_skip_validate else []))
        naive_runs.append(r)
        log(f"[{name}] naive run {i + 1}/{n}: {sum(r['seconds'].values()):.1f} s, "
            f"peak {max(r['peak_mib'].values()):.0f} MiB")
    out = {"stages": summarize(naive_runs), "total": _total(naive_runs, NAIVE_STAGES),
           "max_rss_mib": max(max(r["peak_mib"].values()) for r in naive_runs),
           "conforms": naive_runs[0]["conforms"], "triples": naive_runs[0]["triples"]}
    if not args.naive_skip_validate:
        naive_done[triples] = out["total"]["median"]
    return out


def _total(runs: list[dict[str, Any]], stages: tuple[str, ...]) -> dict[str, float]:
    totals = [sum(r["seconds"].get(s, 0.0) for s in stages) for r in runs]
    return {"median": median(totals), "min": min(totals), "max": max(totals)}


def _summarize_queries(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, first in runs[0]["queries"].items():
        if "seconds" not in first:
            out[name] = first
            continue
        secs = [r["queries"][name]["seconds"] for r in runs if "seconds" in r["queries"][name]]
        out[name] = {"median": median(secs), "max": max(secs), "rows": first["rows"]}
        rq = [r["queries"][name]["run_query_seconds"] for r in runs
              if "run_query_seconds" in r["queries"][name]]
        if rq:
            out[name]["run_query_median"] = median(rq)
    return out


def ratios(result: dict[str, Any]) -> dict[str, float | None]:
    """Pipeline / naive and pipeline / floor (median totals), whole and like-for-like."""
    p = result["pipeline"]
    whole = result["pipeline_total"]["median"]
    like = sum(p[s]["median"] for s in ("read", "map", "sort", "validate",
                                        "serialize turtle", "serialize json-ld"))
    floor = result["floor_total"]["median"]
    naive = result["naive"].get("total", {}).get("median")
    out: dict[str, float | None] = {
        "pipeline_s": whole, "like_for_like_s": like, "floor_s": floor, "naive_s": naive,
        "pipeline_over_floor": whole / floor,
        "like_for_like_over_floor": like / floor,
        "naive_over_pipeline": naive / whole if naive else None,
        "naive_over_like_for_like": naive / like if naive else None,
    }
    e2e = result["end_to_end"].get("median")
    out["end_to_end_s"] = e2e
    if naive and e2e:
        out["naive_over_end_to_end"] = naive / e2e
    return out


def machine() -> dict[str, Any]:
    """The machine and software the benchmark ran on."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = "unknown"
    with contextlib.suppress(OSError), Path("/proc/cpuinfo").open() as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = float("nan")
    with contextlib.suppress(OSError), Path("/proc/meminfo").open() as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / MIB
    packages = {}
    for pkg in ("coldwar-lod", "pyoxigraph", "pyshacl-turbo", "pyshacl", "rdflib", "oxrdflib",
                "owlrl"):
        with contextlib.suppress(PackageNotFoundError):
            packages[pkg] = version(pkg)
    oxi = BIN / "oxigraph"
    if oxi.is_file():
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            packages["oxigraph (server)"] = subprocess.run(
                [str(oxi), "--version"], capture_output=True, text=True, check=False
            ).stdout.strip().removeprefix("oxigraph ")
    commit = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                               capture_output=True, text=True, check=False).stdout.strip()
        commit += " (src modified)" if dirty else ""
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem, 1),
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "packages": packages, "commit": commit}


# --------------------------------------------------------------------------- report


def _s(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.{digits}f}"


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x * 1000:.1f}"


def markdown(report: dict[str, Any]) -> str:
    """The result tables (Markdown)."""
    sizes = report["sizes"]
    m = report["machine"]
    lines = [
        f"Command: `{report['command']}`  ",
        f"Date: {report['date']}; commit {m['commit'] or '?'}  ",
        f"Machine: {m['nproc']} cores, {m['cpu']}, {m['ram_gib']} GiB RAM, {m['os']}, "
        f"Python {m['python']}  ",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
        "",
        "Times are medians over the runs in seconds (each run in a fresh process); "
        "memory is the peak RSS during the stage, in MiB.",
        "",
    ]
    head = "| stage | " + " | ".join(
        f"{s['size']} ({s['triples']:,} triples) s | MiB" for s in sizes) + " |"
    lines += [head, "|---|" + "---:|---:|" * len(sizes)]

    def row(label: str, get: Callable[[dict[str, Any]], tuple[float | None, float | None]]
            ) -> None:
        cells = []
        for s in sizes:
            sec, mib = get(s)
            cells += [_s(sec), "-" if mib is None else f"{mib:.0f}"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    def stage(group: str, name: str) -> Callable[[dict[str, Any]], tuple[Any, Any]]:
        def get(s: dict[str, Any]) -> tuple[Any, Any]:
            st = s[group].get(name) if group != "naive" else s["naive"].get("stages", {}).get(name)
            return (st["median"], st["peak_mib"]) if st else (None, None)
        return get

    lines.append("| **pipeline (in process)** |" + " |" * (2 * len(sizes)))
    for name in PIPELINE_STAGES:
        row(f"{name}", stage("pipeline", name))
    row("= serial total (read+map+sort+validate+files+write)",
        lambda s: (s.get("serial_total", {}).get("median"), None))
    row("validate with pyshacl-turbo instead (`--validator turbo`)",
        stage("pipeline", "validate (turbo)"))
    for name in SERIALIZE_STAGES:
        row(f"&nbsp;&nbsp;{name} (part of files)", stage("pipeline", name))
    row("read, map while a child loads, then validate beside sort + files, each file written "
        "as the next is rendered (`build_and_render`, `StagedFiles`)",
        stage("pipeline", "build_and_render"))
    row("**= build total** (all of `coldwar-lod build` in process)",
        lambda s: (s["pipeline_total"]["median"], s["pipeline_max_rss_mib"]))
    row("store load (embedded pyoxigraph)", stage("pipeline", "store load (embedded)"))
    row("`coldwar-lod build` (subprocess, end to end; MiB: it and its child together)",
        lambda s: (s["end_to_end"].get("median"),
                   s["end_to_end"].get("tree_peak_mib", s["end_to_end"].get("peak_mib"))))
    lines.append("| **site** |" + " |" * (2 * len(sizes)))
    row("`coldwar-lod site` (subprocess, build included; MiB: PSS of it and its writers)",
        lambda s: (s.get("site", {}).get("median"), s.get("site", {}).get("tree_peak_pss_mib")))

    def per_document(name: str) -> Callable[[dict[str, Any]], tuple[Any, Any]]:
        def get(s: dict[str, Any]) -> tuple[Any, Any]:
            docs = s.get("site_documents")
            if not docs:
                return None, None
            return docs["seconds"][name] / docs["sample"] * docs["documents"], \
                docs["peak_mib"][name]
        return get

    row("the site's RDF documents, 4 formats, written by rdflib's serializers "
        "(extrapolated from an even sample of 2,000)", per_document("rdflib"))
    row("the same documents written by the site's renderer (same sample)",
        per_document("coldwar-lod"))
    lines.append("| **Oxigraph server** |" + " |" * (2 * len(sizes)))
    row("`oxigraph load` (bulk, server stopped)",
        lambda s: (s["oxigraph"].get("bulk", {}).get("median"),
                   s["oxigraph"].get("bulk", {}).get("peak_mib")))
    row("HTTP GSP POST of N-Triples (server RSS)",
        lambda s: (s["oxigraph"].get("http", {}).get("median"),
                   s["oxigraph"].get("http", {}).get("server_peak_mib")))
    row("`coldwar_lod.sparql.load.load_store`: first load (3 graphs, all or nothing)",
        lambda s: (s["oxigraph"].get("load_store", {}).get("median"), None))
    row("`coldwar_lod.sparql.load.load_store`: reload of unchanged data",
        lambda s: (s["oxigraph"].get("load_store", {}).get("reload_median"), None))
    lines.append("| **naive: rdflib + pySHACL** |" + " |" * (2 * len(sizes)))
    for name in NAIVE_STAGES:
        row(name, stage("naive", name))
    row("**= naive total**", lambda s: (s["naive"].get("total", {}).get("median"),
                                        s["naive"].get("max_rss_mib")))
    lines.append("| **floor: pyoxigraph** |" + " |" * (2 * len(sizes)))
    for name in FLOOR_STAGES:
        row(name, stage("floor", name))
    row("**= floor total**", lambda s: (s["floor_total"]["median"], None))
    skipped = [f"{s['size']}: naive {s['naive']['skipped']}" for s in sizes
               if "skipped" in s["naive"]]
    if skipped:
        lines += ["", "Not run: " + "; ".join(skipped) + "."]

    lines += ["", "**Ratios** (median totals; the targets are for 100k triples)", "",
              "| size | build s | naive s | naive / build | floor s | build / floor | "
              "like-for-like s | naive / l-f-l | l-f-l / floor |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in sizes:
        r = s["ratios"]
        lines.append(
            f"| {s['size']} | {_s(r['pipeline_s'])} | {_s(r['naive_s'])} | "
            f"{_s(r['naive_over_pipeline'], 1)} | {_s(r['floor_s'])} | "
            f"{_s(r['pipeline_over_floor'], 2)} | {_s(r['like_for_like_s'])} | "
            f"{_s(r['naive_over_like_for_like'], 1)} | {_s(r['like_for_like_over_floor'], 2)} |")
    lines += ["", "*build* = everything `coldwar-lod build` does (all four dumps, VoID, "
              "atomic writes); *like-for-like* = the naive pipeline's work only (read, map, "
              "sort, validate, Turtle, JSON-LD)."]

    queries = sorted({q for s in sizes for q in s["queries"]})
    if queries:
        lines += ["", "**Shipped queries** on the embedded pyoxigraph store: ms, median; "
                  "`Store.query` read to the end / `coldwar_lod.sparql.query.run_query` (rows)", "",
                  "| query | " + " | ".join(s["size"] for s in sizes) + " |",
                  "|---|" + "---:|" * len(sizes)]
        for q in queries:
            cells = []
            for s in sizes:
                e = s["queries"].get(q, {})
                if "median" in e:
                    cells.append(f"{_ms(e['median'])} / {_ms(e.get('run_query_median'))} "
                                 f"({e['rows']:,})")
                else:
                    cells.append(e.get("skipped") or e.get("error") or "-")
            lines.append(f"| {q} | " + " | ".join(cells) + " |")
    else:
        lines += ["", "No shipped queries (queries/*.rq) were found."]

    st = report.get("startup")
    if st and "ratio" in st:
        lines += ["", f"**Start-up** (real data, median of {st['runs']}): "
                      f"`coldwar-lod build` {st['coldwar_lod_build']:.3f} s, "
                      f"`python -c \"import rdflib, pyshacl\"` "
                      f"{st['import_rdflib_pyshacl']:.3f} s: ratio {st['ratio']:.2f}"]
    diff = report.get("differential")
    if diff:
        lines += ["", "**Differential check**: each engine against the reference (the last one "
                  "named): same conformance and the same list of (severity, focus node, path, "
                  "source shape, component)", "",
                  "| data | triples | reference | violations | warnings | shapes hit | "
                  "same results | seconds per engine |",
                  "|---|---:|---|---:|---:|---:|---|---|"]
        for label, e in diff["datasets"].items():
            ref = e["engines"][e["reference"]]
            same = ", ".join(f"{k}: {'yes' if v else '**no**'}" for k, v in e["same"].items())
            secs = ", ".join(f"{k} {_s(v['seconds'])}" for k, v in e["engines"].items())
            lines.append(f"| {label} | {e['triples']:,} | {e['reference']} | "
                         f"{ref['violations']} | {ref['warnings']} | {e['shapes_covered']} | "
                         f"{same} | {secs} |")
    targets = report.get("targets")
    if targets:
        lines += ["", "**Targets**", "", "| target | measured | met |", "|---|---|---|"]
        for t in targets:
            lines.append(f"| {t['target']} | {t['measured']} | "
                         f"{'yes' if t['met'] else ('**no**' if t['met'] is False else '-')} |")
    return "\n".join(lines) + "\n"


def check_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets against what was measured (for the sizes that ran)."""
    by = {s["size"]: s for s in report["sizes"]}
    out: list[dict[str, Any]] = []
    s = by.get("100k")
    if s:
        r = s["ratios"]
        if r["naive_over_pipeline"]:
            out.append({"target": "100k: build >= 20x faster than naive",
                        "measured": f"{r['naive_over_pipeline']:.1f}x",
                        "met": r["naive_over_pipeline"] >= 20})
        out.append({"target": "100k: build within 3x of the floor",
                    "measured": f"{r['pipeline_over_floor']:.2f}x",
                    "met": r["pipeline_over_floor"] <= 3})
    s = by.get("1M")
    if s:
        e = s["end_to_end"]
        if "median" in e:
            out.append({"target": "1M: `coldwar-lod build` < 30 s",
                        "measured": f"{e['median']:.1f} s", "met": e["median"] < 30})
            both = e.get("tree_peak_mib", e["peak_mib"])
            out.append({"target": "1M: peak memory < 2 GiB (the command and its child together)",
                        "measured": f"{both:.0f} MiB", "met": both < 2048})
        qs = {k: v["median"] for k, v in s["queries"].items() if "median" in v}
        if qs:
            worst = max(qs, key=lambda k: qs[k])
            out.append({"target": "1M: every shipped query < 50 ms (embedded)",
                        "measured": f"slowest {worst} {qs[worst] * 1000:.1f} ms",
                        "met": qs[worst] < 0.05})
    st = report.get("startup")
    if st and "ratio" in st:
        out.append({"target": "start-up: build <= 1.5x `import rdflib, pyshacl`",
                    "measured": f"{st['ratio']:.2f}x", "met": st["ratio"] <= 1.5})
    d = report.get("differential")
    if d:
        same = all(all(e["same"].values()) for e in d["datasets"].values())
        out.append({"target": "oxigraph engine and turbo: results identical to the reference",
                    "measured": ", ".join(d["datasets"]), "met": same})
    return out


README_START = "<!-- results:start -->"
README_END = "<!-- results:end -->"


def update_readme(text: str) -> None:
    readme = BENCH / "README.md"
    old = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    if README_START in old and README_END in old:
        head, rest = old.split(README_START, 1)
        _, tail = rest.split(README_END, 1)
        readme.write_text(f"{head}{README_START}\n{text}{README_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M",
                        help="target triple counts, comma-separated (10k, 100k, 1M, or numbers)")
    parser.add_argument("--runs", type=int, default=0,
                        help="runs per size (default 5, or 3 from 500k triples)")
    parser.add_argument("--naive", choices=("auto", "always", "never"), default="auto",
                        help="run the rdflib + pySHACL reference (auto: if the estimate fits "
                             "--naive-budget)")
    parser.add_argument("--naive-runs", type=int, default=3,
                        help="runs of the naive reference per size (1 from 500k triples)")
    parser.add_argument("--naive-budget", type=float, default=480.0,
                        help="seconds the naive reference may take at one size (estimated)")
    parser.add_argument("--naive-skip-validate", action="store_true",
                        help="skip pySHACL in the naive reference (for smoke runs)")
    parser.add_argument("--no-differential", action="store_true",
                        help="skip the checks of the engines against pySHACL (and turbo)")
    parser.add_argument("--drop-every", type=int, default=40,
                        help="differential check: drop every Nth triple for the broken copy")
    parser.add_argument("--startup-runs", type=int, default=10,
                        help="runs of the start-up comparison (0 to skip)")
    parser.add_argument("--query-reps", type=int, default=3,
                        help="executions of each query per run (median)")
    parser.add_argument("--skip-server", action="store_true", help="skip the Oxigraph loads")
    parser.add_argument("--store-load-max", type=int, default=500_000,
                        help="time coldwar_lod.sparql.load.load_store only up to this many triples "
                             "(a first load takes about 135 s at 1M)")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="the real data")
    parser.add_argument("--work", type=Path, default=BENCH / "work",
                        help="folder for generated data and scratch output")
    parser.add_argument("--results", type=Path, default=BENCH / "results",
                        help="folder for the results")
    parser.add_argument("--profile", default="100k",
                        help="sizes to profile (cProfile of one build), comma-separated; "
                             "'' for none")
    parser.add_argument("--update-readme", action="store_true",
                        help="put the tables into benchmarks/README.md")
    parser.add_argument("--rerender", type=Path, metavar="JSON",
                        help="only write the tables again from a results/<date>.json")
    parser.add_argument("--quiet", action="store_true")
    # internal: run one measurement in this process
    parser.add_argument("--worker", choices=("pipeline", "naive", "floor", "differential",
                                             "store-load", "profile", "site-naive"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--skip-validate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--engines", default="oxigraph,turbo,pyshacl", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_main(args)
    if args.rerender:
        report = json.loads(args.rerender.read_text(encoding="utf-8"))
        for size in report["sizes"]:  # peak of the build = the highest stage peak
            size["pipeline_max_rss_mib"] = max(size["pipeline"][s]["peak_mib"]
                                               for s in PIPELINE_STAGES)
            if "stages" in size["naive"]:
                size["naive"]["max_rss_mib"] = max(v["peak_mib"]
                                                   for v in size["naive"]["stages"].values())
        report["targets"] = check_targets(report)
        text = markdown(report)
        args.rerender.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        args.rerender.with_suffix(".md").write_text(text, encoding="utf-8")
        if args.update_readme:
            update_readme(text)
        print(text)
        return 0

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    args.work.mkdir(parents=True, exist_ok=True)
    args.results.mkdir(parents=True, exist_ok=True)
    date = dt.date.today().isoformat()
    report: dict[str, Any] = {
        "command": "python -m benchmarks.run " + " ".join(argv if argv is not None
                                                          else sys.argv[1:]),
        "date": date, "machine": machine(), "sizes": [],
    }
    naive_done: dict[int, float] = {}
    sizes = [generator.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    for target in sorted(sizes):
        name = generator.size_name(target)
        result = bench_size(name, target, args, naive_done, log)
        result["machine"] = report["machine"]
        (args.results / f"{date}-{name}.json").write_text(json.dumps(result, indent=1) + "\n",
                                                          encoding="utf-8")
        report["sizes"].append(result)
    if not args.no_differential:
        target = min(sizes, key=lambda n: abs(math.log(n / 10_000)))
        name = generator.size_name(target)
        log(f"differential check at {name} ...")
        scaled = next(s for s in report["sizes"] if s["size"] == name)
        datasets: dict[str, Any] = {}
        folders = [("real data", args.data, "oxigraph,turbo,pyshacl")]
        if scaled["factor"] > 1:  # at factor 1 the scaled set is the real data
            folders.append((f"{name} set", args.work / name / "data", "oxigraph,turbo,pyshacl"))
        # pySHACL takes minutes from 100k triples: there, the oxigraph engine against turbo.
        for big in sorted(s for s in sizes if s > target and s <= 200_000):
            big_name = generator.size_name(big)
            folders.append((f"{big_name} set", args.work / big_name / "data", "oxigraph,turbo"))
        for label, folder, engines in folders:
            found = run_worker("differential", "--data", str(folder),
                               "--drop-every", str(args.drop_every), "--engines", engines)
            datasets.update({f"{label}, {k}": v for k, v in found.items()
                             if k not in ("max_rss_mib", "wall")})
        report["differential"] = {"size": name, "datasets": datasets}
    for spec in filter(None, args.profile.split(",")):
        name = generator.size_name(generator.parse_size(spec))
        if (args.work / name / "data").is_dir():
            log(f"profile at {name} ...")
            target = args.results / f"{date}-profile-{name}.txt"
            run_worker("profile", "--data", str(args.work / name / "data"), "--keep",
                       str(target))
            report.setdefault("profiles", {})[name] = str(target.relative_to(ROOT)
                                                          if target.is_relative_to(ROOT)
                                                          else target)
    if args.startup_runs:
        log("start-up comparison ...")
        report["startup"] = startup(args.startup_runs)
    report["targets"] = check_targets(report)
    report["seconds"] = time.perf_counter() - started
    remove_site_outputs(args.work)
    text = markdown(report)
    (args.results / f"{date}.json").write_text(json.dumps(report, indent=1) + "\n",
                                               encoding="utf-8")
    (args.results / f"{date}.md").write_text(text, encoding="utf-8")
    if args.update_readme:
        update_readme(text)
    log(text)
    log(f"benchmark took {report['seconds']:.0f} s; results in {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
