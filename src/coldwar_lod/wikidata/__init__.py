"""Wikidata: the service, our links to it, and the comparison of facts."""
