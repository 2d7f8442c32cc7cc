"""A job a process runs in a daemon thread of its own: the index queue's drains, the merges of
the index's segments. One thread per job and process; asked while it runs, the job runs once
more when done (each run takes up whatever is latest), so no request waits and none is lost.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Background:
    def __init__(self, name: str, run: Callable[..., None], finish: Callable[[], None] | None):
        """`run(*args)` is the job (it handles its own errors); `finish()` is called in the
        thread when it ends."""
        self.name, self.run, self.finish = name, run, finish
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        # Also in a forked child, which inherits the flags and the lock's state, not the thread.
        self.lock = threading.Lock()
        self._running = self._again = False
        self._held = 0
        self._thread: threading.Thread | None = None

    def start(self, *args) -> None:
        """Run the job in the thread, unless it is running (then once more when it is done) or
        held (then not at all)."""
        with self.lock:
            if self._held:
                return
            if self._running:
                self._again = True
                return
            self._running, self._again = True, False
            self._thread = threading.Thread(
                target=self._loop, args=args, name=self.name, daemon=True
            )
        self._thread.start()

    def _loop(self, *args) -> None:
        try:
            while True:
                try:
                    self.run(*args)
                except BaseException:
                    with self.lock:
                        self._running = False
                    raise
                with self.lock:
                    # Decided under the lock: a start() made after this sees the thread gone.
                    if not self._again:
                        self._running = False
                        return
                    self._again = False
        finally:
            if self.finish is not None:
                self.finish()

    @contextmanager
    def held(self) -> Iterator[None]:
        """No run starts meanwhile; what is asked meanwhile is not run afterwards either."""
        with self.lock:
            self._held += 1
        try:
            yield
        finally:
            with self.lock:
                self._held -= 1

    @property
    def running(self) -> bool:
        return self._running

    def wait(self, timeout: float) -> None:
        """Until this process's thread, if any, has finished (or `timeout` seconds)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
