"""JSON schemas of the answers a W3C Entity Reconciliation API 0.2 service gives, written for
these tests from the specification (https://reconciliation-api.github.io/specs/0.2/),
section by section: the service manifest, reconciliation candidates, suggest answers. They
check the shape OpenRefine relies on; they are this project's wording, not copies of the
community group's schema files.
"""

from __future__ import annotations

from typing import Any

_TYPE = {  # a type: an id and a human name
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string"}},
}

_SERVICE = {  # where a suggest (or other) sub-service is
    "type": "object",
    "required": ["service_url"],
    "properties": {"service_url": {"type": "string", "pattern": "^https?://"},
                   "service_path": {"type": "string"}},
}

MANIFEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "service manifest",
    "type": "object",
    "required": ["versions", "name", "identifierSpace", "schemaSpace"],
    "properties": {
        "versions": {"type": "array", "items": {"type": "string"}, "contains": {"const": "0.2"}},
        "name": {"type": "string", "minLength": 1},
        "identifierSpace": {"type": "string", "format": "uri"},
        "schemaSpace": {"type": "string", "format": "uri"},
        "defaultTypes": {"type": "array", "items": _TYPE},
        "view": {"type": "object", "required": ["url"],
                 "properties": {"url": {"type": "string", "pattern": r"\{\{id\}\}"}}},
        "preview": {"type": "object", "required": ["url", "width", "height"],
                    "properties": {"url": {"type": "string", "pattern": r"\{\{id\}\}"},
                                   "width": {"type": "integer", "minimum": 1},
                                   "height": {"type": "integer", "minimum": 1}}},
        "suggest": {"type": "object",
                    "properties": {"entity": _SERVICE, "type": _SERVICE, "property": _SERVICE}},
        "batchSize": {"type": "integer", "minimum": 1},
    },
}

CANDIDATE = {
    "type": "object",
    "required": ["id", "name", "score", "match"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "type": {"type": "array", "items": _TYPE},
        "score": {"type": "number"},
        "match": {"type": "boolean"},
    },
}

BATCH_RESPONSE: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "reconciliation answers, by query key",
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "required": ["result"],
        "properties": {"result": {"type": "array", "items": CANDIDATE}},
    },
}

SUGGEST_RESPONSE: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "suggest answer (entity, type or property)",
    "type": "object",
    "required": ["result"],
    "properties": {"result": {"type": "array", "items": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "notable": {"type": "array", "items": {"anyOf": [{"type": "string"}, _TYPE]}},
        },
    }}},
}
