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


class ThrowawayServer:
    """A PostgreSQL server in a temporary directory on a free loopback port, for a `with`.

    Shared by this script and the benchmark (search/bench.py), which passes tuning options.
    """

    def __init__(self, pg_bin: Path, options: str = "", prefix: str = "bayan-pg-") -> None:
        self.bin = pg_bin
        self.options = options
        self.workdir = Path(tempfile.mkdtemp(prefix=prefix))
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        self.data = self.workdir / "data"
        self.port = free_port()

    def __enter__(self) -> ThrowawayServer:
        initdb = [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres"]
        initdb += ["-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]
        subprocess.run(as_server_user(initdb), check=True, stdout=subprocess.DEVNULL)
        options = f"-h 127.0.0.1 -p {self.port} -k {self.workdir} -c fsync=off "
        options += f"-c full_page_writes=off {self.options}".rstrip()
        start = [str(self.bin / "pg_ctl"), "-D", str(self.data)]
        start += ["-l", str(self.workdir / "server.log"), "-w", "start", "-o", options]
        subprocess.run(as_server_user(start), check=True, stdout=subprocess.DEVNULL)
        wait_ready(self.port)
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run(
            as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.workdir, ignore_errors=True)


def main(command: list[str]) -> int:
    pg_bin = find_bin()
    if pg_bin is None:
        message = "PostgreSQL 15 binaries not found (set PG_BIN or install postgresql-15)"
        if os.environ.get("BAYAN_REQUIRE_POSTGRES") == "1":
            print(f"FAILED: {message}; BAYAN_REQUIRE_POSTGRES=1 makes this run mandatory.")
            return 1
        print(f"SKIPPED the PostgreSQL run: {message}.")
        return 0

    with ThrowawayServer(pg_bin) as server:
        env = dict(
            os.environ,
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{server.port}/bayan",
            # For tests that restart the server mid-traffic (tests/reliability).
            BAYAN_PG_DATA=str(server.data),
            BAYAN_PG_BIN=str(pg_bin),
        )
        print(f"PostgreSQL 15 running on 127.0.0.1:{server.port} ({server.workdir})", flush=True)
        return subprocess.call(command, env=env)


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
