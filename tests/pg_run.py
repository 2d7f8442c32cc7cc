"""Run a command against a real, throwaway PostgreSQL 15 server.

    python tests/pg_run.py COMMAND [ARGS...]

initdb in a temporary directory, start the server on a free loopback port, run COMMAND with
DATABASE_URL pointing at it, stop the server, remove the directory, exit with COMMAND's code.
PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
Without PostgreSQL binaries the run is skipped with a message, unless BAYAN_REQUIRE_POSTGRES=1
(as in CI), where a missing server fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CANDIDATES = [os.environ.get("PG_BIN", ""), "/usr/lib/postgresql/15/bin"]


def find_bin() -> Path | None:
    for candidate in CANDIDATES:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def main(command: list[str]) -> int:
    pg_bin = find_bin()
    if pg_bin is None:
        message = "PostgreSQL 15 binaries not found (set PG_BIN or install postgresql-15)"
        if os.environ.get("BAYAN_REQUIRE_POSTGRES") == "1":
            print(f"FAILED: {message}; BAYAN_REQUIRE_POSTGRES=1 makes this run mandatory.")
            return 1
        print(f"SKIPPED the PostgreSQL run: {message}.")
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="bayan-pg-"))
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    data, port = workdir / "data", free_port()
    log = workdir / "server.log"
    try:
        subprocess.run(
            as_server_user(
                [
                    str(pg_bin / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            as_server_user(
                [
                    str(pg_bin / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-w",
                    "start",
                    "-o",
                    f"-h 127.0.0.1 -p {port} -k {workdir} -c fsync=off -c full_page_writes=off",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wait_ready(port)
        env = dict(
            os.environ,
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/bayan",
            # For tests that restart the server mid-traffic (tests/reliability).
            BAYAN_PG_DATA=str(data),
            BAYAN_PG_BIN=str(pg_bin),
        )
        print(f"PostgreSQL 15 running on 127.0.0.1:{port} ({workdir})", flush=True)
        return subprocess.call(command, env=env)
    finally:
        subprocess.run(
            as_server_user([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(workdir, ignore_errors=True)


def wait_ready(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL did not accept connections on port {port}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
