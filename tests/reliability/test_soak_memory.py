"""The soak report's memory figures: warm-up and data growth told from growth at constant data."""

from __future__ import annotations

import json

import pytest

from archive.management.commands.soak import markdown, memory_lines
from archive.soak import memory
from archive.soak.probe import malloc_state, proc_memory, summarise_probes


def samples(phase, rss, *, start=0.0, documents=1300, anon=None, file=None, step=5.0):
    """One sample per value: {pid: MB} dicts, or one number for two equal workers."""
    out = []
    for n, value in enumerate(rss):
        per_worker = value if isinstance(value, dict) else {"101": value, "102": value}
        out.append(
            {
                "t": start + n * step,
                "phase": phase,
                "rss_mb": per_worker,
                "anon_mb": {pid: mb - 20 for pid, mb in per_worker.items()}
                if anon is None
                else anon,
                "file_mb": {pid: 20.0 for pid in per_worker} if file is None else file,
                "documents": documents(n) if callable(documents) else documents,
            }
        )
    return out


def test_fifths_leave_out_the_first_fifth():
    assert memory.fifths([50, 100, 100, 100, 120]) == (100, 120)
    assert memory.fifths(list(range(10))) == (2.5, 8.5)
    assert memory.fifths([1, 2, 3, 4]) is None


def test_slope_is_least_squares_and_none_without_spread():
    assert memory.slope([0, 1, 2, 3], [1, 3, 5, 7]) == pytest.approx(2.0)
    assert memory.slope([1, 1, 1], [1, 2, 3]) is None
    assert memory.slope([1], [1]) is None


def test_flat_steady_phase_is_no_growth():
    run = samples("steady", [140, 150, 150.5, 150, 150.4, 150.2, 150.6, 150.3, 150.5, 150.4])
    result = memory.analyse(run)
    assert result["steady"]["rss"]["growth_mb"] == pytest.approx(0.15, abs=0.06)
    assert result["verdict"]["measured"] is True
    assert result["verdict"]["memory_growth"] is False
    assert "2.0 MB" in result["verdict"]["rule"]


def test_steady_growth_over_both_thresholds_is_growth():
    run = samples("steady", [100 + 2 * n for n in range(20)])
    verdict = memory.analyse(run)["verdict"]
    assert verdict["memory_growth"] is True
    assert verdict["growth_mb"] > memory.STEADY_GROWTH_MB
    assert verdict["growth_percent"] > memory.STEADY_GROWTH_PERCENT


def test_growth_under_the_percentage_is_not_growth():
    # +3 MB on a 400 MB worker: over 2 MB but under 2 %.
    run = samples("steady", [400] * 6 + [403] * 6)
    verdict = memory.analyse(run)["verdict"]
    assert verdict["growth_mb"] == pytest.approx(3.0)
    assert verdict["memory_growth"] is False


def test_warm_up_of_the_steady_phase_is_left_out():
    # The first two fifths settle (a new searcher, its tables, transient peaks); then flat.
    run = samples("steady", [120, 120, 140, 150, 150, 150, 150, 150, 150, 150])
    assert memory.analyse(run)["verdict"]["memory_growth"] is False


def test_growth_that_goes_on_after_settling_is_growth():
    run = samples("steady", [120, 120, 140, 150, 150, 150, 152, 153, 155, 156])
    assert memory.analyse(run)["verdict"]["memory_growth"] is True


def test_too_few_steady_samples_give_no_verdict():
    run = samples("load", [100] * 10) + samples("steady", [100] * 3, start=60)
    verdict = memory.analyse(run)["verdict"]
    assert verdict == {
        "measured": False,
        "memory_growth": None,
        "rule": verdict["rule"],
        "reason": "3 steady-phase samples; at least 10 needed",
    }


def test_an_archive_that_changes_in_the_steady_phase_is_flagged():
    run = samples("steady", [100] * 10, documents=lambda n: 1000 + n)
    assert "changed during the steady phase" in memory.analyse(run)["verdict"]["warning"]


def test_a_worker_restarted_mid_phase_is_left_out():
    flat = [{"101": 100.0, "102": 100.0}] * 10
    restarted = [{"101": 100.0, "103": 60.0}] * 10
    growth = memory.growth(samples("steady", flat + restarted))
    assert set(growth["workers"]) == {"101"}
    assert growth["growth_mb"] == 0


def test_memory_that_came_with_the_data_is_measured_at_rest_on_both_sides():
    # Warm-up at 300 records settles at 100 MB (80 anonymous + 20 mapped); the import adds
    # 500 records; at rest afterwards the workers hold 110 MB, 5 of them mapped index pages.
    warmup = samples("warm-up", [60, 90, 100, 100, 100], documents=300)
    load = samples("load", [100 + n for n in range(10)], start=30, documents=lambda n: 300 + 50 * n)
    steady = samples("steady", [110] * 10, start=100, documents=800)
    for sample in steady:
        sample["file_mb"] = {"101": 25.0, "102": 25.0}
        sample["anon_mb"] = {"101": 85.0, "102": 85.0}
    data = memory.analyse(warmup + load + steady)["data"]
    assert data["documents"] == {"from": 300, "to": 800}
    assert data["rss"] == {
        "from_mb": 100,
        "to_mb": 110,
        "growth_mb": 10,
        "mb_per_1000_documents": 20.0,
    }
    assert data["file"]["growth_mb"] == 5
    assert data["anon"]["growth_mb"] == 5


def test_without_document_counts_there_is_no_data_figure():
    run = samples("warm-up", [100] * 5, documents=None) + samples(
        "steady", [100] * 10, start=50, documents=None
    )
    assert memory.analyse(run)["data"] is None


def test_the_verdict_states_what_the_run_could_detect():
    run = samples("steady", [100] * 20)
    verdict = memory.analyse(run, steady_requests=1000)["verdict"]
    # 500 requests per worker, 200 of them between the baseline and the last fifth.
    assert verdict["requests_per_worker"] == 500
    assert verdict["detectable_kb_per_request"] == pytest.approx(2 * 1024 / 200, abs=0.01)
    assert verdict["kb_per_request"] == 0


def test_the_report_states_the_verdict_and_keeps_the_historical_fields():
    run = samples("warm-up", [90, 100, 100, 100, 100], documents=300)
    run += samples("load", [100 + n for n in range(10)], documents=lambda n: 300 + 100 * n)
    run += samples("steady", [120] * 12, start=100)
    figures = memory.analyse(run, steady_requests=600)
    lines = memory_lines(figures)
    assert any("Memory verdict: no memory growth" in line for line in lines)
    assert any("20.0 MB per 1,000 records" in line for line in lines)
    assert any("would pass unseen" in line for line in lines)
    report = {
        "passed": True,
        "failures": [],
        "parameters": {
            "minutes": 2,
            "clients": 4,
            "workers": 2,
            "import_count": 300,
            "seed_count": 300,
            "steady_minutes": 2,
        },
        "database": "sqlite",
        "phases": {
            "warm-up": {"requests": 4, "seconds": 60.0},
            "load": {"requests": 3, "seconds": 120.0},
            "steady": {"requests": 3, "seconds": 60.0},
        },
        "requests": 10,
        "requests_per_second": 1.0,
        "statuses": {"200": 10},
        "server_errors": [],
        "connection_errors": [],
        "server_log_tracebacks": 0,
        "import": {"outcomes": {"imported": 300}, "finished_after_traffic_seconds": 0},
        "consistency": {
            "communiques": 600,
            "published": 600,
            "indexed": 600,
            "drift": {},
            "queued": 0,
        },
        "memory": {
            "per_worker_mb_after_warmup": 101,
            "per_worker_mb_at_end": 109,
            "growth_mb_per_worker": 8,
            "growth_percent": 7.9,
            "samples": 22,
            **figures,
        },
        "latency": {},
    }
    text = markdown(report)
    assert "Memory per worker: 101 MB after warm-up" in text
    assert "Memory verdict: no memory growth" in text
    assert "- Phases: warm-up 60.0 s, 4 requests; load 120.0 s, 3 requests; steady" in text


def test_proc_memory_splits_anonymous_and_file_backed():
    mine = proc_memory()
    assert mine["rss"] > 0
    assert mine["anon"] + mine["file"] <= mine["rss"] + 1
    assert proc_memory(2**22 + 12345) == {}


def test_malloc_state_reads_glibc_or_nothing():
    state = malloc_state()
    assert state == {} or state["in_use_mb"] >= 0


def test_probes_are_summarised_per_worker_and_phase(tmp_path):
    def record(phase, rss, memo, event="interval", types=None):
        return {
            "time": 0,
            "pid": 7,
            "phase": phase,
            "event": event,
            "requests": 5,
            "memory_mb": {"rss": rss, "anon": rss - 20, "file": 20},
            "malloc": {},
            "search": {"highlighter_memo_words": memo},
            "django": {"locmem_entries": {}},
            "python": {"gc_objects": 1000, "top_types": types or {"dict": 10}},
        }

    lines = [
        record("load", 80, 0, "phase"),
        record("load", 100, 500),
        record("steady-settled", 120, 900, "phase", {"dict": 10, "tuple": 4}),
        record("steady-settled", 121, 950, "exit", {"dict": 12, "tuple": 4}),
    ]
    (tmp_path / "7.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    summary = summarise_probes(tmp_path)["workers"]["7"]
    assert summary["phases"]["load"]["rss_mb"] == [80, 100]
    assert summary["phases"]["steady-settled"]["highlighter_memo_words"] == [900, 950]
    assert summary["steady_type_changes"]["dict"] == 2


def test_no_rate_per_thousand_documents_from_a_handful_of_records():
    warmup = samples("warm-up", [100] * 5, documents=800)
    steady = samples("steady", [102] * 10, start=50, documents=810)
    data = memory.analyse(warmup + steady)["data"]
    assert data["rss"]["growth_mb"] == 2
    assert data["rss"]["mb_per_1000_documents"] is None
    assert any(
        "too few records added" in line for line in memory_lines(memory.analyse(warmup + steady))
    )


def test_deleted_index_files_still_mapped_are_counted_from_the_last_sample():
    run = samples("steady", [100] * 10)
    run[-2]["index_maps"] = {"101": {"maps": 8, "files": 8, "deleted": 3}}
    run[-1]["index_maps"] = {
        "101": {"maps": 8, "files": 8, "deleted": 0},
        "102": {"maps": 9, "files": 9, "deleted": 1},
        "103": None,  # the worker exited between listing and reading
    }
    maps = memory.analyse(run)["index_maps_at_end"]
    assert maps["deleted"] == 1
    assert set(maps["workers"]) == {"101", "102"}
