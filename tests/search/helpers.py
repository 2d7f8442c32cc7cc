"""Calling the search the way its users do: through the JSON API."""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest

# Tests of the Whoosh backend's own workings: skipped when SEARCH_URL names another engine.
whoosh_only = pytest.mark.skipif(
    os.environ.get("SEARCH_URL", "whoosh").split(":")[0] != "whoosh", reason="Whoosh only"
)


def api(client, expect: int = 200, **params) -> dict:
    """GET /api/search/ with params (lists repeat the parameter); the decoded answer."""
    query = urlencode(
        [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])]
    )
    response = client.get(f"/api/search/?{query}")
    assert response.status_code == expect, response.content[:500]
    return response.json()


def titles(answer: dict) -> list[str]:
    return [r["title"] for r in answer["results"]]


def facet(answer: dict, name: str) -> dict[str, int]:
    return {v["key"]: v["count"] for v in answer["facets"][name]}
