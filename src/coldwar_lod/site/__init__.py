"""The published site: a page for people and RDF for machines at every IRI of the dataset.

``build_site`` writes the static site (:mod:`.publish`), ``make_server`` serves it with
content negotiation (:mod:`.server`); both negotiate from one route table (:mod:`.routes`),
from which the Apache configuration and the w3id.org ``.htaccess`` are also written
(:mod:`.apache`).
"""

from .publish import SiteReport, build_site
from .server import make_server

__all__ = ["SiteReport", "build_site", "make_server"]
