"""SPARQL services: one HTTP client (:mod:`.http`), the shipped queries, running queries, and
loading a store."""
