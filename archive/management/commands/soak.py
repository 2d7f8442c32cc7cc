"""python manage.py soak --minutes 10 --clients 16 --workers 4 --import-count 1000 --report PATH

A soak test on loopback, not part of `make test`. In a temporary DATA_DIR (and the
configured DATABASE_URL's server, in a fresh database, if it is PostgreSQL):

1. migrate, collect static files, generate a seed corpus and index it;
2. start gunicorn (--workers) with production settings (DEBUG off) and a dedicated index
   writer (drain_index), as deployed;
3. run --clients threads of mixed traffic (search page, search API, exports, pages, entity
   pages, API lists and records, feeds) for --warmup-minutes over the seed archive (the
   warm-up phase), then for --minutes while `import_communiques --publish` imports
   --import-count generated files (the load phase);
4. once the import has finished and the index queue is drained, run the same traffic for
   --steady-minutes more over an archive that no longer changes (the steady phase);
5. sample the resident memory of every gunicorn worker every --sample-seconds (anonymous
   and file-backed apart), with the archive's size, and tell warm-up and growth with the
   data from growth at constant data (archive.soak.memory);
6. at the end check: no 5xx and no connection errors; every imported file is a record;
   database and index agree (search.queue drift, empty queue); no memory growth in the
   steady phase;
7. write PATH.json and PATH.md, and exit non-zero if a check failed.

Rate limits are off for the run (all clients share one address). --probe makes every worker
write what it holds (cache sizes, objects by type; archive.soak.probe), --tracemalloc also
traces Python allocations and reports what grew.
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

from archive.soak import memory as soak_memory
from archive.soak.probe import proc_memory, summarise_probes

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
PARAMETERS = (
    "minutes", "clients", "workers", "import_count", "seed_count", "warmup_minutes",
    "steady_minutes",
)  # fmt: skip
QUEUED = """
import django; django.setup()
from search.models import IndexTask
print(IndexTask.objects.count())
"""


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


def index_maps(pid: int, folder: str) -> dict[str, int] | None:
    """The worker's memory maps of index files: how many, and how many of deleted files (a
    searcher that was never closed keeps its merged-away segments mapped)."""
    try:
        with open(f"/proc/{pid}/maps") as maps:
            lines = [line for line in maps if folder in line]
    except OSError:
        return None
    return {
        "maps": len(lines),
        "files": len({line.split(None, 5)[-1].strip() for line in lines}),
        "deleted": sum(1 for line in lines if line.rstrip().endswith("(deleted)")),
    }


def published_counter(env: dict):
    """A function returning the number of published records in the soak's database, read
    directly (not through the workers being measured); None when the read fails."""
    from archive.models import Communique
    from config.env import database_config

    config = database_config(env.get("DATABASE_URL", ""), Path(env["DATA_DIR"]) / "bayan.sqlite3")
    sql = (
        f"SELECT COUNT(*) FROM {Communique._meta.db_table} "
        f"WHERE status = '{Communique.Status.PUBLISHED.value}'"
    )

    def connect():
        if "sqlite" in config["ENGINE"]:
            import sqlite3

            return sqlite3.connect(f"file:{config['NAME']}?mode=ro", uri=True, timeout=5)
        import psycopg2

        return psycopg2.connect(
            dbname=config["NAME"], user=config.get("USER") or None,
            password=config.get("PASSWORD") or None, host=config.get("HOST") or None,
            port=config.get("PORT") or None,
        )  # fmt: skip

    def count() -> int | None:
        try:
            connection = connect()
            try:
                cursor = connection.cursor()
                cursor.execute(sql)
                return int(cursor.fetchone()[0])
            finally:
                connection.close()
        except Exception:
            return None

    return count


def folder_mb(folder: Path) -> float:
    total = 0
    for path in folder.rglob("*"):
        try:
            total += path.stat().st_size
        except OSError:
            continue
    return round(total / 2**20, 2)


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
        parser.add_argument(
            "--warmup-minutes",
            type=float,
            default=1.0,
            help="traffic over the seed archive before the import starts (0: none)",
        )
        parser.add_argument(
            "--steady-minutes",
            type=float,
            default=3.0,
            help="traffic after the import, over a constant archive: the memory verdict "
            "(0: skip, no verdict)",
        )
        parser.add_argument(
            "--sample-seconds", type=float, default=5.0, help="between memory samples"
        )
        parser.add_argument(
            "--probe", action="store_true", help="workers report their caches and objects"
        )
        parser.add_argument(
            "--tracemalloc",
            action="store_true",
            help="with --probe: trace Python allocations in the workers (slower)",
        )

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
        probes = workdir / "probe"
        server_env = dict(env)
        if options["probe"] or options["tracemalloc"]:
            probes.mkdir()
            server_env["BAYAN_SOAK_PROBE_DIR"] = str(probes)
            if options["tracemalloc"]:
                server_env["BAYAN_SOAK_TRACEMALLOC"] = "1"

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers",
             str(options["workers"]), "--bind", f"127.0.0.1:{port}", "--timeout", "120",
             "--config", "python:archive.soak.gunicorn_conf",
             "--log-level", "warning", "--error-logfile", str(workdir / "gunicorn.log")],
            cwd=settings.BASE_DIR, env=server_env,
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
            result = self.traffic(env, base, gunicorn.pid, ids, folder, options, workdir)
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
        report = self.summarise(result, check, options, started, server_log)
        if probes.is_dir():
            try:
                report["probe"] = summarise_probes(probes)
            except Exception as error:  # a diagnostic: never lose the report over it
                report["probe"] = {"error": f"{type(error).__name__}: {error}"}
        return report

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

    def traffic(self, env, base, master_pid, ids, folder, options, workdir) -> dict:
        log = self.stdout.write
        stop = threading.Event()
        lock = threading.Lock()
        latencies: dict[str, list[float]] = defaultdict(list)
        statuses: Counter = Counter()
        errors: list[str] = []
        server_errors: list[str] = []
        samples: list[dict] = []
        phase = {"name": "warm-up" if options["warmup_minutes"] > 0 else "load"}
        phases: dict[str, dict] = {}
        index_folder = str(workdir / "data" / "index")
        probes = workdir / "probe"

        def set_phase(name: str) -> None:
            phase["name"] = name
            if probes.is_dir():
                (probes / "phase").write_text(name)

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
                phases.setdefault(phase["name"], {"requests": 0})["requests"] += 1
                if status >= 500:
                    server_errors.append(f"{status} {path}")

        def client(n: int, deadline: float) -> None:
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

        def clients(name: str, minutes: float, seed: int = 0) -> float:
            """Run the traffic for `minutes`; returns the seconds it took."""
            set_phase(name)
            phases[name] = {"requests": 0, "started": round(time.monotonic() - start, 1)}
            t0 = time.monotonic()
            deadline = t0 + minutes * 60
            threads = [
                threading.Thread(target=client, args=(seed + n, deadline))
                for n in range(options["clients"])
            ]
            # The probes' baseline for growth at constant data: after the phase's first fifth,
            # once every worker has opened the final searcher.
            settled = threading.Timer(
                minutes * 12,
                lambda: probes.is_dir() and (probes / "phase").write_text(f"{name}-settled"),
            )
            settled.start()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            settled.cancel()
            phases[name]["seconds"] = round(time.monotonic() - t0, 1)
            return time.monotonic() - t0

        documents = published_counter(env)

        def sampler() -> None:
            while not stop.is_set():
                pids = children_of(master_pid)
                memory = {pid: proc_memory(pid) for pid in pids}
                memory = {pid: m for pid, m in memory.items() if m.get("rss") is not None}
                sample = {
                    "t": round(time.monotonic() - start, 1),
                    "phase": phase["name"],
                    "rss_mb": {pid: m["rss"] for pid, m in memory.items()},
                    "anon_mb": {pid: m.get("anon") for pid, m in memory.items()},
                    "file_mb": {pid: m.get("file") for pid, m in memory.items()},
                    "index_maps": {pid: index_maps(pid, index_folder) for pid in memory},
                    "documents": documents(),
                    "index_mb": folder_mb(Path(index_folder)),
                }
                with lock:
                    samples.append(sample)
                stop.wait(options["sample_seconds"])

        start = time.monotonic()
        watcher = threading.Thread(target=sampler, daemon=True)
        watcher.start()
        try:
            traffic_seconds = 0.0
            if options["warmup_minutes"] > 0:
                log(f"Warm-up over the seed archive for {options['warmup_minutes']} min ...")
                traffic_seconds += clients("warm-up", options["warmup_minutes"], seed=2000)
            importer_log = (folder.parent / "import.log").open("w")
            importer = subprocess.Popen(
                [sys.executable, "manage.py", "import_communiques", str(folder), "--publish",
                 "--no-progress"],
                cwd=settings.BASE_DIR, env=env, stdout=importer_log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            traffic_seconds += clients("load", options["minutes"])
            import_wait_start = time.monotonic()
            set_phase("import")
            importer.wait(timeout=3600)
            importer_log.close()
            import_extra_wait = round(time.monotonic() - import_wait_start, 1)
            steady_minutes = options["steady_minutes"]
            if steady_minutes > 0 and importer.returncode == 0:
                set_phase("drain")
                self.wait_for_queue(env)
                log(f"Import done and index drained; steady phase for {steady_minutes} min ...")
                traffic_seconds += clients("steady", steady_minutes, seed=1000)
        finally:
            stop.set()
            watcher.join(30)
        return {
            "traffic_seconds": traffic_seconds,
            "import_returncode": importer.returncode,
            "import_extra_wait_seconds": import_extra_wait,
            "import_seconds": None,
            "import_output": (folder.parent / "import.log").read_text()[-2000:],
            "latencies": latencies,
            "statuses": statuses,
            "errors": errors,
            "server_errors": server_errors,
            "samples": samples,
            "phases": phases,
        }

    def wait_for_queue(self, env, timeout: float = 300) -> None:
        """Until the dedicated writer has applied every queued index update."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = subprocess.run(
                [sys.executable, "-c", QUEUED], cwd=settings.BASE_DIR, env=env,
                capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode == 0 and result.stdout.strip().splitlines()[-1] == "0":
                return
            time.sleep(2)
        raise CommandError(f"the index queue was not drained within {timeout} s")

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
        all_samples = [s for s in result["samples"] if s["rss_mb"]]
        # The historical figures cover the import (and the wait for it), as before the warm-up
        # and steady phases existed: they mix warm-up, data growth and leaks; the verdict
        # (archive.soak.memory) does not.
        samples = [s for s in all_samples if s.get("phase", "load") in ("load", "import")]
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
        steady_requests = result.get("phases", {}).get("steady", {}).get("requests", 0)
        memory.update(soak_memory.analyse(all_samples, steady_requests))
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
        if memory["verdict"]["memory_growth"]:
            failures.append(
                f"worker memory grew by {memory['verdict']['growth_mb']} MB "
                f"({memory['verdict']['growth_percent']:+}%) at constant data"
            )
        return {
            "passed": not failures,
            "failures": failures,
            "parameters": {k: options[k] for k in PARAMETERS},
            "phases": result.get("phases", {}),
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
            "memory_samples": all_samples,
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
        *phase_lines(report.get("phases") or {}),
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
        *memory_lines(report["memory"]),
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


def phase_lines(phases: dict) -> list[str]:
    if not phases:
        return []
    parts = [
        f"{name} {phase.get('seconds', 0)} s, {phase['requests']} requests"
        for name, phase in phases.items()
        if "seconds" in phase
    ]
    return [f"- Phases: {'; '.join(parts)}"]


def _mb(figures: dict | None, key: str = "growth_mb") -> str:
    return "n/a" if not figures or figures.get(key) is None else f"{figures[key]:+} MB"


def _per_thousand(figures: dict) -> str:
    value = figures.get("mb_per_1000_documents")
    return "too few records added for a rate" if value is None else f"{value} MB per 1,000 records"


def memory_lines(memory: dict) -> list[str]:
    """Warm-up, data growth and the verdict at constant data, in words (archive.soak.memory)."""
    if "verdict" not in memory:
        return []
    lines = []
    warmup, data, steady, verdict = (
        memory["warmup"],
        memory["data"],
        memory["steady"],
        memory["verdict"],
    )
    if warmup["rss"]:
        lines.append(
            f"- Warm-up ({warmup['samples']} samples over {warmup['documents']} records): "
            f"per worker {warmup['rss']['from_mb']} -> {warmup['rss']['to_mb']} MB"
        )
    if data:
        docs = data["documents"]
        lines.append(
            f"- With the data ({docs['from']} -> {docs['to']} records, both at rest): per "
            f"worker {data['rss']['from_mb']} -> {data['rss']['to_mb']} MB "
            f"({_mb(data['rss'])}, {_per_thousand(data['rss'])}), of which file-backed "
            f"(mapped index, shared) {_mb(data['file'])} and anonymous (heap, arrays) "
            f"{_mb(data['anon'])}"
        )
    if steady["samples"]:
        rss = steady["rss"] or {}
        lines.append(
            f"- Steady phase ({steady['seconds']} s, {steady['requests']} requests, "
            f"{steady['documents']['to']} records): per worker {rss.get('from_mb')} -> "
            f"{rss.get('to_mb')} MB ({_mb(rss)}, {rss.get('growth_percent', 0):+}%; largest "
            f"worker {rss.get('max_worker_growth_mb')} MB); anonymous {_mb(steady['anon'])}, "
            f"file-backed {_mb(steady['file'])}"
        )
    maps = memory.get("index_maps_at_end")
    if maps is not None:
        lines.append(
            f"- Deleted index files still mapped by a worker at the end: {maps['deleted']} "
            "(an unclosed searcher keeps them)"
        )
    if not verdict["measured"]:
        lines.append(f"- Memory verdict: not measured ({verdict['reason']})")
    else:
        outcome = "GROWTH" if verdict["memory_growth"] else "no memory growth"
        lines.append(f"- Memory verdict: {outcome} (rule: {verdict['rule']})")
        if "detectable_kb_per_request" in verdict:
            lines.append(
                f"  ({verdict['kb_per_request']} KB per request measured; a leak under "
                f"{verdict['detectable_kb_per_request']} KB per request would pass unseen "
                f"at {verdict['requests_per_worker']} requests per worker)"
            )
        if verdict.get("warning"):
            lines.append(f"- Warning: {verdict['warning']}")
    return lines
