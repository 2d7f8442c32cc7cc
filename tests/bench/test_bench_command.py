"""`manage.py bench` (what `make bench` runs): a small run writes its result file and redraws
the table of docs/benchmarks.md, keeping the prose above the table."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from search import bench

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def serial_index(settings):
    settings.BAYAN_INDEX_IN_BACKGROUND = False


def test_a_small_run_writes_its_results_and_redraws_the_table(tmp_path, monkeypatch):
    results, doc = tmp_path / "results", tmp_path / "benchmarks.md"
    monkeypatch.setattr(bench, "RESULTS", results)
    monkeypatch.setattr(bench, "DOC", doc)
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    doc.write_text(f"# Benchmarks\n\nFindings written by hand.\n\n{bench.MARKER}\n\nold table\n")
    out = io.StringIO()
    call_command(
        "bench",
        count=30,
        seed=2,
        skip_load=True,
        skip_pg=True,
        repeats=2,
        label="small run",
        stdout=out,
    )
    [path] = results.glob("*.json")
    result = json.loads(path.read_text())
    assert result["corpus"]["published"] == 30
    assert result["index"]["docs"] == 30 and result["index"]["index_bytes"] > 0
    assert result["publish"]["found"] == 1  # the edited communiqué is found by its new word
    # Half the archive re-indexed in a copy of the index, which is gone afterwards.
    assert result["updates"]["docs"] == 15 and result["updates"]["docs_per_s"] > 0
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("index-bench")]
    kinds = [kind for kind, *_ in bench.QUERIES]
    assert list(result["search"]["queries"]) == kinds
    empty = result["search"]["queries"]["empty query"]
    assert empty["total"] == 30 and empty["n"] == 2
    assert 0 < empty["p50"] <= empty["p95"] <= empty["p99"]
    # The site's other pages, each drawn and timed: the sitemap's sections, the lists...
    pages = result["pages"]
    assert {"/", "/places/", "/sitemap-communiques.xml", "/demands/"} <= set(pages)
    assert {page["status"] for page in pages.values()} == {200}, pages
    assert all(page["ms"] > 0 and page["kept_ms"] > 0 for page in pages.values())
    table = doc.read_text()
    assert "- Other pages, drawn and not kept / kept and read again, slowest first (ms): `" in table
    assert table.startswith("# Benchmarks\n\nFindings written by hand.")
    assert "old table" not in table
    assert "## small run" in table and f"File: `benchmarks/results/{path.name}`" in table
    assert "| empty query | 30 |" in table
    assert f"wrote results/{path.name}" in out.getvalue()
