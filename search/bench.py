"""`manage.py bench`: the search benchmark, on the embedded default and on PostgreSQL, in one run.

    manage.py bench [--count N] [--seed S] [--reuse] [--skip-rebuild] [--skip-load] [--skip-pg]
                    [--repeats R] [--load-seconds T] [--plain]

1. Corpus: `generate_corpus --count N --seed S` (with --reuse, whatever synthetic corpus the
   database already holds is used as it is).
2. Index: `search.queue.rebuild()` timed (docs/s) and the index directory's size.
   Then, in a copy of the index: 3,000 communiqués re-indexed in the index queue's batches of
   200, with merges of small segments in the background as in a server (search.merging):
   each batch's time, each merge's, and published → searchable whenever a merge is running.
3. Search latency over a fixed query mix, through the same code path as /api/search/ (Django's
   test client on the real URL): for each query a *cold* figure (a fresh searcher, so every
   per-searcher table is rebuilt: what the first query after an index change pays), then
   R *warm* repeats (p50 / p95 / p99). The whole mix is interleaved, so no query's own result
   can be what answers it next time; nothing caches results.
4. Load: gunicorn with 2 workers on loopback, 16 concurrent clients on `/c/<id>/`, then on
   `/search/?q=...` (the query mix), each first on pages no worker has drawn (cold) and then
   on pages both keep (warm, archive.pagecache); latency percentiles and errors, and the peak
   resident memory of the server (master and workers, sampled from /proc). The clients are
   `wrk` connections where wrk is installed (search/wrk_paths.lua), else Python threads.
5. Other pages (page_addresses: the lists, entity pages, feeds, the sitemap, the demand
   tracker, the API's lists), each drawn twice in this process with no page kept: the better
   time, what the first reader after a publication waits for; then read again with pages
   kept, what every later reader waits for until the next change.
6. PostgreSQL 15 full-text search over the same documents (what the search index receives:
   SearchIndex.full_prepare), in a throwaway server: a tsvector column with a GIN index, facet
   counts by SQL (GROUP BY over unnest of each facet's key array, every filter but the facet's
   own, as the service does), ts_headline for the page's highlights. Each of our figures is
   also given as a ratio to PostgreSQL's.

Results: benchmarks/results/<timestamp>.json, and the table in docs/benchmarks.md is redrawn
from every result file there.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings

from archive import planner

ROOT = Path(settings.BASE_DIR)
RESULTS = ROOT / "benchmarks" / "results"
# Pages of the load test: permalinks read before (warm) and never read (cold), and results
# pages never asked for (cold: the mix's addresses made new); cold ones more than a run of
# its length reaches, so that each is asked for once.
WARM_PAGES, COLD_PAGES = 500, 5000
COLD_SEARCHES = 3000
DOC = ROOT / "docs" / "benchmarks.md"

# The query mix: (kind, query text, filters, date range, page). Filter values are chosen from
# the corpus itself (the most frequent keys of the whole archive), so any seed works.
QUERIES = [
    ("rare term", "mercenaries", {}, None, 1),
    ("common term", "international", {}, None, 1),
    ("two-word phrase", '"humanitarian law"', {}, None, 1),
    ("three-word phrase", '"humanitarian response plan"', {}, None, 1),
    ("two-term AND", "ceasefire refugees", {}, None, 1),
    ("empty query", "", {}, None, 1),
    ("one filter", "civilians", {"issuer": 1}, None, 1),
    ("three filters", "civilians", {"issuer": 1, "place": 1, "language": 1}, None, 1),
    ("date range", "ceasefire", {}, ("2012", "2013"), 1),
    ("page 50", "international", {}, None, 50),
]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values_ms: list[float]) -> dict:
    return {
        "n": len(values_ms),
        "p50": round(percentile(values_ms, 0.5), 2),
        "p95": round(percentile(values_ms, 0.95), 2),
        "p99": round(percentile(values_ms, 0.99), 2),
    }


# -- Corpus and index -------------------------------------------------------------------------


def ensure_corpus(count: int, seed: int, reuse: bool, log) -> int:
    from django.core.management import call_command

    from archive.models import Communique

    have = Communique.objects.filter(is_synthetic=True).count()
    if reuse and have:
        log(f"reusing the {have} synthetic communiqués in the database")
        # Measured with the planner's statistics a deployed archive has (archive.planner).
        planner.keep_current()
        return Communique.objects.published().count()
    if have != count:
        if have:
            call_command("generate_corpus", delete=True, no_progress=True)
        call_command("generate_corpus", count=count, seed=seed, no_progress=True)
    return Communique.objects.published().count()


def index_path() -> Path:
    return Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def rebuild_index(log) -> dict:
    from search import queue
    from search.models import IndexTask

    # What is queued now (generate_corpus queues every document) is covered by the rebuild.
    last = IndexTask.objects.order_by("-id").values_list("id", flat=True).first()
    if last:
        IndexTask.objects.filter(id__lte=last).delete()
    started = time.perf_counter()
    n = queue.rebuild(progress=False)
    elapsed = time.perf_counter() - started
    log(f"rebuilt the index of {n} communiqués in {elapsed:.1f} s")
    return {
        "docs": n,
        "seconds": round(elapsed, 1),
        "docs_per_s": round(n / elapsed, 1),
        "index_bytes": dir_size(index_path()),
    }


def publish_latency(log) -> dict:
    """Seconds from publishing a communiqué (its commit) to finding it in a fresh search."""
    from django.db import transaction
    from django.test import Client

    from archive.models import Communique
    from search import queue

    c = Communique.objects.published().order_by("pk").last()
    token = "zqxbenchmarkword"
    from archive.models import Paragraph

    para = c.paragraphs.order_by("number").first()
    original = para.text
    client = Client()
    # A running server has searched before: its per-segment tables are built, and what a
    # publish costs is the commit, the new searcher and the new segment's tables. The first
    # search of a fresh process (every table built) is the mix's "cold" column.
    client.get("/api/search/", {"q": "international"})
    started = time.perf_counter()
    with transaction.atomic():
        Paragraph.objects.filter(pk=para.pk).update(text=f"{original} {token}")
        queue.enqueue(c.pk)
    queue.drain()
    found = client.get("/api/search/", {"q": token}).json()["total"]
    elapsed = time.perf_counter() - started
    with transaction.atomic():
        Paragraph.objects.filter(pk=para.pk).update(text=original)
        queue.enqueue(c.pk)
    queue.drain()
    log(f"published-to-searchable: {elapsed * 1000:.0f} ms (found: {found})")
    return {"seconds": round(elapsed, 3), "found": found}


class _Merges(logging.Handler):
    """The merges search.merging logs as committed: segments, documents, seconds."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.merges: list[dict] = []

    def emit(self, record) -> None:
        merge = getattr(record, "merge", None)
        if merge and merge["committed"]:
            self.merges.append({k: merge[k] for k in ("segments", "docs", "seconds")})


def updates_and_merges(log, count: int = 3000, size: int = 200) -> dict:
    """Re-indexing `count` communiqués in the index queue's batches of `size`, in a copy of
    the index, with the merges of small segments in the background as in a server: each
    batch's time, each merge's, and a publication made whenever a merge is running."""
    from haystack import connections

    from search import merging, queue

    ids = queue._published_ids()
    ids = ids[len(ids) // 2 :][:count]
    source = index_path()
    copy = source.with_name(f"{source.name}-bench-updates")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(source, copy)
    original = settings.HAYSTACK_CONNECTIONS["default"]
    background = settings.BAYAN_INDEX_IN_BACKGROUND
    settings.HAYSTACK_CONNECTIONS["default"] = {**original, "PATH": str(copy)}
    settings.BAYAN_INDEX_IN_BACKGROUND = True
    connections.reload("default")
    merges, merging_log = _Merges(), logging.getLogger("search.merging")
    level = merging_log.level
    merging_log.setLevel(logging.INFO)  # whatever the logging settings say
    merging_log.addHandler(merges)
    batches, during = [], []
    try:
        for start in range(0, len(ids), size):
            began = time.perf_counter()
            queue._apply(ids[start : start + size])
            batches.append(time.perf_counter() - began)
            if merging.running():
                during.append(publish_latency(log)["seconds"])
        merging.wait(600)
    finally:
        merging_log.removeHandler(merges)
        merging_log.setLevel(level)
        settings.HAYSTACK_CONNECTIONS["default"] = original
        settings.BAYAN_INDEX_IN_BACKGROUND = background
        connections.reload("default")
        shutil.rmtree(copy, ignore_errors=True)
        for lock in copy.parent.glob(f"{copy.name}.lock*"):
            lock.unlink()
    result = {
        "docs": len(ids),
        "batch": size,
        "docs_per_s": round(len(ids) / sum(batches), 1),  # the publications left out
        "slowest_batch_seconds": round(max(batches), 2),
        "merges": [{**m, "seconds": round(m["seconds"], 1)} for m in merges.merges],
        "published_during_merge_seconds": [round(s, 3) for s in during],
    }
    log(
        f"re-indexed {len(ids)} in batches of {size}: {result['docs_per_s']} docs/s, slowest "
        f"batch {result['slowest_batch_seconds']} s; merges {result['merges']}; published "
        f"during a merge: {result['published_during_merge_seconds']} s"
    )
    return result


# -- The query mix ----------------------------------------------------------------------------


def top_keys() -> dict[str, list[str]]:
    from django.test import Client

    answer = Client().get("/api/search/").json()
    return {name: [v["key"] for v in values] for name, values in answer["facets"].items()}


def _api_pages(params: dict) -> int:
    from django.test import Client

    return Client().get("/api/search/?" + query_string(params)).json()["pages"]


def mix_params(keys: dict[str, list[str]], pages_of=_api_pages) -> list[tuple[str, dict]]:
    mix = []
    for kind, q, filters, dates, page in QUERIES:
        params: dict[str, object] = {}
        if q:
            params["q"] = q
        for name, n in filters.items():
            params[name] = keys.get(name, [])[:n]
        if dates:
            params["date_from"], params["date_to"] = dates
        if page > 1:
            # A small corpus has fewer pages: its last page, then.
            params["page"] = min(page, pages_of(params))
        mix.append((kind, params))
    return mix


def query_string(params: dict) -> str:
    return urlencode(
        [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])]
    )


def reset_search_state() -> None:
    """A fresh backend: no searcher, no per-searcher tables (what an index change causes)."""
    from haystack import connections

    connections.reload("default")


def page_addresses() -> list[str]:
    """The site's other pages at archive scale, as a reader or a crawler reaches them: each
    list, the largest issuer's page and feed and the first entity of each kind by name,
    feeds, the sitemap, the demand tracker and the API's lists."""
    from archive import stats
    from archive.models import Communique

    largest = stats.issuers().first()
    year = Communique.objects.published().dates("date", "year").last()
    people = stats.named(stats.KINDS["people"]).count()
    addresses = ["/", "/browse/", f"/browse/{year.year}/" if year else "/browse/", "/issuers/"]
    addresses += [f"/{kind}/" for kind in stats.KINDS]
    addresses.append(f"/people/?page={max(1, -(-people // 100))}")  # the last page of 100
    for kind in stats.KINDS.values():
        entity = stats.named(kind).order_by("slug").first()
        if entity is not None:
            addresses += [entity.get_absolute_url(), f"/api/{kind.key}/{entity.slug}/"]
    if largest is not None:
        addresses += [largest.get_absolute_url(), f"/feeds/issuer/{largest.slug}.atom"]
    addresses += ["/feeds/latest.atom", "/sitemap.xml", "/sitemap-communiques.xml"]
    addresses += ["/sitemap-entities.xml", "/demands/", "/demands.json"]
    addresses += ["/api/communiques/", "/api/people/", "/api/places/"]
    return list(dict.fromkeys(addresses))


def measure_pages(log) -> dict:
    """Each of page_addresses() drawn twice, none kept (archive.pagecache off): the better
    time in ms, what the first reader after a change waits. Then, pages kept (as deployed),
    each drawn once more and read again: `kept_ms`, what every later reader waits."""
    from django.test import Client

    client = Client(raise_request_exception=False)
    kept = settings.BAYAN_PAGE_CACHE_PAGES, settings.BAYAN_RESULTS_CACHE_PAGES
    settings.BAYAN_PAGE_CACHE_PAGES = settings.BAYAN_RESULTS_CACHE_PAGES = 0
    out = {}
    addresses = page_addresses()
    try:
        for address in addresses:
            times = []
            for _ in range(2):
                t = time.perf_counter()
                response = client.get(address)
                times.append((time.perf_counter() - t) * 1000)
            out[address] = {"ms": round(min(times), 1), "status": response.status_code}
        settings.BAYAN_PAGE_CACHE_PAGES, settings.BAYAN_RESULTS_CACHE_PAGES = 5000, 1000
        for address in addresses:
            client.get(address)  # drawn, and kept where the page is one that keeps
            t = time.perf_counter()
            client.get(address)
            out[address]["kept_ms"] = round((time.perf_counter() - t) * 1000, 1)
            p = out[address]
            log(f"  {address:52} {p['ms']:9.1f} ms {p['kept_ms']:9.1f} ms kept  {p['status']}")
    finally:
        settings.BAYAN_PAGE_CACHE_PAGES, settings.BAYAN_RESULTS_CACHE_PAGES = kept
    return out


def measure_mix(mix, repeats: int, log) -> dict:
    from django.db import reset_queries
    from django.test import Client

    client = Client()
    out: dict[str, dict] = {}
    cold: dict[str, float] = {}
    totals: dict[str, int] = {}
    for kind, params in mix:
        reset_search_state()
        url = "/api/search/?" + query_string(params)
        t = time.perf_counter()
        response = client.get(url)
        cold[kind] = (time.perf_counter() - t) * 1000
        assert response.status_code == 200, (url, response.content[:300])
        totals[kind] = response.json()["total"]
    warm: dict[str, list[float]] = {kind: [] for kind, _ in mix}
    # CPU time too: the wall clock also counts waits for index pages read back from disk,
    # which made runs of the same code differ by 40 % on this machine.
    cpu: list[float] = []
    client.get("/api/search/")  # one searcher for the warm runs
    for _ in range(repeats):
        for kind, params in mix:
            url = "/api/search/?" + query_string(params)
            t, c = time.perf_counter(), time.process_time()
            response = client.get(url)
            warm[kind].append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            assert response.status_code == 200
            reset_queries()
    for kind, params in mix:
        out[kind] = {
            "params": params,
            "total": totals[kind],
            "cold_ms": round(cold[kind], 1),
            **summary(warm[kind]),
        }
        log(
            f"  {kind:18} {totals[kind]:>7} hits  cold {cold[kind]:8.1f}  "
            f"p50 {out[kind]['p50']:8.1f}  p95 {out[kind]['p95']:8.1f} ms"
        )
    everything = [v for values in warm.values() for v in values]
    return {
        "queries": out,
        "all": summary(everything),
        "all_cpu": summary(cpu),
        "all_cold": summary(list(cold.values())),
    }


# -- Load on loopback -------------------------------------------------------------------------


def _tree_memory_kb(pid: int) -> dict[str, int]:
    """The server's memory, master and workers: RSS counts the pages of the index that the
    workers map in each of them; PSS splits every shared page among its sharers, so its sum
    is the memory the server holds; anonymous is the heap, which no one shares."""
    total = {"rss": 0, "pss": 0, "anon": 0}
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    fields = {"Rss:": "rss", "Pss:": "pss", "Anonymous:": "anon"}
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                name = fields.get(line.split(":")[0] + ":")
                if name:
                    total[name] += int(line.split()[1])
        except OSError:
            pass
    return total


def _worker_hwm_kb(pid: int) -> list[int]:
    out = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for c in children:
        try:
            for line in Path(f"/proc/{c}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    out.append(int(line.split()[1]))
        except OSError:
            pass
    return out


def _hammer(
    port: int, paths: list[str], seconds: float | None, clients: int, expect: int = 200
) -> dict:
    """`clients` threads asking for `paths` in turn, without pausing, for `seconds`; with
    `seconds` None, until each path was asked for once. An answer other than `expect` is an
    error."""
    import http.client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds if seconds is not None else None

    def run(n: int) -> None:
        i = n
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline if deadline is not None else i < len(paths):
            path = paths[i % len(paths)]
            i += clients
            t = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            except Exception as error:
                status = repr(error)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(elapsed)
                if status != expect:
                    errors.append(f"{path}: {status}")
        conn.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        **summary(latencies),
        "requests": len(latencies),
        "rps": round(len(latencies) / wall, 1),
        "errors": len(errors),
        "error_sample": errors[:5],
    }


WRK_SCRIPT = Path(__file__).with_name("wrk_paths.lua")


def load_tool() -> str:
    """The load client: "wrk" where it is installed (Debian's package), else "python"
    (_hammer).

    Both run on the machine they measure. Sixteen Python client threads took about a fifth of
    a core from the server's two at 600 pages a second, and a thread's wait for the
    interpreter lock after its answer came counted as latency (warm permalinks, back to back
    against the same server: p95 62 ms through _hammer, 50 ms through wrk)."""
    return "wrk" if shutil.which("wrk") else "python"


def _wrk(port: int, paths: list[str], seconds: float, clients: int, expect: int = 200) -> dict:
    """What _hammer measures, by wrk: `clients` connections asking for `paths` in turn."""
    threads = min(2, clients)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
        listing.write("\n".join(paths) + "\n")
        listing.flush()
        run = subprocess.run(
            [
                "wrk",
                f"--threads={threads}",
                f"--connections={clients}",
                f"--duration={max(1, round(seconds))}s",
                "--timeout=60s",  # as _hammer's: a slow answer is measured, not dropped
                f"--script={WRK_SCRIPT}",
                f"http://127.0.0.1:{port}",
                "--",
                listing.name,
                str(threads),
                str(expect),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    report = json.loads(run.stdout.strip().splitlines()[-1])
    errors = report["not_ok"] + report["socket_errors"]
    sample = [f"HTTP {status}" for status in report["statuses"].split()]
    if report["socket_errors"]:
        sample.append(f"{report['socket_errors']} connection errors or timeouts")
    return {
        "n": report["requests"],
        **{q: round(report[q], 2) for q in ("p50", "p95", "p99")},
        "requests": report["requests"],
        "rps": round(report["requests"] / report["seconds"], 1),
        "errors": errors,
        "error_sample": sample[:5],
    }


def load_test(mix, seconds: float, clients: int, log) -> dict:
    from archive.models import Communique

    port = pg_run.free_port()
    env = dict(
        os.environ,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bench-" + "x" * 50),
        BAYAN_INDEX_IN_BACKGROUND="0",
        # The load test measures the server, not the rate limiter, over plain HTTP.
        BAYAN_RATE_LIMIT="0",
        # The clients count every answer not expected; the floor's thousands of 404s would
        # each be a warning line on the terminal.
        LOG_LEVEL="ERROR",
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    # With DEBUG off, pages need the hashed static files' manifest.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    peak = {"rss": 0, "pss": 0, "anon": 0}
    stop = threading.Event()

    def sample() -> None:
        # Every half second: reading smaps_rollup walks the page tables of every mapped index
        # page, about 15 ms of CPU for the three processes, which at ten reads a second took
        # 15 % of a core from the server being measured.
        while not stop.is_set():
            for name, kb in _tree_memory_kb(server.pid).items():
                peak[name] = max(peak[name], kb)
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        _wait_http(port)
        sampler.start()
        ids = list(
            Communique.objects.published()
            .order_by("?")
            .values_list("public_id", flat=True)[: WARM_PAGES + COLD_PAGES]
        )
        warm = min(WARM_PAGES, len(ids) // 2)  # a small corpus: half of it for each pass
        pages = [f"/c/{i}/" for i in ids[:warm]]
        unread = [f"/c/{i}/" for i in ids[warm:]]
        searches = ["/search/?" + query_string(params) for _, params in mix]
        # The mix's own addresses, each made new by a parameter the page ignores: every one is
        # searched and drawn, as a query no reader asked before.
        rounds = -(-COLD_SEARCHES // len(searches))
        unasked = [f"{path}&cold={n}" for n in range(rounds) for path in searches]
        # Warm-up: each worker opens its searcher and builds its tables once.
        _hammer(port, searches, 3.0, 4)
        tool = load_tool()
        measure = _wrk if tool == "wrk" else _hammer
        log(f"load tool: {tool}")
        out = {"tool": tool}

        def cold_then_warm(key: str, page: str, unread: list[str], read: list[str]) -> None:
            # Cold: pages no worker has drawn since it started (archive.pagecache keeps them),
            # each asked for once, so every one is drawn: what a page costs. Warm: pages both
            # workers have drawn (each asked for 8 times first, so that a worker misses one
            # with a chance of 2 ** -8, as requests go to either).
            log(f"load: {page} not read before (cold), {clients} clients, {seconds:.0f} s")
            out[f"{key}_cold"] = {**measure(port, unread, seconds, clients), "pages": len(unread)}
            log(f"  {out[f'{key}_cold']}")
            _hammer(port, read * 8, None, clients)
            log(f"load: {page} read before (warm), {clients} clients, {seconds:.0f} s")
            out[key] = {**measure(port, read, seconds, clients), "pages": len(read)}
            log(f"  {out[key]}")

        cold_then_warm("communique", "/c/<id>/", unread, pages)
        cold_then_warm("search", "/search/", unasked, searches)
        # The floor under the cold pages: the cheapest page in the site's layout, the 404 of
        # a permalink no record has (three lookups, the layout and its search box), under
        # the same clients. A page drawn for its reader costs at least that.
        log(f"load: the floor, /c/<unknown>/ (404), {clients} clients, {seconds:.0f} s")
        unknown = [f"/c/unknown{n}/" for n in range(COLD_PAGES)]
        out["floor"] = {
            **measure(port, unknown, seconds, clients, expect=404),
            "pages": len(unknown),
        }
        log(f"  {out['floor']}")
        out["peak_rss_mb"] = round(peak["rss"] / 1024, 1)
        out["peak_pss_mb"] = round(peak["pss"] / 1024, 1)
        out["peak_anon_mb"] = round(peak["anon"] / 1024, 1)
        out["worker_hwm_mb"] = [round(k / 1024, 1) for k in _worker_hwm_kb(server.pid)]
        log(
            f"  server peak RSS {out['peak_rss_mb']} MB, PSS {out['peak_pss_mb']} MB, "
            f"anonymous {out['peak_anon_mb']} MB, workers' HWM {out['worker_hwm_mb']}"
        )
        return out
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _wait_http(port: int, seconds: float = 60) -> None:
    import http.client

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/search/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer")


# -- PostgreSQL full-text search --------------------------------------------------------------

PG_FACETS = ["issuer", "participant", "organization", "place", "addressee", "resolution"]
PG_FACETS += ["language", "year"]


def _load_pg_run():
    # One owner for starting a throwaway server: the script the PostgreSQL test run uses.
    sys.path.insert(0, str(ROOT / "tests"))
    import pg_run

    return pg_run


pg_run = _load_pg_run()


class Postgres(pg_run.ThrowawayServer):
    """A throwaway PostgreSQL 15 server (tests/pg_run.py), tuned for bulk loading and search."""

    def __init__(self):
        pg_bin = pg_run.find_bin()
        if pg_bin is None:
            raise RuntimeError("PostgreSQL 15 binaries not found")
        super().__init__(
            pg_bin,
            options="-c shared_buffers=256MB -c work_mem=64MB -c maintenance_work_mem=512MB "
            "-c max_parallel_workers_per_gather=2",
            prefix="bayan-bench-pg-",
        )

    def connect(self):
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres")
        conn.autocommit = True
        return conn


def _documents(batch: int = 200):
    from archive.models import Communique
    from search.queue import _engine, _load

    _, index = _engine()
    ids = list(Communique.objects.published().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        for c in _load(ids[start : start + batch]):
            yield index.full_prepare(c)


def _pg_array(values) -> str:
    items = []
    for v in values or []:
        v = str(v).replace("\\", "\\\\").replace('"', '\\"')
        items.append(f'"{v}"')
    return "{" + ",".join(items) + "}"


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n").replace("\r", " ")


def pg_build(pg: Postgres, log) -> dict:
    import io

    conn = pg.connect()
    cur = conn.cursor()
    columns = ", ".join(f"{name} text[]" for name in [*PG_FACETS, "month"])
    cur.execute(
        "CREATE TABLE doc (id int PRIMARY KEY, public_id text, title text, issuer_name text, "
        f"date date, body text, text text, {columns})"
    )
    started = time.perf_counter()
    prepare = 0.0
    n = 0
    buffer = io.StringIO()
    t = time.perf_counter()
    for data in _documents():
        fields = [
            str(data["django_id"]),
            data.get("public_id") or "",
            data.get("title") or "",
            data.get("issuer_name") or "",
            str(data["date"]) if data.get("date") else "\\N",
            data.get("body") or "",
            data.get("text") or "",
            *(_pg_array(data.get(name)) for name in [*PG_FACETS, "month"]),
        ]
        buffer.write("\t".join(_copy_escape(f) if f != "\\N" else f for f in fields) + "\n")
        n += 1
        if n % 2000 == 0:
            prepare += time.perf_counter() - t
            buffer.seek(0)
            cur.copy_expert("COPY doc FROM STDIN", buffer)
            buffer = io.StringIO()
            t = time.perf_counter()
    prepare += time.perf_counter() - t
    buffer.seek(0)
    cur.copy_expert("COPY doc FROM STDIN", buffer)
    t = time.perf_counter()
    cur.execute(
        "ALTER TABLE doc ADD COLUMN tsv tsvector "
        "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
    )
    cur.execute("CREATE INDEX doc_tsv ON doc USING gin (tsv)")
    for name in PG_FACETS:
        cur.execute(f"CREATE INDEX doc_{name} ON doc USING gin ({name})")
    cur.execute("CREATE INDEX doc_date ON doc (date)")
    cur.execute("VACUUM ANALYZE doc")
    indexing = time.perf_counter() - t
    elapsed = time.perf_counter() - started
    cur.execute("SELECT pg_total_relation_size('doc')")
    size = cur.fetchone()[0]
    conn.close()
    log(
        f"PostgreSQL: {n} documents, {elapsed:.1f} s ({prepare:.1f} s preparing them from the "
        f"database, the rest loading and indexing), {size / 1e6:.0f} MB"
    )
    return {
        "docs": n,
        "seconds": round(elapsed, 1),
        "docs_per_s": round(n / elapsed, 1),
        "prepare_seconds": round(prepare, 1),
        "tsvector_gin_seconds": round(indexing, 1),
        "index_bytes": size,
    }


def _pg_tsquery(q: str) -> tuple[str, list]:
    if not q:
        return "", []
    if q.startswith('"'):
        return "tsv @@ phraseto_tsquery('english', %s)", [q.strip('"')]
    return "tsv @@ plainto_tsquery('english', %s)", [q]


def pg_search(cur, params: dict) -> dict:
    """What run_search computes, by SQL: the page, the total, facet counts, the timeline."""
    from search.params import PAGE_SIZE

    q = str(params.get("q", ""))
    text_sql, text_args = _pg_tsquery(q)
    conditions: list[tuple[str | None, str, list]] = []  # (facet, sql, args)
    if text_sql:
        conditions.append((None, text_sql, text_args))
    if params.get("date_from"):
        conditions.append((None, "date >= %s", [f"{params['date_from']}-01-01"]))
    if params.get("date_to"):
        conditions.append((None, "date <= %s", [f"{params['date_to']}-12-31"]))
    for name in PG_FACETS:
        if params.get(name):
            conditions.append((name, f"{name} && %s::text[]", [list(params[name])]))

    def where(without: str | None = None) -> tuple[str, list]:
        parts = [(sql, args) for facet, sql, args in conditions if facet != without or not facet]
        if not parts:
            return "", []
        return " WHERE " + " AND ".join(s for s, _ in parts), [a for _, args in parts for a in args]

    page = int(params.get("page", 1))
    w, args = where()
    if text_sql:
        order = f"ts_rank_cd(tsv, {text_sql.split('@@ ')[1]}) DESC, id"
        order_args = text_args
    else:
        order, order_args = "date DESC, id", []
    cur.execute(
        f"SELECT id, public_id, title, issuer_name, date, body FROM doc{w} ORDER BY {order} "
        f"LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE}",
        args + order_args,
    )
    rows = cur.fetchall()
    if text_sql and rows:
        tsq = text_sql.split("@@ ")[1]
        cur.execute(
            f"SELECT ts_headline('english', body, {tsq}, "
            "'MaxFragments=3, MaxWords=40, MinWords=15') FROM doc WHERE id = ANY(%s)",
            [*text_args, [r[0] for r in rows]],
        )
        cur.fetchall()
    cur.execute(f"SELECT count(*) FROM doc{w}", args)
    total = cur.fetchone()[0]
    facets = {}
    for name in PG_FACETS:
        fw, fargs = where(without=name)
        cur.execute(
            f"SELECT k, count(*) FROM doc, unnest({name}) k{fw} GROUP BY k "
            "ORDER BY 2 DESC, 1 LIMIT 100",
            fargs,
        )
        facets[name] = cur.fetchall()
    if params.get("date_from") and params.get("date_to"):
        cur.execute(f"SELECT k, count(*) FROM doc, unnest(month) k{w} GROUP BY k", args)
        facets["month"] = cur.fetchall()
    return {"total": total, "results": rows, "facets": facets}


def pg_top_keys(pg: Postgres) -> dict[str, list[str]]:
    """The most frequent keys of each facet, as the empty search lists them (count, key)."""
    conn = pg.connect()
    cur = conn.cursor()
    keys = {}
    for name in PG_FACETS:
        cur.execute(
            f"SELECT k FROM doc, unnest({name}) k GROUP BY k ORDER BY count(*) DESC, k LIMIT 5"
        )
        keys[name] = [row[0] for row in cur.fetchall()]
    conn.close()
    return keys


def pg_pages(pg: Postgres, params: dict) -> int:
    from search.params import PAGE_SIZE

    conn = pg.connect()
    total = pg_search(conn.cursor(), {**params, "page": 1})["total"]
    conn.close()
    return max(1, -(-total // PAGE_SIZE))


def pg_measure(pg: Postgres, mix, repeats: int, log) -> dict:
    conn = pg.connect()
    cur = conn.cursor()
    out = {}
    cold = {}
    totals = {}
    for kind, params in mix:
        t = time.perf_counter()
        totals[kind] = pg_search(cur, params)["total"]
        cold[kind] = (time.perf_counter() - t) * 1000
    warm: dict[str, list[float]] = {kind: [] for kind, _ in mix}
    for _ in range(repeats):
        for kind, params in mix:
            t = time.perf_counter()
            pg_search(cur, params)
            warm[kind].append((time.perf_counter() - t) * 1000)
    for kind, _ in mix:
        out[kind] = {"total": totals[kind], "cold_ms": round(cold[kind], 1), **summary(warm[kind])}
        log(
            f"  PG {kind:15} {totals[kind]:>7} hits  p50 {out[kind]['p50']:8.1f}  "
            f"p95 {out[kind]['p95']:8.1f} ms"
        )
    conn.close()
    everything = [v for values in warm.values() for v in values]
    return {"queries": out, "all": summary(everything), "all_cold": summary(list(cold.values()))}


# -- The run ----------------------------------------------------------------------------------


def versions() -> dict:
    import django
    import haystack
    import whoosh

    out = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "haystack": ".".join(map(str, haystack.__version__))
        if isinstance(haystack.__version__, tuple)
        else str(haystack.__version__),
        "whoosh": whoosh.versionstring(),
    }
    try:
        import numpy

        out["numpy"] = numpy.__version__
    except ImportError:
        pass
    return out


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem, "os": platform.platform()}


def ratios(ours: dict, theirs: dict) -> dict:
    out = {}
    for kind, figures in ours["queries"].items():
        other = theirs["queries"].get(kind)
        if other:
            out[kind] = {
                q: round(figures[q] / other[q], 3) if other[q] else None
                for q in ("p50", "p95", "p99")
            }
    out["all"] = {
        q: round(ours["all"][q] / theirs["all"][q], 3) if theirs["all"][q] else None
        for q in ("p50", "p95", "p99")
    }
    return out


def run(options: dict, log) -> dict:
    from search.backend import fast_path_enabled

    # Every request of the mix comes from one address: the rate limiter would answer 429.
    settings.BAYAN_RATE_LIMIT = "0"
    result: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "label": options.get("label") or "",
        "machine": machine(),
        "versions": versions(),
        "fast_path": fast_path_enabled(),
        "repeats": options["repeats"],
    }
    n = ensure_corpus(options["count"], options["seed"], options["reuse"], log)
    result["corpus"] = {"published": n, "seed": options["seed"], "synthetic": True}
    if options.get("pg_only"):
        # PostgreSQL alone (it needs no search index): a later run reads it with --pg-result.
        with Postgres() as pg:
            result["postgres"] = {"index": pg_build(pg, log)}
            mix = mix_params(pg_top_keys(pg), pages_of=lambda params: pg_pages(pg, params))
            result["postgres"]["search"] = pg_measure(pg, mix, options["repeats"], log)
        result["postgres"]["mix"] = mix
        return _save(result, log, suffix="-postgres")
    if not options["skip_rebuild"]:
        result["index"] = rebuild_index(log)
    else:
        result["index"] = {"index_bytes": dir_size(index_path()), "reused": True}
    if options.get("rebuild_only"):
        return _save(result, log)
    result["publish"] = publish_latency(log)
    result["updates"] = updates_and_merges(log)
    mix = mix_params(top_keys())
    log("search through /api/search/ (ms):")
    result["search"] = measure_mix(mix, options["repeats"], log)
    log("other pages, drawn and not kept, then kept and read again (ms):")
    result["pages"] = measure_pages(log)
    if not options["skip_load"]:
        result["load"] = load_test(mix, options["load_seconds"], 16, log)
    if options.get("pg_result"):
        earlier = json.loads(Path(options["pg_result"]).read_text())
        result["postgres"] = earlier["postgres"]
        result["postgres"]["from"] = Path(options["pg_result"]).name
        if [list(m) for m in mix] != [list(m) for m in earlier["postgres"]["mix"]]:
            log("warning: the PostgreSQL run's query mix differs from this one")
        result["ratio_to_postgres"] = ratios(result["search"], result["postgres"]["search"])
    elif not options["skip_pg"]:
        with Postgres() as pg:
            result["postgres"] = {"index": pg_build(pg, log)}
            result["postgres"]["search"] = pg_measure(pg, mix, options["repeats"], log)
        result["ratio_to_postgres"] = ratios(result["search"], result["postgres"]["search"])
    return _save(result, log)


def _save(result: dict, log, suffix: str = "") -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}{suffix}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    log(f"wrote {path.relative_to(ROOT)}")
    write_table()
    return result


# -- docs/benchmarks.md -----------------------------------------------------------------------

DOC_HEAD = """# Benchmarks

Generated by `make bench` (`manage.py bench`, search/bench.py) from the result files in
`benchmarks/results/`; do not edit the tables by hand, rerun the benchmark.

Each run: a synthetic corpus (`generate_corpus --count N --seed S`), the index rebuilt
(`search.queue.rebuild`), the query mix below through the same code path as `/api/search/`
(page 1 of 20 unless said, every facet counted, highlights on), a *cold* run of each query on a
fresh searcher (every per-searcher table rebuilt), then warm repeats; the load test runs
gunicorn with 2 workers on loopback against 16 concurrent clients (permalink and results
pages not read before, cold, and read before, warm, which archive.pagecache keeps);
PostgreSQL 15 full-text search (tsvector + GIN, facet counts by SQL, ts_headline) answers
the same mix over the same documents in a throwaway server. Ratios are ours / PostgreSQL's
(below 1: we are faster).

Query mix: """


MARKER = "<!-- results: generated below this line by manage.py bench -->"


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.1f}" if v < 1000 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def _updates_row(u: dict) -> str:
    merges = u["merges"]
    largest = max(merges, key=lambda m: m["docs"], default=None)
    during = u["published_during_merge_seconds"]
    return (
        f"- Updates: {u['docs']:,} re-indexed in batches of {u['batch']} at "
        f"{_fmt(u['docs_per_s'])} docs/s, slowest batch {_fmt(u['slowest_batch_seconds'])} s; "
        + (
            f"{len(merges)} merges in the background, the largest {largest['docs']:,} "
            f"documents in {_fmt(largest['seconds'])} s"
            if largest
            else "no merge"
        )
        + (
            f"; published → searchable during a merge: at most {max(during) * 1000:,.0f} ms "
            f"({len(during)} times)"
            if during
            else ""
        )
    )


def render_run(r: dict, name: str) -> list[str]:
    lines = [f"## {r.get('label') or name}", ""]
    m, v, c = r["machine"], r["versions"], r["corpus"]
    lines.append(
        f"{r['started']} — {m['cpu']}, {m['cores']} cores, {m['memory_mb']:,} MB; "
        + ", ".join(f"{k} {val}" for k, val in v.items())
        + f"; fast path {'on' if r.get('fast_path') else 'off'}; "
        f"{c['published']:,} published synthetic communiqués (seed {c['seed']}); "
        f"{r['repeats']} warm repeats. File: `benchmarks/results/{name}`."
    )
    lines.append("")
    if "search" not in r:
        idx = r.get("index", {})
        return [
            *lines,
            f"- Index rebuild only: {idx.get('docs', 0):,} docs in {_fmt(idx.get('seconds'))} s "
            f"= **{_fmt(idx.get('docs_per_s'))} docs/s**; index "
            f"{idx.get('index_bytes', 0) / 1000000.0:,.0f} MB",
            "",
        ]
    pg = r.get("postgres", {}).get("search", {}).get("queries", {})
    lines.append(
        "| query | hits | cold ms | p50 ms | p95 ms | p99 ms | PG p50 | PG p95 | p95 / PG |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind, q in r["search"]["queries"].items():
        p = pg.get(kind, {})
        ratio = q["p95"] / p["p95"] if p.get("p95") else None
        lines.append(
            f"| {kind} | {q['total']:,} | {_fmt(q['cold_ms'])} | {_fmt(q['p50'])} | "
            f"{_fmt(q['p95'])} | {_fmt(q['p99'])} | {_fmt(p.get('p50'))} | {_fmt(p.get('p95'))} "
            f"| {f'{ratio:.2f}' if ratio else '–'} |"
        )
    a = r["search"]["all"]
    pa = r.get("postgres", {}).get("search", {}).get("all", {})
    ratio = a["p95"] / pa["p95"] if pa.get("p95") else None
    lines.append(
        f"| **whole mix** | | {_fmt(r['search']['all_cold']['p50'])} (p50) | **{_fmt(a['p50'])}** "
        f"| **{_fmt(a['p95'])}** | {_fmt(a['p99'])} | {_fmt(pa.get('p50'))} | "
        f"{_fmt(pa.get('p95'))} | {f'{ratio:.2f}' if ratio else '–'} |"
    )
    lines.append("")
    idx = r.get("index", {})
    pgi = r.get("postgres", {}).get("index", {})
    rows = []
    if "all_cpu" in r["search"]:
        c = r["search"]["all_cpu"]
        rows.append(
            f"- Whole mix, CPU time of the request (waits for the disk left out): "
            f"p50 {_fmt(c['p50'])} ms, p95 {_fmt(c['p95'])} ms"
        )
    if idx.get("docs_per_s"):
        rows.append(
            f"- Index rebuild: {idx['docs']:,} docs in {_fmt(idx['seconds'])} s = "
            f"**{_fmt(idx['docs_per_s'])} docs/s**; index {idx['index_bytes'] / 1e6:,.0f} MB"
        )
    elif idx.get("index_bytes"):
        rows.append(f"- Index reused: {idx['index_bytes'] / 1e6:,.0f} MB")
    if pgi:
        rows.append(
            f"- PostgreSQL: {pgi['docs']:,} docs in {_fmt(pgi['seconds'])} s = "
            f"{_fmt(pgi['docs_per_s'])} docs/s (of which {_fmt(pgi['prepare_seconds'])} s "
            f"preparing documents, {_fmt(pgi['tsvector_gin_seconds'])} s tsvector + GIN); "
            f"table and indexes {pgi['index_bytes'] / 1e6:,.0f} MB"
        )
    if r.get("publish"):
        rows.append(f"- Published → searchable: {r['publish']['seconds'] * 1000:,.0f} ms")
    if r.get("updates"):
        rows.append(_updates_row(r["updates"]))
    load = r.get("load")
    if load:
        # Runs before the page cache (archive.pagecache) measured each page once: the
        # permalink before session 10, results pages before session 11.
        warm, cold = "pages read before (warm)", "pages not read before (cold)"
        kept, searches_kept = "communique_cold" in load, "search_cold" in load
        # Runs before session 12 had only the Python client.
        clients = "16 wrk connections" if load.get("tool") == "wrk" else "16 Python clients"
        for key, label in (
            ("communique", f"`/c/<id>/`, {warm}" if kept else "`/c/<id>/`"),
            ("communique_cold", f"`/c/<id>/`, {cold}"),
            (
                "search",
                "`/search/`, the mix asked before (warm)" if searches_kept else "`/search/`",
            ),
            ("search_cold", "`/search/`, the mix as new addresses (cold)"),
            # Since session 24.
            ("floor", "the floor: `/c/<unknown>/`, a 404 in the site's layout (errors: not 404)"),
        ):
            x = load.get(key)
            if x is None:
                continue
            rows.append(
                f"- Load, {label}, {clients}: p50 {_fmt(x['p50'])} ms, p95 {_fmt(x['p95'])} "
                f"ms, p99 {_fmt(x['p99'])} ms, {_fmt(x['rps'])} req/s, {x['errors']} errors"
            )
        shared = (
            f"; PSS {_fmt(load['peak_pss_mb'])} MB, of which heap "
            f"{_fmt(load['peak_anon_mb'])} MB (the rest: index pages mapped by both workers)"
            if "peak_pss_mb" in load
            else ""
        )
        rows.append(
            f"- Server peak RSS (master + 2 workers): {_fmt(load['peak_rss_mb'])} MB"
            f"{shared} (workers' high-water marks {load['worker_hwm_mb']} MB)"
        )
    pages = r.get("pages")
    if pages:
        # Since session 21: the site's other pages, each drawn (not kept), best of two; since
        # session 22 also read again once kept.
        slowest = sorted(pages.items(), key=lambda item: -item[1]["ms"])
        listed = ", ".join(
            f"`{address}` {_fmt(p['ms'])}"
            + (f" / {_fmt(p['kept_ms'])}" if "kept_ms" in p else "")  # since session 22
            + ("" if p["status"] == 200 else f" ({p['status']})")
            for address, p in slowest
        )
        kept = " / kept and read again" if any("kept_ms" in p for p in pages.values()) else ""
        rows.append(f"- Other pages, drawn and not kept{kept}, slowest first (ms): {listed}")
    return lines + rows + [""]


def write_table() -> None:
    files = sorted(RESULTS.glob("*.json"))
    mix = "; ".join(
        f"{kind} (`{q or '(empty)'}`"
        + (f", filters {', '.join(f)}" if f else "")
        + (f", {d[0]}–{d[1]}" if d else "")
        + (f", page {p}" if p > 1 else "")
        + ")"
        for kind, q, f, d, p in QUERIES
    )
    # Prose written above the marker (findings, what is left) survives a rerun.
    kept = ""
    if DOC.exists() and MARKER in DOC.read_text():
        kept = DOC.read_text().split(MARKER)[0]
    out = [kept + MARKER if kept else DOC_HEAD + mix + ".\n\n" + MARKER, ""]
    for path in reversed(files):
        if path.name.endswith("-postgres.json"):
            continue
        try:
            out += render_run(json.loads(path.read_text()), path.name)
        except (KeyError, ValueError, TypeError) as error:
            out += [f"## {path.name}", "", f"(unreadable: {error!r})", ""]
    DOC.write_text("\n".join(out).rstrip() + "\n")


def median(values):
    return statistics.median(values) if values else float("nan")
