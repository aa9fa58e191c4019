"""Benchmarks of the coldwar-lod pipeline (not part of the package, not run by the test suite).

``python -m benchmarks.run --sizes 10k,100k,1M`` generates scaled copies of ``data/``
(:mod:`benchmarks.generator`), times every stage of the pipeline against two references (the
naive rdflib + pySHACL pipeline, and the pyoxigraph parse/serialize floor) and writes
``benchmarks/results/``. See ``benchmarks/README.md``.
"""
