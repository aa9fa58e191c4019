"""The ``coldwar-lod`` command: parse arguments, call the public API, print, map errors to exits.

Exit codes: 0 success (data conforms), 1 SHACL violations, 2 usage or input error, 3 internal
error, 4 endpoint error, 5 query error, 130 interrupted. Tracebacks are shown only with
``--debug``. A reader that stops reading (``| head``) ends the command quietly, with 0.

The group and its shared options are in :mod:`.app`; each module beside it adds the commands
of one area.
"""

from . import data, release, site, sparql, wikidata
from .app import main

__all__ = ["data", "main", "release", "site", "sparql", "wikidata"]
