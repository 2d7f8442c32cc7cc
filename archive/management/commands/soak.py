"""python manage.py soak --minutes 10 --clients 16 --workers 4 --import-count 1000 --report PATH

A soak test on loopback, not part of `make test`. In a temporary DATA_DIR (and the
configured DATABASE_URL's server, in a fresh database, if it is PostgreSQL):

1. migrate, collect static files, generate a seed corpus and index it;
2. start gunicorn (--workers) with production settings (DEBUG off) and a dedicated index
   writer (drain_index), as deployed;
3. run --clients threads of mixed traffic (search page, search API, exports, pages, entity
   pages, API lists and records, feeds) for --minutes, while `import_communiques --publish`
   imports --import-count generated files;
4. sample the resident memory of every gunicorn worker every few seconds;
5. at the end check: no 5xx and no connection errors; every imported file is a record;
   database and index agree (search.queue drift, empty queue);
6. write PATH.json and PATH.md, and exit non-zero if a check failed.

Rate limits are off for the run (all clients share one address).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

WORDS = [
    "council", "ceasefire", "security", "humanitarian", "elections", "sanctions", "truce",
    "resolution", "civilians", "dialogue", "peace", "minister", "summit", "calls", "urges",
    "بيان", "مجلس", "conseil", "sécurité", "aid", "refugees", "border", "talks",
]  # fmt: skip
CHECK = """
import django, json; django.setup()
from archive.models import Communique, ImportBatch, ImportItem
from search import queue
from search.models import IndexTask
drift = queue.drift()
print(json.dumps({
    "communiques": Communique.objects.count(),
    "published": Communique.objects.published().count(),
    "indexed": len(queue.indexed_fingerprints()),
    "drift": {"missing": len(drift.missing), "stale": len(drift.stale),
              "extra": len(drift.extra)},
    "queued": IndexTask.objects.count(),
    "import_items": dict(Counter(ImportItem.objects.values_list("outcome", flat=True))),
    "import_finished": all(b.finished_at for b in ImportBatch.objects.all()),
}))
""".replace("import django, json;", "import django, json; from collections import Counter;")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return found


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Soak test: gunicorn + mixed traffic + a concurrent import; writes a report."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=float, default=10.0)
        parser.add_argument("--clients", type=int, default=16)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--import-count", type=int, default=1000)
        parser.add_argument("--seed-count", type=int, default=300, help="published at start")
        parser.add_argument("--report", default="", help="report path without extension")
        parser.add_argument("--keep", action="store_true", help="keep the temporary DATA_DIR")

    def handle(self, *args, **options):
        report_base = Path(options["report"] or Path(settings.DATA_DIR) / "soak" / "report")
        report_base.parent.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="bayan-soak-"))
        try:
            with self.database(workdir) as env:
                report = self.run(env, workdir, options)
        finally:
            if not options["keep"]:
                shutil.rmtree(workdir, ignore_errors=True)
        report_base.with_suffix(".json").write_text(json.dumps(report, indent=2))
        report_base.with_suffix(".md").write_text(markdown(report))
        self.stdout.write(markdown(report))
        self.stdout.write(f"Report: {report_base}.json and {report_base}.md")
        if not report["passed"]:
            raise CommandError("The soak test failed: " + "; ".join(report["failures"]))

    # -- Set-up -------------------------------------------------------------------------------

    @contextmanager
    def database(self, workdir: Path):
        env = dict(
            os.environ,
            DATA_DIR=str(workdir / "data"),
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            BAYAN_RATE_LIMIT="0",
            BAYAN_EXPORT_RATE_LIMIT="0",
            LOG_LEVEL="WARNING",
        )
        env.pop("SEARCH_URL", None)
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            env.pop("DATABASE_URL", None)
            yield env
            return
        import psycopg2

        name = f"bayan_soak_{uuid.uuid4().hex[:8]}"
        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))

        def execute(sql):
            conn = psycopg2.connect(admin_url)
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql)
            conn.close()

        execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        try:
            yield env
        finally:
            execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def manage(self, env, *args, timeout=1800) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise CommandError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result

    def write_files(self, folder: Path, count: int) -> None:
        from archive.synthetic import CorpusGenerator

        folder.mkdir(parents=True)
        for n, c in enumerate(CorpusGenerator(seed=4242).generate(count)):
            lines = [c.title, "", f"{c.issuer}, {c.issuer_body}", c.date.strftime("%d %B %Y")]
            # A unique line: two generated texts must never be the same file.
            lines += ["", *c.paragraphs, "", f"Reference SOAK-{n:06d}."]
            (folder / f"soak-{n:06d}.txt").write_text("\n".join(lines), encoding="utf-8")

    # -- The run ------------------------------------------------------------------------------

    def run(self, env, workdir: Path, options) -> dict:
        log = self.stdout.write
        started = time.time()
        log(f"Setting up in {workdir} ...")
        self.manage(env, "migrate", "--noinput", "-v", "0")
        self.manage(env, "collectstatic", "--noinput", "-v", "0")
        self.manage(env, "generate_corpus", "--count", str(options["seed_count"]), "--seed", "7",
                    "--no-progress")  # fmt: skip
        self.manage(env, "drain_index", "--once")
        folder = workdir / "import"
        self.write_files(folder, options["import_count"])

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers",
             str(options["workers"]), "--bind", f"127.0.0.1:{port}", "--timeout", "120",
             "--log-level", "warning", "--error-logfile", str(workdir / "gunicorn.log")],
            cwd=settings.BASE_DIR, env=env,
        )  # fmt: skip
        writer = subprocess.Popen(
            [sys.executable, "manage.py", "drain_index"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "drain.log").open("w"),
        )
        try:
            self.wait_ready(base)
            ids = self.public_ids(base)
            log(f"gunicorn on {base} with {options['workers']} workers; {len(ids)} seeded.")
            result = self.traffic(env, base, gunicorn.pid, ids, folder, options)
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            writer.send_signal(signal.SIGTERM)
            for process in (gunicorn, writer):
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.manage(env, "drain_index", "--once")
        check = json.loads(
            subprocess.run(
                [sys.executable, "-c", CHECK], cwd=settings.BASE_DIR, env=env,
                capture_output=True, text=True, check=True,
            ).stdout.strip().splitlines()[-1]
        )  # fmt: skip
        server_log = (workdir / "gunicorn.log").read_text(errors="replace")
        return self.summarise(result, check, options, started, server_log)

    def wait_ready(self, base: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/api/communiques/", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise CommandError("gunicorn did not answer within 60 s")

    def public_ids(self, base: str) -> list[str]:
        with urllib.request.urlopen(base + "/api/communiques/?page_size=100", timeout=30) as r:
            data = json.load(r)
        return [item["id"] for item in data["results"]]

    def traffic(self, env, base, master_pid, ids, folder, options) -> dict:
        deadline = time.monotonic() + options["minutes"] * 60
        stop = threading.Event()
        lock = threading.Lock()
        latencies: dict[str, list[float]] = defaultdict(list)
        statuses: Counter = Counter()
        errors: list[str] = []
        server_errors: list[str] = []
        samples: list[dict] = []

        def request(kind: str, path: str) -> None:
            t0 = time.perf_counter()
            status = 0
            try:
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    while response.read(65536):
                        pass
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except Exception as error:  # connection refused/reset, timeout
                with lock:
                    errors.append(f"{kind} {path}: {type(error).__name__}: {error}")
            elapsed = time.perf_counter() - t0
            with lock:
                latencies[kind].append(elapsed)
                statuses[status] += 1
                if status >= 500:
                    server_errors.append(f"{status} {path}")

        def client(n: int) -> None:
            rng = random.Random(n)
            while not stop.is_set() and time.monotonic() < deadline:
                word = rng.choice(WORDS)
                pick = rng.random()
                if pick < 0.25:
                    request("search page", f"/search/?q={quote(word)}")
                elif pick < 0.45:
                    request("search API", f"/api/search/?q={quote(word)}")
                elif pick < 0.50:
                    fmt = rng.choice(["csv", "json"])
                    request(
                        "export",
                        f"/api/search/export.{fmt}?q={quote(word)}+{quote(rng.choice(WORDS))}",
                    )
                elif pick < 0.70:
                    request("communiqué page", f"/c/{rng.choice(ids)}/")
                elif pick < 0.80:
                    request("API list", f"/api/communiques/?page={rng.randint(1, 5)}")
                elif pick < 0.85:
                    request("API record", f"/api/communiques/{rng.choice(ids)}/")
                elif pick < 0.90:
                    request("entity list", rng.choice(["/people/", "/organizations/", "/places/"]))
                elif pick < 0.95:
                    request(
                        "feed",
                        rng.choice(["/feeds/latest.atom", f"/feeds/search.atom?q={quote(word)}"]),
                    )
                else:
                    request("home/browse", rng.choice(["/", "/browse/", "/issuers/"]))

        def sampler() -> None:
            while not stop.is_set():
                workers = {pid: rss_mb(pid) for pid in children_of(master_pid)}
                workers = {pid: mb for pid, mb in workers.items() if mb is not None}
                with lock:
                    samples.append({"t": round(time.monotonic() - start, 1), "rss_mb": workers})
                stop.wait(5)

        start = time.monotonic()
        importer_log = (folder.parent / "import.log").open("w")
        importer = subprocess.Popen(
            [sys.executable, "manage.py", "import_communiques", str(folder), "--publish",
             "--no-progress"],
            cwd=settings.BASE_DIR, env=env, stdout=importer_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        threads = [threading.Thread(target=client, args=(n,)) for n in range(options["clients"])]
        threads.append(threading.Thread(target=sampler, daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads[:-1]:
            thread.join()
        traffic_seconds = time.monotonic() - start
        import_wait_start = time.monotonic()
        try:
            importer.wait(timeout=3600)
        finally:
            stop.set()
        importer_log.close()
        import_seconds = None
        return {
            "traffic_seconds": traffic_seconds,
            "import_returncode": importer.returncode,
            "import_extra_wait_seconds": round(time.monotonic() - import_wait_start, 1),
            "import_seconds": import_seconds,
            "import_output": (folder.parent / "import.log").read_text()[-2000:],
            "latencies": latencies,
            "statuses": statuses,
            "errors": errors,
            "server_errors": server_errors,
            "samples": samples,
        }

    # -- Report -------------------------------------------------------------------------------

    def summarise(self, result, check, options, started, server_log) -> dict:
        total = sum(result["statuses"].values())
        kinds = {
            kind: {
                "requests": len(values),
                "p50_ms": round(percentile(values, 50) * 1000, 1),
                "p95_ms": round(percentile(values, 95) * 1000, 1),
                "p99_ms": round(percentile(values, 99) * 1000, 1),
                "max_ms": round(max(values) * 1000, 1),
            }
            for kind, values in sorted(result["latencies"].items())
        }
        samples = [s for s in result["samples"] if s["rss_mb"]]
        totals = [sum(s["rss_mb"].values()) for s in samples]
        per_worker = [statistics.mean(s["rss_mb"].values()) for s in samples]
        # Warm-up: the first fifth; growth compares the second fifth with the last fifth.
        fifth = max(1, len(totals) // 5)
        early = statistics.median(per_worker[fifth : 2 * fifth]) if len(per_worker) >= 5 else 0
        late = statistics.median(per_worker[-fifth:]) if per_worker else 0
        growth = late - early
        imported = check["import_items"].get("imported", 0)
        memory = {
            "samples": len(samples),
            "workers": len(samples[-1]["rss_mb"]) if samples else 0,
            "per_worker_mb_after_warmup": round(early, 1),
            "per_worker_mb_at_end": round(late, 1),
            "growth_mb_per_worker": round(growth, 1),
            "growth_percent": round(100 * growth / early, 1) if early else 0.0,
            "total_mb_max": round(max(totals), 1) if totals else 0,
        }
        failures = []
        if result["server_errors"]:
            failures.append(f"{len(result['server_errors'])} server errors (5xx)")
        if result["errors"]:
            failures.append(f"{len(result['errors'])} connection errors")
        if result["import_returncode"] != 0:
            failures.append(f"the import exited with {result['import_returncode']}")
        if imported != options["import_count"]:
            failures.append(f"{imported} of {options['import_count']} files imported")
        expected = options["seed_count"] + options["import_count"]
        if check["communiques"] != expected:
            failures.append(f"{check['communiques']} records in the database, {expected} expected")
        if any(check["drift"].values()) or check["queued"]:
            failures.append(
                f"database and index disagree: {check['drift']}, {check['queued']} queued"
            )
        if check["indexed"] != check["published"]:
            failures.append(f"{check['indexed']} indexed != {check['published']} published")
        if memory["growth_percent"] > 25 and memory["growth_mb_per_worker"] > 30:
            failures.append(f"worker memory grew by {memory['growth_mb_per_worker']} MB")
        return {
            "passed": not failures,
            "failures": failures,
            "parameters": {
                k: options[k]
                for k in ("minutes", "clients", "workers", "import_count", "seed_count")
            },
            "database": "postgresql" if "DATABASE_URL" in os.environ else "sqlite",
            "wall_seconds": round(time.time() - started, 1),
            "traffic_seconds": round(result["traffic_seconds"], 1),
            "requests": total,
            "requests_per_second": round(total / result["traffic_seconds"], 1),
            "statuses": {str(k): v for k, v in sorted(result["statuses"].items())},
            "server_errors": result["server_errors"][:50],
            "connection_errors": result["errors"][:50],
            "latency": kinds,
            "import": {
                "files": options["import_count"],
                "outcomes": check["import_items"],
                "finished": check["import_finished"],
                "finished_after_traffic_seconds": result["import_extra_wait_seconds"],
                "output": result["import_output"].strip().splitlines()[-3:],
            },
            "consistency": {
                "communiques": check["communiques"],
                "published": check["published"],
                "indexed": check["indexed"],
                "drift": check["drift"],
                "queued": check["queued"],
            },
            "memory": memory,
            "memory_samples": samples,
            "server_log_tracebacks": server_log.count("Traceback"),
        }


def markdown(report: dict) -> str:
    p = report["parameters"]
    lines = [
        f"# Soak test: {'PASSED' if report['passed'] else 'FAILED'}",
        "",
        f"{p['minutes']} min, {p['clients']} clients, {p['workers']} gunicorn workers, "
        f"{p['import_count']} files imported during the run over {p['seed_count']} seeded "
        f"records; {report['database']}.",
        "",
        f"- Requests: {report['requests']} ({report['requests_per_second']}/s); statuses "
        f"{report['statuses']}",
        f"- Server errors (5xx): {len(report['server_errors'])}; connection errors: "
        f"{len(report['connection_errors'])}; tracebacks in the server log: "
        f"{report['server_log_tracebacks']}",
        f"- Import: {report['import']['outcomes']}, finished "
        f"{report['import']['finished_after_traffic_seconds']} s after the traffic stopped",
        f"- Consistency: {report['consistency']['communiques']} records, "
        f"{report['consistency']['published']} published, {report['consistency']['indexed']} "
        f"indexed, drift {report['consistency']['drift']}, {report['consistency']['queued']} "
        "queued",
        f"- Memory per worker: {report['memory']['per_worker_mb_after_warmup']} MB after "
        f"warm-up, {report['memory']['per_worker_mb_at_end']} MB at the end "
        f"({report['memory']['growth_mb_per_worker']:+} MB, "
        f"{report['memory']['growth_percent']:+}%); {report['memory']['samples']} samples",
        "",
        "| Request | Count | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, s in report["latency"].items():
        lines.append(
            f"| {kind} | {s['requests']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | "
            f"{s['max_ms']} |"
        )
    if report["failures"]:
        lines += ["", "Failures:", *(f"- {f}" for f in report["failures"])]
    return "\n".join(lines) + "\n"
