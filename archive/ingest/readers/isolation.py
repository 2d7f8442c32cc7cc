"""Read a file in a child process, with a time limit and a memory cap.

A crafted or broken PDF can make a parser loop or allocate without end. Running the parser
in a child lets the importer kill it after ``timeout`` seconds and keeps its memory use
from taking down the web server.

Start method: "forkserver". A "spawn" child costs ~0.3 s per file (a new interpreter that
imports pypdf and python-docx); plain "fork" copies a possibly multi-threaded Django
process, which can deadlock on a lock held by another thread. The fork server is a small
single-threaded process started once, with the reader modules preloaded, so each read
forks from it in ~10 ms.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext

from archive.ingest.errors import IngestError
from archive.ingest.readers.result import ReadResult

Reader = Callable[[str, bytes], ReadResult]

# Imported once in the fork server, so every child starts with them loaded.
_PRELOAD = [
    "archive.ingest.readers.pdf",
    "archive.ingest.readers.docx",
    "archive.ingest.readers.html",
    "archive.ingest.readers.markdown",
]
_context: BaseContext | None = None
_context_lock = threading.Lock()


def _get_context() -> BaseContext:
    global _context
    with _context_lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _context = multiprocessing.get_context("forkserver")
                # Global to the fork server and only used when it starts; if something
                # else started it first, children import the readers themselves (slower).
                _context.set_forkserver_preload(_PRELOAD)
            else:
                _context = multiprocessing.get_context("spawn")
    return _context


def _address_space_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(memory_limit_mb: int) -> None:
    # RLIMIT_AS counts address space, which already includes the interpreter and the
    # preloaded libraries; the cap is what the parser may use on top of that.
    limit = _address_space_bytes() + memory_limit_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child(
    connection: Connection, reader: Reader, filename: str, data: bytes, memory_limit_mb: int
) -> None:
    try:
        _limit_memory(memory_limit_mb)
        connection.send(("ok", reader(filename, data)))
    except IngestError as error:
        connection.send(("error", error))
    except MemoryError:
        connection.send(("memory", None))
    except BaseException as exc:  # report, never hang the parent waiting for an answer
        connection.send(("crash", f"{type(exc).__name__}: {exc}"[:200]))
    finally:
        connection.close()


def run_isolated(
    reader: Reader,
    filename: str,
    data: bytes,
    *,
    timeout: float = 30.0,
    memory_limit_mb: int = 1024,
) -> ReadResult:
    """Call ``reader(filename, data)`` in a child process; raise IngestError on failure."""
    context = _get_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(sender, reader, filename, data, memory_limit_mb),
        name=f"bayan-reader:{filename[:40]}",
        daemon=True,
    )
    try:
        process.start()
    except AssertionError:
        # Daemonic processes (e.g. some task-queue workers) may not start children.
        result = reader(filename, data)
        result.warnings.append("read without a time limit (no child process allowed here)")
        return result
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise IngestError(
                filename,
                "timeout",
                f"took longer than {timeout:g} s to read; it may be damaged or very large. "
                "Export it again from the source, or split it, and re-upload",
            )
        status, payload = receiver.recv()
    except EOFError:  # the child died without a word: killed by the OS or crashed
        status, payload = "crash", f"the reader stopped (exit code {process.exitcode})"
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
        receiver.close()
    if status == "ok":
        return payload
    if status == "error":
        raise payload
    if status == "memory":
        raise IngestError(
            filename,
            "too_large",
            f"needs more than {memory_limit_mb} MB of memory to read; it may be damaged, "
            "or split it into smaller files and re-upload",
        )
    raise IngestError(
        filename,
        "corrupt",
        f"could not be read ({payload}); it may be damaged. Export it again and re-upload",
    )
