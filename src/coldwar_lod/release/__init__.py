"""Releases: versioned, checksummed, citable snapshots of the dataset, with changelogs.

``coldwar-lod release VERSION`` runs :func:`make_release`; a site lists the releases with
:func:`list_releases`. The modules, one job each:

* :mod:`.versions`: semantic versions, and which exist in the series folder;
* :mod:`.iris`: the IRIs of the series, releases, their files and versioned ontology/shapes;
* :mod:`.documents`: the release's files (licence and version statements, gzip, SHA256SUMS);
* :mod:`.patch`: the release as named graphs, the RDF Patch between two, and its applier;
* :mod:`.changelog`: the human changelog (entities, claims, disagreements, Wikidata links);
* :mod:`.series`: listing the releases, and the DCAT 3 description of the series;
* :mod:`.citation`: CITATION.cff and .zenodo.json from ``citation.toml``;
* :mod:`.make`: putting it together, written all or nothing.
"""

from .make import NotConformingError, Release, issued_date, make_release
from .patch import apply_patch, rdf_patch, release_dataset
from .series import ReleaseInfo, list_releases
from .versions import Version

__all__ = ["NotConformingError", "Release", "ReleaseInfo", "Version", "apply_patch", "issued_date",
           "list_releases", "make_release", "rdf_patch", "release_dataset"]
