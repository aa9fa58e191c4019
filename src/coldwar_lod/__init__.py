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

Every name in ``__all__`` is the public API (the command-line tool uses nothing else); each is
documented with a runnable example.
"""

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import ColdwarError, EndpointError, InputError, InputErrors, QueryError

if TYPE_CHECKING:
    from .api import (
        Outcome,
        export,
        export_bulk,
        load,
        locate,
        statistics,
        validate_files,
        write_dataset,
        write_unlinked,
    )
    from .dataset import Build, dataset_files
    from .namespaces import IriSpace, shortener
    from .pipeline import build, build_and_render, build_graph, validate
    from .release import Release, make_release
    from .site import SiteReport, build_site, make_server
    from .sparql.catalogue import NamedQuery, load_query, shipped_queries
    from .sparql.http import Endpoint
    from .sparql.load import LoadReport, load_store
    from .sparql.profiles import store_endpoint, store_names
    from .sparql.query import run_query
    from .sparql.results import QueryResult
    from .stats import Stats, count
    from .validation.report import ValidationReport, ValidationResult
    from .wikidata.accept import AcceptReport, accept_links
    from .wikidata.compare import Comparison, ComparisonReport, compare_with_wikidata
    from .wikidata.export import wikidata_export
    from .wikidata.links import LinkCheck, LinkReport, check_links
    from .wikidata.quickstatements import QuickStatements, quickstatements
    from .wikidata.reconcile.server import ReconcileServer, reconcile_service
    from .wikidata.service import wikidata_endpoint
    from .wikidata.suggest import SuggestReport, suggest_links
    from .wikidata.wikibase_rdf import wikibase_rdf

#: Imported on first use (PEP 562), so that ``coldwar-lod build`` starts fast, and the
#: validating child process imports only what it uses.
_LAZY = {name: module for module, names in {
    "api": ("Outcome", "export", "export_bulk", "load", "locate", "statistics", "validate_files",
            "write_dataset", "write_unlinked"),
    "dataset": ("Build", "dataset_files"),
    "namespaces": ("IriSpace", "shortener"),
    "pipeline": ("build", "build_and_render", "build_graph", "validate"),
    "release": ("Release", "make_release"),
    "site": ("SiteReport", "build_site", "make_server"),
    "sparql.catalogue": ("NamedQuery", "load_query", "shipped_queries"),
    "sparql.http": ("Endpoint",),
    "sparql.load": ("LoadReport", "load_store"),
    "sparql.profiles": ("store_endpoint", "store_names"),
    "sparql.query": ("run_query",),
    "sparql.results": ("QueryResult",),
    "stats": ("Stats", "count"),
    "validation.report": ("ValidationReport", "ValidationResult"),
    "wikidata.accept": ("AcceptReport", "accept_links"),
    "wikidata.compare": ("Comparison", "ComparisonReport", "compare_with_wikidata"),
    "wikidata.links": ("LinkCheck", "LinkReport", "check_links"),
    "wikidata.export": ("wikidata_export",),
    "wikidata.quickstatements": ("QuickStatements", "quickstatements"),
    "wikidata.reconcile.server": ("ReconcileServer", "reconcile_service"),
    "wikidata.service": ("wikidata_endpoint",),
    "wikidata.suggest": ("SuggestReport", "suggest_links"),
    "wikidata.wikibase_rdf": ("wikibase_rdf",),
}.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'coldwar_lod' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "AcceptReport",
    "Build",
    "ColdwarError",
    "Comparison",
    "ComparisonReport",
    "Endpoint",
    "EndpointError",
    "InputError",
    "InputErrors",
    "IriSpace",
    "LinkCheck",
    "LinkReport",
    "LoadReport",
    "NamedQuery",
    "Outcome",
    "QueryError",
    "QueryResult",
    "QuickStatements",
    "ReconcileServer",
    "Release",
    "SiteReport",
    "Stats",
    "SuggestReport",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "accept_links",
    "build",
    "build_and_render",
    "build_graph",
    "build_site",
    "check_links",
    "compare_with_wikidata",
    "count",
    "dataset_files",
    "export",
    "export_bulk",
    "load",
    "load_query",
    "load_store",
    "locate",
    "make_release",
    "make_server",
    "quickstatements",
    "reconcile_service",
    "run_query",
    "shipped_queries",
    "shortener",
    "statistics",
    "store_endpoint",
    "store_names",
    "suggest_links",
    "validate",
    "validate_files",
    "wikibase_rdf",
    "wikidata_endpoint",
    "wikidata_export",
    "write_dataset",
    "write_unlinked",
]
