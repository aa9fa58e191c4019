"""Validating RDF against the SHACL shapes: the report, the engines, the SHACL-to-SPARQL
compiler and the child process that validates large builds.

Nothing is imported here, so that the validating child process (:mod:`.child`) starts with
only what it uses.
"""
