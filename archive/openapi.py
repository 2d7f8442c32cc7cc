"""The OpenAPI 3.1 description of the read-only API, served at /api/openapi.json.

Written by hand next to archive/serializers.py; tests/pages/test_api.py checks that every
documented path answers and that responses carry the documented fields.
"""

from __future__ import annotations

from archive.stats import KINDS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema_type: str, **extra) -> dict:
    return {"type": [schema_type, "null"], **extra}


def _query(name: str, description: str, **schema) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _path_param(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


PAGINATION = [
    _query("page", "Page number, from 1.", type="integer", minimum=1, default=1),
    _query("page_size", "Items per page.", type="integer", minimum=1, maximum=100, default=20),
]


def _page_of(schema: str) -> dict:
    return {
        "type": "object",
        "required": ["count", "next", "previous", "results"],
        "properties": {
            "count": {"type": "integer"},
            "next": _nullable("string", format="uri"),
            "previous": _nullable("string", format="uri"),
            "results": {"type": "array", "items": _ref(schema)},
        },
    }


def _ok(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _ok(_ref("Error"), "Invalid parameter"),
    "404": _ok(_ref("Error"), "Not found, or not published"),
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string"}, "errors": {"type": "object"}},
    },
    "EntityRef": {
        "type": "object",
        "required": ["name", "slug", "url", "api_url"],
        "properties": {
            "name": {"type": "string"},
            "slug": {"type": "string"},
            "url": {"type": "string", "format": "uri", "description": "The entity's page"},
            "api_url": {"type": "string", "format": "uri"},
        },
    },
    "CommuniqueSummary": {
        "type": "object",
        "required": ["id", "title", "language", "date", "issuer", "url", "api_url"],
        "properties": {
            "id": {"type": "string", "description": "Public id; the permalink is /c/<id>/"},
            "title": {"type": "string"},
            "language": {"type": "string", "description": "ISO 639-1"},
            "date": _nullable("string", format="date"),
            "issuer": {"oneOf": [_ref("EntityRef"), {"type": "null"}]},
            "issuer_body": {"type": "string"},
            "published_at": _nullable("string", format="date-time"),
            "url": {"type": "string", "format": "uri", "description": "Canonical permalink"},
            "api_url": {"type": "string", "format": "uri"},
        },
    },
    "Communique": {
        "allOf": [
            _ref("CommuniqueSummary"),
            {
                "type": "object",
                "properties": {
                    "meeting_date": _nullable("string", format="date"),
                    "meeting_place": {"oneOf": [_ref("EntityRef"), {"type": "null"}]},
                    "source_url": _nullable("string", format="uri"),
                    "original": {
                        "type": ["object", "null"],
                        "properties": {
                            "name": {"type": "string"},
                            "sha256": {"type": "string"},
                            "url": {"type": "string", "format": "uri"},
                        },
                    },
                    "paragraphs": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "number": {"type": "integer"},
                                "anchor": {"type": "string", "examples": ["p3"]},
                                "text": {"type": "string"},
                            },
                        },
                    },
                    "participants": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "person": _ref("EntityRef"),
                                "role": {"type": "string"},
                                "rank": {"type": "string"},
                                "organization": {"oneOf": [_ref("EntityRef"), {"type": "null"}]},
                            },
                        },
                    },
                    "demands": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "number": {"type": "integer", "description": "Anchor #d<n>"},
                                "text": {"type": "string"},
                                "paragraph": _nullable("integer"),
                                "verb": {"type": "string"},
                                "speaker": {"oneOf": [_ref("EntityRef"), {"type": "null"}]},
                                "addressees": {"type": "array", "items": _ref("EntityRef")},
                            },
                        },
                    },
                    "places": {"type": "array", "items": _ref("EntityRef")},
                    "resolutions": {"type": "array", "items": _ref("EntityRef")},
                    "revisions": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "number": {"type": "integer"},
                                "created_at": {"type": "string", "format": "date-time"},
                                "url": {"type": "string", "format": "uri"},
                            },
                        },
                    },
                    "cite": {
                        "type": "object",
                        "description": "BibTeX, RIS and CSL-JSON downloads",
                        "properties": {
                            fmt: {"type": "string", "format": "uri"}
                            for fmt in ("bib", "ris", "json")
                        },
                    },
                },
            },
        ]
    },
    "Entity": {
        "allOf": [
            _ref("EntityRef"),
            {
                "type": "object",
                "description": "Organizations add acronym and kind; places kind, country_code, "
                "latitude, longitude; resolutions body, number, year, title.",
                "properties": {"communique_count": {"type": "integer"}},
            },
        ]
    },
    "EntityDetail": {
        "allOf": [
            _ref("Entity"),
            {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "communiques": {
                        "type": "string",
                        "format": "uri",
                        "description": "The entity's communiqués in /api/communiques/",
                    },
                },
            },
        ]
    },
}


def _paths() -> dict:
    kinds = list(KINDS)
    communique_filters = [
        _query("issuer", "Slug of the issuing organization."),
        _query("date_from", "Issued on or after (YYYY-MM-DD).", type="string", format="date"),
        _query("date_to", "Issued on or before (YYYY-MM-DD).", type="string", format="date"),
        _query("language", "ISO 639-1 language code."),
        *(_query(kind, f"Slug of one of the {kind} the communiqué concerns.") for kind in kinds),
    ]
    kind_param = {
        "name": "kind",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": kinds},
    }
    return {
        "/api/communiques/": {
            "get": {
                "operationId": "listCommuniques",
                "summary": "Published communiqués, newest first",
                "parameters": [*communique_filters, *PAGINATION],
                "responses": {"200": _ok(_page_of("CommuniqueSummary")), **ERRORS},
            }
        },
        "/api/communiques/{id}/": {
            "get": {
                "operationId": "getCommunique",
                "summary": "One communiqué with its text and structure",
                "parameters": [_path_param("id", "Public id")],
                "responses": {"200": _ok(_ref("Communique")), "404": ERRORS["404"]},
            }
        },
        "/api/{kind}/": {
            "get": {
                "operationId": "listEntities",
                "summary": "Entities named in published communiqués",
                "parameters": [kind_param, *PAGINATION],
                "responses": {"200": _ok(_page_of("Entity")), **ERRORS},
            }
        },
        "/api/{kind}/{slug}/": {
            "get": {
                "operationId": "getEntity",
                "summary": "One entity",
                "parameters": [kind_param, _path_param("slug", "The entity's slug")],
                "responses": {"200": _ok(_ref("EntityDetail")), "404": ERRORS["404"]},
            }
        },
    }


def openapi_document(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Bayan API",
            "version": "1.0.0",
            "description": "Read-only access to the published communiqués of the Bayan "
            "archive and the people, organizations, places and resolutions they name.",
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": _paths(),
        "components": {"schemas": SCHEMAS},
    }
