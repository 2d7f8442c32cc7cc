"""Several processes publishing at once: no lock error, no lost update, database == index.

Runs real OS processes against one database (a SQLite file in WAL mode, or a fresh database
on the PostgreSQL server that DATABASE_URL names) and one Whoosh index directory. Each worker
creates, edits, publishes, unpublishes and deletes communiqués while searching, with the
background drain on, so index writers in different processes contend for the index.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4

SETUP = "import django, sys, json; django.setup()\n"

WORKER = (
    SETUP
    + """
import datetime
from django.db import transaction
from archive.models import Communique, Organization, Paragraph, Place
from search import queue
from search.service import run_search

n = int(sys.argv[1])
org = Organization.objects.create(name=f"Worker org {n}")
place = Place.objects.create(name=f"Worker town {n}")
made = []
for i in range(10):
    with transaction.atomic():
        c = Communique.objects.create(
            title=f"Worker {n} statement {i}",
            issuer=org,
            status="published" if i % 3 else "draft",
            date=datetime.date(2010 + i, 1 + n, 1),
        )
        Paragraph.objects.create(communique=c, number=1, text=f"Truce {n} {i}.")
        c.places.add(place)
    made.append(c)
    run_search({"q": "truce"})  # readers alongside the writers
for c in made[::2]:
    c.title += " (edited)"
    c.save()
for c in made[1::4]:
    c.status = "draft"
    c.save()
for c in made[:3]:
    c.status = "published"
    c.save()
made[-1].delete()
place.name = f"Renamed town {n}"
place.save()
queue.wait_for_background(120)
queue.drain()
"""
)

CHECK = (
    SETUP
    + """
from archive.models import Communique
from search import queue
from search.models import IndexTask

drift = queue.drift()
print(json.dumps({
    "published": sorted(Communique.objects.published().values_list("pk", flat=True)),
    "indexed": sorted(queue.indexed_fingerprints()),
    "drift": [drift.missing, drift.stale, drift.extra],
    "queued": IndexTask.objects.count(),
    "errors": list(IndexTask.objects.exclude(last_error="").values_list("last_error", flat=True)),
}))
"""
)


@contextmanager
def scratch_database(data_dir: Path):
    """Environment for a throwaway database the subprocesses share."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("SEARCH_URL", None)  # Whoosh in DATA_DIR/index
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)  # SQLite in DATA_DIR, in WAL mode (config.env)
        yield env
        return
    import psycopg2

    name = f"bayan_mp_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(url)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        yield env
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def run(env, *args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


# Both tests read the Whoosh index under DATA_DIR, and the first its writer lock.
whoosh_only = pytest.mark.skipif(
    os.environ.get("SEARCH_URL", "whoosh").split(":")[0] != "whoosh",
    reason="works on the Whoosh index of DATA_DIR",
)


@whoosh_only
def test_several_processes_publishing_at_once(tmp_path):
    with scratch_database(tmp_path / "data") as env:
        run(env, "manage.py", "migrate", "--noinput", "-v", "0")
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, str(n)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(WORKERS)
        ]
        for worker in workers:
            _, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err[-3000:]
            assert "LockError" not in err and "Traceback" not in err, err[-3000:]
        state = json.loads(run(env, "-c", CHECK).stdout.strip().splitlines()[-1])
        drift = run(env, "manage.py", "index_drift", "--check").stdout

    assert state["errors"] == []
    assert state["queued"] == 0
    assert state["drift"] == [[], [], []]
    assert state["indexed"] == state["published"]
    # Of 10 each: 4 drafts, 2 unpublished, 3 (re)published, 1 deleted draft: 6 published.
    assert len(state["published"]) == WORKERS * 6
    assert "No drift" in drift


CREATE = (
    SETUP
    + """
from archive.models import Communique, Paragraph
from search import queue

c = Communique.objects.create(title="Statement to correct", status="published")
Paragraph.objects.create(communique=c, number=1, text="Truce.")
queue.drain()
"""
)

# A script's correction, saved as the admin's would be, and the process gone at once.
CORRECT_AND_EXIT = (
    SETUP
    + """
from archive.models import Communique

c = Communique.objects.get(title="Statement to correct")
c.title = "Statement corrected by a script"
c.save()
"""
)


@whoosh_only
def test_a_script_that_saves_and_exits_leaves_its_change_in_the_index(tmp_path):
    with scratch_database(tmp_path / "data") as env:
        run(env, "manage.py", "migrate", "--noinput", "-v", "0")
        run(env, "-c", CREATE)
        run(env, "-c", CORRECT_AND_EXIT)
        state = json.loads(run(env, "-c", CHECK).stdout.strip().splitlines()[-1])
    assert state["queued"] == 0
    assert state["drift"] == [[], [], []]
