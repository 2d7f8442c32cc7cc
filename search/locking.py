"""One index writer at a time, across threads, gunicorn workers and the importer.

An exclusive fcntl.flock on a file next to the index. The kernel releases it when the
holder dies, so a killed process never leaves the index locked (Whoosh's own lock file
can be left behind by a crash; ours cannot). Re-entrant within a thread, so the queue can
hold it around a batch while the backend's writer methods take it again.

merger_lock, on a second file, lets one process at a time merge the index's segments
(search.merging) while updates go on under the writer lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

_held = threading.local()


class IndexBusy(RuntimeError):
    """Another writer held the index for longer than we were willing to wait."""


def lock_path() -> Path:
    options = settings.HAYSTACK_CONNECTIONS["default"]
    if options.get("PATH"):
        return Path(str(options["PATH"]).rstrip("/") + ".lock")
    # A remote engine has no directory of ours: the lock still orders this machine's writers.
    return Path(settings.DATA_DIR) / "search-writer.lock"


@contextmanager
def writer_lock(timeout: float = 600.0) -> Iterator[None]:
    path = lock_path()
    depth = getattr(_held, "depth", {})
    _held.depth = depth
    if depth.get(path):
        depth[path] += 1
        try:
            yield
        finally:
            depth[path] -= 1
        return
    with _flock(path, timeout) as got:
        if not got:
            raise IndexBusy(f"The search index writer lock {path} is busy.")
        depth[path] = 1
        try:
            yield
        finally:
            depth[path] = 0


@contextmanager
def merger_lock() -> Iterator[bool]:
    """Whether the caller may merge the index's segments now: one merger at a time across
    processes, and none waits for another (search.merging)."""
    with _flock(Path(f"{lock_path()}.merge"), timeout=0) as got:
        yield got


@contextmanager
def _flock(path: Path, timeout: float) -> Iterator[bool]:
    """An exclusive flock on `path`, tried until `timeout` seconds have passed: whether it was
    got, and held until the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.02)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
