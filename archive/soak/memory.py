"""Worker memory in a soak: warm-up, growth with the data, and growth at constant data.

A gunicorn worker's RSS rises for three reasons, and only the third is a leak:

1. warm-up: the first requests import modules, fill Django's URL, template and translation
   caches, open the first index searcher and raise the allocator's high-water mark;
2. data: while the import runs the archive grows, and with it the index segments each worker
   maps into memory (file-backed pages, RssFile, shared with the other workers through the
   page cache), the per-searcher arrays (one entry per document), the caches keyed by
   distinct words, and the transient peak of a request that reads more hits;
3. a leak or an unbounded cache: memory that keeps rising with requests alone.

So the soak runs the same traffic in three phases: *warm-up* over the seed archive before the
import, *load* while the import runs, and *steady* once the import has finished and the index
queue is drained, over an archive that no longer changes. Growth within the steady phase,
after its first two fifths (settling), is what the "no memory growth" verdict is computed from
(`verdict`, with the thresholds below); the workers' level at the end of the warm-up against
their level at the start of the steady phase, both at constant data, is the memory that came
with the data (`data_growth`, per 1,000 documents).

Every function here is pure (samples in, figures out): tests/reliability/test_soak_memory.py.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

# The verdict: at constant data, a worker's RSS may move by this much between the steady
# phase's third fifth and its last fifth (medians of the samples, mean over the workers)
# before it counts as growth. Both bounds must be exceeded: 2 MB absorbs allocator noise
# (a pymalloc arena is 1 MB, glibc keeps freed pages), 2 % scales with bigger workers.
STEADY_GROWTH_MB = 2.0
STEADY_GROWTH_PERCENT = 2.0
# The steady phase's first two fifths settle: measured runs rose by 1-4 MB over its first
# minute (the new searcher, transient peaks of requests over the grown archive), then stayed
# flat; a leak keeps rising through the later fifths.
STEADY_SETTLING_FIFTHS = 2
# Fewer samples than this in the steady phase and no verdict is given.
MIN_STEADY_SAMPLES = 10
# Memory per 1,000 documents is only worked out when the import added at least this many.
MIN_DOCUMENTS_ADDED = 100


def fifths(values: Sequence[float], settling: int = 1) -> tuple[float, float] | None:
    """(median of the fifth after the first `settling` fifths, median of the last fifth);
    None below five values. The settling fifths are left out as warm-up."""
    if len(values) < 5:
        return None
    fifth = max(1, len(values) // 5)
    baseline = values[settling * fifth : (settling + 1) * fifth]
    return statistics.median(baseline), statistics.median(values[-fifth:])


def slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Least-squares slope of ys over xs; None when xs do not vary."""
    if len(xs) != len(ys) or len(xs) < 2:
        return None
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def worker_series(samples: Iterable[dict], key: str = "rss_mb") -> dict[str, list[tuple]]:
    """pid -> [(t, MB), ...] from samples holding {key: {pid: MB}}."""
    series: dict[str, list[tuple]] = {}
    for sample in samples:
        for pid, mb in (sample.get(key) or {}).items():
            if mb is not None:
                series.setdefault(str(pid), []).append((sample["t"], mb))
    return series


def growth(samples: Sequence[dict], key: str = "rss_mb", settling: int = 1) -> dict | None:
    """Per-worker growth between the fifth after `settling` fifths and the last fifth.

    Only workers present throughout count (a worker restarted mid-phase starts over).
    Returns {"workers": {pid: {"from", "to", "growth_mb"}}, "from_mb", "to_mb", "growth_mb",
    "growth_percent", "slope_mb_per_minute"} with means over the workers, or None."""
    if not samples:
        return None
    series = worker_series(samples, key)
    full = {pid: points for pid, points in series.items() if len(points) >= 0.9 * len(samples)}
    workers = {}
    slopes = []
    for pid, points in sorted(full.items()):
        ends = fifths([mb for _t, mb in points], settling)
        if ends is None:
            continue
        start, end = ends
        workers[pid] = {
            "from_mb": round(start, 1),
            "to_mb": round(end, 1),
            "growth_mb": round(end - start, 1),
        }
        settled = points[settling * max(1, len(points) // 5) :]
        rate = slope([t for t, _ in settled], [mb for _, mb in settled])
        if rate is not None:
            slopes.append(rate)
    if not workers:
        return None
    start = statistics.fmean(w["from_mb"] for w in workers.values())
    end = statistics.fmean(w["to_mb"] for w in workers.values())
    return {
        "workers": workers,
        "from_mb": round(start, 1),
        "to_mb": round(end, 1),
        "growth_mb": round(end - start, 1),
        "growth_percent": round(100 * (end - start) / start, 1) if start else 0.0,
        "max_worker_growth_mb": max(w["growth_mb"] for w in workers.values()),
        "slope_mb_per_minute": round(statistics.fmean(slopes) * 60, 2) if slopes else None,
    }


def in_phase(samples: Iterable[dict], *phases: str) -> list[dict]:
    return [s for s in samples if s.get("phase") in phases]


def documents_range(samples: Sequence[dict]) -> tuple[int | None, int | None]:
    counts = [s["documents"] for s in samples if s.get("documents") is not None]
    return (counts[0], counts[-1]) if counts else (None, None)


def level(samples: Sequence[dict], key: str, which: str, settling: int = 1) -> float | None:
    """The workers' mean memory at the "start" (median of the fifth after the settling ones)
    or the "end" (median of the last fifth) of a phase."""
    means = [
        statistics.fmean(v for v in s[key].values() if v is not None) for s in samples if s.get(key)
    ]
    ends = fifths(means, settling)
    if ends is None:
        return None
    return ends[0] if which == "start" else ends[1]


def data_growth(before: Sequence[dict], after: Sequence[dict]) -> dict | None:
    """Memory per worker added with the documents the import added: the workers' level at the
    end of `before` (the warm-up, at the seed archive) against their level at the start of
    `after` (the steady phase, at the final archive), both at constant data."""
    docs_before, docs_after = documents_range(before)[1], documents_range(after)[0]
    if docs_before is None or docs_after is None:
        return None
    out: dict = {"documents": {"from": docs_before, "to": docs_after}}
    added = docs_after - docs_before
    for key, name in (("rss_mb", "rss"), ("anon_mb", "anon"), ("file_mb", "file")):
        first = level(before, key, "end")
        last = level(after, key, "start", STEADY_SETTLING_FIFTHS)
        if first is None or last is None:
            return None
        out[name] = {
            "from_mb": round(first, 1),
            "to_mb": round(last, 1),
            "growth_mb": round(last - first, 1),
            "mb_per_1000_documents": (
                round(1000 * (last - first) / added, 1) if added >= MIN_DOCUMENTS_ADDED else None
            ),
        }
    return out


def verdict(steady: dict | None, samples: int, steady_documents: tuple, requests: int) -> dict:
    """Whether worker memory grows at constant data, with the rule that decided it."""
    rule = (
        f"growth at constant data: mean per-worker RSS, median of the steady phase's last "
        f"fifth minus median of its third fifth, over {STEADY_GROWTH_MB} MB and over "
        f"{STEADY_GROWTH_PERCENT} %"
    )
    first, last = steady_documents
    if steady is None or samples < MIN_STEADY_SAMPLES:
        return {
            "measured": False,
            "memory_growth": None,
            "rule": rule,
            "reason": f"{samples} steady-phase samples; at least {MIN_STEADY_SAMPLES} needed",
        }
    grew = (
        steady["growth_mb"] > STEADY_GROWTH_MB and steady["growth_percent"] > STEADY_GROWTH_PERCENT
    )
    result = {
        "measured": True,
        "memory_growth": grew,
        "rule": rule,
        "threshold_mb": STEADY_GROWTH_MB,
        "threshold_percent": STEADY_GROWTH_PERCENT,
        "growth_mb": steady["growth_mb"],
        "growth_percent": steady["growth_percent"],
    }
    workers = len(steady["workers"])
    if requests and workers:
        # What this run could see: from the middle of the baseline fifth to the middle of the
        # last one, and a leak must pass the threshold in that window to be caught.
        per_worker = requests / workers * (4 - STEADY_SETTLING_FIFTHS) / 5
        result["requests_per_worker"] = round(requests / workers)
        result["kb_per_request"] = round(steady["growth_mb"] * 1024 / per_worker, 2)
        result["detectable_kb_per_request"] = round(STEADY_GROWTH_MB * 1024 / per_worker, 2)
    if first != last:
        # The archive must not change in this phase, or the verdict measures data again.
        result["warning"] = f"the archive changed during the steady phase ({first} -> {last})"
    return result


def mapped_index_files(samples: Sequence[dict]) -> dict | None:
    """Index files each worker still maps in the last sample: "deleted" counts files merged
    away that an unclosed searcher keeps alive. After a steady phase (every worker has
    searched since the last index change) they should be 0."""
    for sample in reversed(samples):
        maps = sample.get("index_maps")
        if maps:
            found = {str(pid): m for pid, m in maps.items() if m is not None}
            return {
                "workers": found,
                "deleted": sum(m.get("deleted", 0) for m in found.values()),
            }
    return None


def analyse(samples: Sequence[dict], steady_requests: int = 0) -> dict:
    """The report's memory figures beyond the historical ones: see the module docstring."""
    warmup = in_phase(samples, "warm-up")
    load = in_phase(samples, "load", "import")
    steady = in_phase(samples, "steady")
    steady_growth = growth(steady, settling=STEADY_SETTLING_FIFTHS)
    report: dict = {
        "warmup": {
            "samples": len(warmup),
            "documents": documents_range(warmup)[-1],
            "rss": growth(warmup),
        },
        "load": {
            "documents": dict(zip(("from", "to"), documents_range(load), strict=True)),
            "rss": growth(load),
            "anon": growth(load, "anon_mb"),
            "file": growth(load, "file_mb"),
        },
        "data": data_growth(warmup or load, steady or load),
        "steady": {
            "samples": len(steady),
            "seconds": round(steady[-1]["t"] - steady[0]["t"], 1) if steady else 0.0,
            "documents": dict(zip(("from", "to"), documents_range(steady), strict=True)),
            "requests": steady_requests,
            "rss": steady_growth,
            "anon": growth(steady, "anon_mb", STEADY_SETTLING_FIFTHS),
            "file": growth(steady, "file_mb", STEADY_SETTLING_FIFTHS),
        },
        "index_maps_at_end": mapped_index_files(steady or samples),
    }
    report["verdict"] = verdict(
        steady_growth, len(steady), documents_range(steady), steady_requests
    )
    return report
