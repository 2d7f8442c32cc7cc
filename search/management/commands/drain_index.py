"""python manage.py drain_index [--once]: the dedicated index writer.

Web workers drain in the background after each change; this worker also catches what they
could not (a process killed mid-drain, a failure waiting out its lease). SIGTERM and SIGINT
finish the current batch and exit cleanly.
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from search import queue


class Command(BaseCommand):
    help = "Apply pending search index updates; with --once, until the queue is empty."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="drain what is queued and exit")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds between polls (default 2)"
        )

    def handle(self, *args, once: bool, interval: float, **options):
        if once:
            applied = queue.drain()
            self.stdout.write(f"{applied} index updates applied.")
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            self.stderr.write(f"signal {signum}: stopping after this batch")
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, request_stop)
        self.stdout.write("Draining the search index queue; Ctrl-C to stop.")
        while not stop.is_set():
            try:
                applied = queue.drain(limit=queue.BATCH_SIZE * 5)
            except Exception as error:  # rows stay queued; log and try again
                self.stderr.write(f"drain failed: {error}")
                applied = 0
            if applied:
                self.stdout.write(f"{applied} index updates applied.")
            else:
                stop.wait(interval)
        self.stdout.write("Stopped.")
