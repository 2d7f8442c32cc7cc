"""A PostgreSQL restart in mid-traffic is survived without restarting the app.

Runs under tests/pg_run.py, which exports the server's data directory and binaries; skipped
on SQLite. CONN_HEALTH_CHECKS (config.env) makes the first query of the next request notice
the dead connection and open a new one.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from tests.search.test_concurrency import ROOT, run

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("BAYAN_PG_DATA") or connection.vendor != "postgresql",
        reason="needs the PostgreSQL server of tests/pg_run.py",
    ),
    # The restart drops every connection to the server, those of tests running beside it too.
    pytest.mark.alone,
]


def restart_server() -> None:
    pg_ctl = os.path.join(os.environ["BAYAN_PG_BIN"], "pg_ctl")
    argv = [pg_ctl, "-D", os.environ["BAYAN_PG_DATA"], "-m", "fast", "-w", "restart"]
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, timeout=60)


def test_health_checks_are_on():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_MAX_AGE"] > 0


@contextmanager
def scratch_database():
    """A fresh database on the test server; dropped over a new connection afterwards."""
    import psycopg2

    url = os.environ["DATABASE_URL"]
    name = f"bayan_restart_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def execute(sql: str) -> None:
        admin = psycopg2.connect(admin_url)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql)
        admin.close()

    execute(f"CREATE DATABASE {name}")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings")
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_running_server_survives_a_restart(tmp_path):
    """gunicorn with persistent connections (CONN_MAX_AGE) keeps serving after a restart.

    Django's test client disconnects the per-request connection check, so this runs a real
    server: the connection each worker holds dies with the restart, and the next request
    must notice (CONN_HEALTH_CHECKS) and reconnect, not fail.
    """
    with scratch_database() as env:
        env["DATA_DIR"] = str(tmp_path / "data")
        run(env, "manage.py", "migrate", "--noinput", "-v", "0")
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if _get(base + "/api/communiques/") == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
            for _ in range(10):  # every worker holds a connection now
                assert _get(base + "/api/communiques/") == 200
            restart_server()
            statuses = [_get(base + url) for url in ["/api/communiques/", "/", "/browse/"] * 4]
        finally:
            server.terminate()
            _, err = server.communicate(timeout=30)
    assert statuses == [200] * 12, (statuses, err[-3000:])
