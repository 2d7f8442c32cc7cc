"""kill -9 in the middle of an index update or an import loses nothing.

Real processes on a throwaway database (SQLite file, or a fresh PostgreSQL database under
tests/pg_run.py) and a real Whoosh index. A drain is killed while Whoosh commits, or after
the commit but before its queue rows are deleted; an import is killed after some files. A
later drain converges (database and index agree); the import, run again, reports what was
interrupted and completes without duplicates.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.search.test_concurrency import ROOT, run, scratch_database

pytestmark = pytest.mark.skipif(
    os.environ.get("SEARCH_URL", "whoosh").split(":")[0] != "whoosh",
    reason="kills the Whoosh writer",
)

SETUP = "import django, sys, json, time; django.setup()\n"

MAKE = (
    SETUP
    + """
from django.conf import settings
settings.BAYAN_INDEX_IN_BACKGROUND = False
from django.db import transaction
from archive.models import Communique, Paragraph
for i in range(int(sys.argv[1])):
    with transaction.atomic():
        c = Communique.objects.create(title=f"Ceasefire statement {i}", status="published")
        Paragraph.objects.create(communique=c, number=1, text=f"Ceasefire number {i}.")
print("made")
"""
)

DRAIN_AND_HANG = (
    SETUP
    + """
from django.conf import settings
settings.BAYAN_INDEX_IN_BACKGROUND = False
from search import queue
where = sys.argv[1]
if where == "in_commit":
    from whoosh.writing import SegmentWriter
    real_commit = SegmentWriter.commit
    calls = []
    def commit(self, *a, **k):
        calls.append(1)
        if len(calls) == 2:  # the second batch: segment files written, TOC not yet
            self._flush_segment() if hasattr(self, "_flush_segment") else None
            print("HANGING", flush=True)
            time.sleep(600)
        return real_commit(self, *a, **k)
    SegmentWriter.commit = commit
else:
    real_write = queue.write
    calls = []
    def write(objects, removals):
        real_write(objects, removals)
        calls.append(1)
        if len(calls) == 2:  # committed to the index, queue rows not yet deleted
            print("HANGING", flush=True)
            time.sleep(600)
    queue.write = write
queue.drain(batch_size=50)
print("finished without hanging", flush=True)
"""
)

CHECK = (
    SETUP
    + """
from django.conf import settings
settings.BAYAN_INDEX_IN_BACKGROUND = False
settings.BAYAN_INDEX_LEASE_SECONDS = 1
time.sleep(1.5)  # the killed drainer's claim expires
from archive.models import Communique, ImportBatch
from search import queue
from search.models import IndexTask
applied = queue.drain()
drift = queue.drift()
print(json.dumps({
    "applied": applied,
    "published": sorted(Communique.objects.published().values_list("pk", flat=True)),
    "titles": sorted(Communique.objects.values_list("title", flat=True)),
    "sha256": list(Communique.objects.values_list("sha256", flat=True)),
    "indexed": sorted(queue.indexed_fingerprints()),
    "drift": [drift.missing, drift.stale, drift.extra],
    "queued": IndexTask.objects.count(),
    "batches": list(ImportBatch.objects.values_list("pk", "total", "finished_at")),
}, default=str))
"""
)


def state(env) -> dict:
    return json.loads(run(env, "-c", CHECK).stdout.strip().splitlines()[-1])


def start(env, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when(process: subprocess.Popen, marker: str, count: int = 1, timeout: float = 120):
    """SIGKILL the process once `marker` has appeared `count` times on its stdout."""
    seen = 0
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        if marker in line:
            seen += 1
            if seen >= count:
                break
        assert time.monotonic() < deadline, "the process never reached the kill point"
    else:
        pytest.fail("process ended before the kill point: " + process.stderr.read()[-2000:])
    os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    assert process.returncode == -signal.SIGKILL


@pytest.mark.parametrize("where", ["in_commit", "after_commit"])
def test_a_drain_killed_mid_update_is_caught_up_by_the_next(tmp_path, where):
    with scratch_database(tmp_path / "data") as env:
        run(env, "manage.py", "migrate", "--noinput", "-v", "0")
        run(env, "-c", MAKE, "150")
        kill_when(start(env, "-c", DRAIN_AND_HANG, where), "HANGING")
        after = state(env)

    assert after["queued"] == 0
    assert after["drift"] == [[], [], []]
    assert after["indexed"] == after["published"] and len(after["published"]) == 150


IMPORT_AND_REPORT = (
    SETUP
    + """
from django.core.management import call_command
from archive.ingest import pipeline
from archive.management.commands import import_communiques as command
real = pipeline.ingest_source
def ingest(source, **kwargs):
    result = real(source, **kwargs)
    print("DONE", source.name, flush=True)
    return result
command.ingest_source = ingest
call_command("import_communiques", sys.argv[1], "--publish", "--no-progress")
"""
)


def _files(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(count):
        (folder / f"statement-{i:03d}.txt").write_text(
            f"Final communique number {i} of the council\n\n"
            f"The council met in Geneva on {1 + i % 28} May 2021 to discuss item {i}.\n\n"
            f"It called on all parties to respect truce number {i}.\n",
            encoding="utf-8",
        )
    return folder


def test_an_import_killed_mid_run_is_reported_and_resumed_without_duplicates(tmp_path):
    folder = _files(tmp_path / "in", 30)
    with scratch_database(tmp_path / "data") as env:
        run(env, "manage.py", "migrate", "--noinput", "-v", "0")
        kill_when(start(env, "-c", IMPORT_AND_REPORT, str(folder)), "DONE", count=10)
        killed = state(env)
        rerun = run(
            env, "manage.py", "import_communiques", str(folder), "--publish", "--no-progress"
        )
        after = state(env)

    assert 10 <= len(killed["titles"]) < 30
    assert killed["batches"][0][2] is None  # not finished: the admin sees it interrupted
    assert "was interrupted after" in rerun.stdout, rerun.stdout
    assert "resuming it" in rerun.stdout
    assert len(after["titles"]) == 30 == len(set(after["sha256"]))
    assert len(after["batches"]) == 1 and after["batches"][0][2] is not None
    assert after["drift"] == [[], [], []] and after["queued"] == 0
    assert after["indexed"] == after["published"] and len(after["published"]) == 30
