"""coldwar-lod: the 1968 Czechoslovak crisis as Linked Open Data.

Build the dataset from the curated records, validate it against the SHACL shapes, and export
it::

    >>> import coldwar_lod
    >>> build = coldwar_lod.build()                 # read data/, map to RDF
    >>> coldwar_lod.validate(build).conforms        # SHACL: a report, not an exception
    True
    >>> ttl = build.serialize("turtle")              # or "json-ld", "nt", "trig", ...
    >>> ttl.startswith(b"@prefix")
    True
"""

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import ColdwarError, EndpointError, InputError, InputErrors, QueryError

if TYPE_CHECKING:
    from .pipeline import Build, build, build_and_render, build_graph, validate, write_dataset
    from .query import NamedQuery, QueryResult, load_query, run_query, shipped_queries
    from .store import Endpoint, LoadReport, load_store
    from .validation import ValidationReport, ValidationResult
    from .wikidata import (
        Comparison,
        ComparisonReport,
        LinkCheck,
        LinkReport,
        check_links,
        compare_with_wikidata,
        wikidata_endpoint,
    )

#: Imported on first use (PEP 562), so that ``coldwar-lod build`` starts fast, and the
#: validating child process (``_validator``) imports only what it uses.
_LAZY = {name: module for module, names in {
    "pipeline": ("Build", "build", "build_and_render", "build_graph", "validate",
                 "write_dataset"),
    "validation": ("ValidationReport", "ValidationResult"),
    "query": ("NamedQuery", "QueryResult", "load_query", "run_query", "shipped_queries"),
    "store": ("Endpoint", "LoadReport", "load_store"),
    "wikidata": ("Comparison", "ComparisonReport", "LinkCheck", "LinkReport", "check_links",
                 "compare_with_wikidata", "wikidata_endpoint"),
}.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'coldwar_lod' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value

__all__ = [
    "Build",
    "ColdwarError",
    "Comparison",
    "ComparisonReport",
    "Endpoint",
    "EndpointError",
    "InputError",
    "InputErrors",
    "LinkCheck",
    "LinkReport",
    "LoadReport",
    "NamedQuery",
    "QueryError",
    "QueryResult",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "build",
    "build_and_render",
    "build_graph",
    "check_links",
    "compare_with_wikidata",
    "load_query",
    "load_store",
    "run_query",
    "shipped_queries",
    "validate",
    "wikidata_endpoint",
    "write_dataset",
]
