"""The model terms the second curation pass added: event statuses, arguments, resignations and
the liberator role are defined in the ontology, checked by the loader and mapped."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from coldwar_lod import model
from coldwar_lod.dataset import Build
from coldwar_lod.errors import InputErrors
from coldwar_lod.records import load_records
from coldwar_lod.resources import ontology_file

CWO = "https://w3id.org/coldwar-lod/ontology#"


def test_statuses_and_new_terms_are_defined() -> None:
    onto = rdflib.Graph().parse(ontology_file(), format="turtle")
    defined = {str(s).removeprefix(CWO) for s in onto.subjects(RDF.type, None)}
    wanted = {*model.EVENT_STATUSES.values(), "argued", "eventStatus", "resignedFrom",
              "Resignation", "LiberatorRole", "EventStatus"}
    assert wanted - defined == set()


def test_an_unknown_status_is_refused(data_copy: Path) -> None:
    claims = data_copy / "claims.csv"
    with claims.open("a", encoding="utf-8") as fh:
        fh.write("bad-status,prague-spring,status,postponed,,,,,,,cvce-invasion:700-760,,\n")
    with pytest.raises(InputErrors, match="unknown status 'postponed'"):
        load_records(data_copy)


def test_the_new_properties_are_used_and_mapped(built: Build) -> None:
    used = {r.get("property") for r in built.records.claims.values()}
    assert {"argued", "status", "resigned-from"} <= used
    roles = {r.get("role") for r in built.records.claims.values()}
    assert "liberator" in roles
    objects = {t.object.value for t in built.triples if t.predicate.value == CWO + "eventStatus"}
    assert objects == {CWO + "PlannedStatus", CWO + "CancelledStatus"}
