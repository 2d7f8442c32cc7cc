"""What a gunicorn worker holds in memory, written from inside it during a soak.

Opt-in (`manage.py soak --probe`): the soak command sets BAYAN_SOAK_PROBE_DIR, and the hooks
in archive.soak.gunicorn_conf call `Probe.after_request` after every request. At most every
PROBE_SECONDS, and whenever the soak command writes a new phase name into `DIR/phase`, the
worker appends one JSON line to `DIR/<pid>.jsonl`: its RSS split into anonymous memory (the
Python heap, numpy arrays) and file-backed pages (the memory-mapped index segments), the sizes
of every cache that could grow (the search backend's per-searcher and per-segment tables and
its decoded postings, the highlighter's word memo, the analysis lru_caches, Django's
local-memory caches), glibc's heap in use and free-but-kept, the number of live Python
objects by type, and with BAYAN_SOAK_TRACEMALLOC=1 the traced Python allocations, with a
tracemalloc snapshot dumped at each phase change (`DIR/<pid>-<n>-<phase>.snap`).

Nothing here runs unless the variable is set; a probe costs a few tens of milliseconds (it
counts the live objects), once every PROBE_SECONDS per worker.
"""

from __future__ import annotations

import gc
import json
import os
import time
import tracemalloc
from collections import Counter
from pathlib import Path

PROBE_SECONDS = float(os.environ.get("BAYAN_SOAK_PROBE_SECONDS", "10"))


def proc_memory(pid: int | str = "self") -> dict[str, float]:
    """RSS, RssAnon, RssFile and RssShmem in MB, from /proc/<pid>/status ({} if gone)."""
    wanted = {"VmRSS:": "rss", "RssAnon:": "anon", "RssFile:": "file", "RssShmem:": "shmem"}
    found: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key = line.split(None, 1)[0] if line.strip() else ""
                if key in wanted:
                    found[wanted[key]] = int(line.split()[1]) / 1024
    except OSError:
        return {}
    return found


def malloc_state() -> dict[str, float]:
    """glibc's view of the C heap (mallinfo2), in MB: what is in use, and what is free but
    kept (fragmentation). Memory that Python objects do not explain shows up here. {} if the
    C library has no mallinfo2 (glibc < 2.33, musl)."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in (
                "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                "uordblks", "fordblks", "keepcost",
            )
        ]  # fmt: skip

    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return {}
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    mb = 2**20
    return {
        "heap_mb": round(info.arena / mb, 1),
        "mmapped_mb": round(info.hblkhd / mb, 1),
        "in_use_mb": round((info.uordblks + info.hblkhd) / mb, 1),
        "free_kept_mb": round(info.fordblks / mb, 1),
    }


def _nbytes(value) -> int:
    if hasattr(value, "nbytes"):
        return int(value.nbytes)
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(v) for v in value)
    return 0


def search_state() -> dict:
    """Sizes of the search backend's caches in this thread (the sync worker's only one)."""
    try:
        from haystack import connections
    except Exception:  # pragma: no cover - the probe must never break a request
        return {}
    handler = getattr(connections.thread_local, "connections", {}).get("default")
    backend = getattr(handler, "_backend", None) if handler is not None else None
    state: dict = {"backend": backend is not None}
    if backend is None:
        return state
    searcher = getattr(backend, "_searcher", None)
    if searcher is not None:
        try:
            reader = searcher.reader()
            state["searcher_docs"] = reader.doc_count_all()
            state["searcher_segments"] = len(list(reader.leaf_readers()))
        except Exception as error:  # a closed or stale searcher
            state["searcher_error"] = type(error).__name__
    fast = getattr(backend, "_fast", None)
    if fast is not None:
        state["fast_live_bytes"] = _nbytes(getattr(fast, "_live", None))
        facets = getattr(fast, "_facets", {})
        state["fast_facet_fields"] = len(facets)
        state["fast_facet_keys"] = sum(len(table[0]) for table in facets.values())
        state["fast_facet_bytes"] = sum(_nbytes(table[1:]) for table in facets.values())
        state["fast_column_bytes"] = _nbytes(getattr(fast, "_columns", {}))
    segments = getattr(backend, "_segments", None)
    if segments is not None:  # per-segment tables kept across searchers (search.fast)
        seg_tables = getattr(segments, "_tables", {})
        state["segment_tables"] = len(seg_tables)
        state["segment_table_bytes"] = sum(_nbytes(t) for t in seg_tables.values())
        state["segment_memo_entries"] = sum(
            len(table)
            for tables in seg_tables.values()
            for table in tables.values()
            if isinstance(table, dict)
        )
        state["segment_postings"] = len(getattr(segments, "_postings", {}))
        state["segment_postings_bytes"] = getattr(segments, "_cached", None)
    tables = getattr(backend, "_facet_tables", {})
    state["whoosh_facet_tables"] = len(tables)
    highlighter = getattr(backend, "_fast_highlighter", None)
    state["highlighter_memo_words"] = len(getattr(highlighter, "_memo", {}) or {})
    try:
        from search import analysis

        for name in ("stems", "arabic_stem"):
            function = getattr(analysis, name, None)
            if function is not None and hasattr(function, "cache_info"):
                state[f"lru_{name}"] = function.cache_info().currsize
    except Exception:  # pragma: no cover
        pass
    return state


def django_state() -> dict:
    state: dict = {}
    try:
        from django.core.cache.backends import locmem

        state["locmem_entries"] = {name: len(c) for name, c in locmem._caches.items()}
    except Exception:  # pragma: no cover
        pass
    try:
        from django.db import connections

        state["db_queries_logged"] = sum(len(c.queries_log) for c in connections.all())
    except Exception:  # pragma: no cover
        pass
    return state


def python_state(top: int = 15) -> dict:
    objects = gc.get_objects()
    types = Counter(type(o).__name__ for o in objects)
    state = {
        "gc_objects": len(objects),
        "gc_garbage": len(gc.garbage),
        "top_types": dict(types.most_common(top)),
    }
    del objects
    if tracemalloc.is_tracing():
        current, peak = tracemalloc.get_traced_memory()
        state["traced_mb"] = round(current / 2**20, 2)
        state["traced_peak_mb"] = round(peak / 2**20, 2)
        state["tracemalloc_overhead_mb"] = round(tracemalloc.get_tracemalloc_memory() / 2**20, 2)
    return state


class Probe:
    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self.pid = os.getpid()
        self.requests = 0
        self.phase = ""
        self.phase_checked = 0.0
        self.last = 0.0
        self.snapshots = 0

    @classmethod
    def from_environment(cls) -> Probe | None:
        folder = os.environ.get("BAYAN_SOAK_PROBE_DIR")
        if not folder:
            return None
        if os.environ.get("BAYAN_SOAK_TRACEMALLOC") == "1" and not tracemalloc.is_tracing():
            tracemalloc.start(int(os.environ.get("BAYAN_SOAK_TRACEMALLOC_FRAMES", "12")))
        return cls(folder)

    def current_phase(self) -> str:
        try:
            return (self.folder / "phase").read_text().strip()
        except OSError:
            return self.phase

    def after_request(self) -> None:
        self.requests += 1
        now = time.monotonic()
        changed = False
        if now - self.phase_checked >= 1:
            self.phase_checked = now
            phase = self.current_phase()
            changed = phase != self.phase
            self.phase = phase
        if changed or now - self.last >= PROBE_SECONDS:
            self.last = now
            self.write(snapshot=changed)

    def write(self, snapshot: bool = False, event: str = "") -> None:
        record = {
            "time": round(time.time(), 2),
            "pid": self.pid,
            "phase": self.phase,
            "event": event or ("phase" if snapshot else "interval"),
            "requests": self.requests,
            "memory_mb": {k: round(v, 1) for k, v in proc_memory().items()},
            "malloc": malloc_state(),
            "search": search_state(),
            "django": django_state(),
            "python": python_state(),
        }
        if snapshot and tracemalloc.is_tracing():
            self.snapshots += 1
            name = f"{self.pid}-{self.snapshots:02d}-{self.phase or 'start'}.snap"
            tracemalloc.take_snapshot().dump(str(self.folder / name))
            record["snapshot"] = name
        with (self.folder / f"{self.pid}.jsonl").open("a") as out:
            out.write(json.dumps(record) + "\n")


# -- Reading the probes back (in the soak command) --------------------------------------------

# Numbers worth following from phase to phase: (label, path in a probe record).
TRACKED = [
    ("rss_mb", ("memory_mb", "rss")),
    ("anon_mb", ("memory_mb", "anon")),
    ("file_mb", ("memory_mb", "file")),
    ("malloc_in_use_mb", ("malloc", "in_use_mb")),
    ("malloc_free_kept_mb", ("malloc", "free_kept_mb")),
    ("traced_mb", ("python", "traced_mb")),
    ("tracemalloc_overhead_mb", ("python", "tracemalloc_overhead_mb")),
    ("gc_objects", ("python", "gc_objects")),
    ("searcher_docs", ("search", "searcher_docs")),
    ("searcher_segments", ("search", "searcher_segments")),
    ("fast_live_bytes", ("search", "fast_live_bytes")),
    ("fast_facet_bytes", ("search", "fast_facet_bytes")),
    ("fast_facet_keys", ("search", "fast_facet_keys")),
    ("fast_column_bytes", ("search", "fast_column_bytes")),
    ("segment_tables", ("search", "segment_tables")),
    ("segment_table_bytes", ("search", "segment_table_bytes")),
    ("segment_memo_entries", ("search", "segment_memo_entries")),
    ("segment_postings_bytes", ("search", "segment_postings_bytes")),
    ("highlighter_memo_words", ("search", "highlighter_memo_words")),
    ("lru_stems", ("search", "lru_stems")),
    ("lru_arabic_stem", ("search", "lru_arabic_stem")),
]


def _get(record: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record


def _diff(before: str, after: str, limit: int = 12) -> list[dict]:
    old = tracemalloc.Snapshot.load(before)
    new = tracemalloc.Snapshot.load(after)
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]
    old, new = old.filter_traces(ignore), new.filter_traces(ignore)
    out = []
    for stat in new.compare_to(old, "traceback")[:limit]:
        frames = [
            f"{frame.filename.split('site-packages/')[-1]}:{frame.lineno}"
            for frame in stat.traceback[-6:]
        ]
        out.append(
            {
                "kb": round(stat.size_diff / 1024, 1),
                "count": stat.count_diff,
                "frames": frames,
            }
        )
    return out


# Snapshot pairs to compare: warmed up at the seed archive -> warmed up at the final one
# (what came with the data), and steady -> the worker's exit (what grew at constant data).
# Each side names its phase, then fallbacks when no request ended in that phase.
SNAPSHOT_PAIRS = (
    (("warm-up-settled", "warm-up", "load"), ("steady-settled", "steady")),
    (("steady-settled", "steady"), ("exit",)),
)


def summarise_probes(folder: Path, snapshot_pairs=SNAPSHOT_PAIRS):
    """Per worker: the tracked numbers at the first and last probe of each phase, the object
    types whose counts changed most in the steady phase, and with tracemalloc the allocations
    that grew most between the given phase snapshots."""
    workers = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if not records:
            continue
        phases: dict[str, list[dict]] = {}
        for record in records:
            phases.setdefault(record["phase"] or "start", []).append(record)
        summary: dict = {"requests": records[-1]["requests"], "phases": {}}
        for name, items in phases.items():
            summary["phases"][name] = {
                label: [_get(items[0], key), _get(items[-1], key)] for label, key in TRACKED
            }
            summary["phases"][name]["probes"] = len(items)
        steady = phases.get("steady-settled") or phases.get("steady")
        if steady:
            first, last = steady[0]["python"]["top_types"], records[-1]["python"]["top_types"]
            changes = {t: last.get(t, 0) - first.get(t, 0) for t in set(first) | set(last)}
            summary["steady_type_changes"] = dict(
                sorted(changes.items(), key=lambda item: -abs(item[1]))[:10]
            )
        summary["django_at_end"] = records[-1].get("django")
        snapshots = {
            r["phase"] or "start": r["snapshot"]
            for r in records
            if "snapshot" in r and r["event"] == "phase"
        }
        exit_snapshot = next((r.get("snapshot") for r in records if r["event"] == "exit"), None)
        if exit_snapshot:
            snapshots["exit"] = exit_snapshot
        diffs = {}
        for befores, afters in snapshot_pairs:
            before = next((name for name in befores if name in snapshots), None)
            after = next((name for name in afters if name in snapshots), None)
            if before and after:
                diffs[f"{before} -> {after}"] = _diff(
                    str(Path(folder) / snapshots[before]), str(Path(folder) / snapshots[after])
                )
        if diffs:
            summary["tracemalloc_growth"] = diffs
        workers[path.stem] = summary
    return {"workers": workers}
