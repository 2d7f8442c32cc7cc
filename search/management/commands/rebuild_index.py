"""python manage.py rebuild_index: index every published communiqué anew.

Replaces Haystack's command (when `search` precedes `haystack` in INSTALLED_APPS) with one
that shows progress and holds the index writer lock throughout, so it never races the
background drains of running web workers. With Whoosh the new index is built beside the old
one in BAYAN_INDEX_PROCS processes and replaces it in one commit (search.bulk): searches keep
answering from the old index until then, and a failed rebuild leaves it as it was.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from search import queue
from search.bulk import WorkerDied
from search.locking import IndexBusy


class Command(BaseCommand):
    help = "Rebuild the search index from the database, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--batch-size", "-b", type=int, default=queue.REBUILD_BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--wait",
            type=float,
            default=queue.REBUILD_WAIT,
            metavar="SECONDS",
            help="how long to wait while another process writes the index (default: "
            f"{queue.REBUILD_WAIT:.0f})",
        )
        # Accepted for compatibility with Haystack's command; they change nothing here.
        parser.add_argument("--using", "-u", action="append", default=[])
        parser.add_argument("--workers", "-k", type=int, default=0)
        parser.add_argument("--remove", "-r", action="store_true")
        parser.add_argument("--nocommit", action="store_false", dest="commit")

    def handle(
        self, *args, interactive: bool, batch_size: int, no_progress: bool, wait: float, **options
    ):
        if interactive:
            try:
                answer = input("This rebuilds the search index from the database. Continue? [y/N] ")
            except EOFError:  # stdin closed or not a terminal: a script that forgot --noinput
                raise CommandError(
                    "No answer could be read, so the index is unchanged. Run with --noinput "
                    "to rebuild without being asked."
                ) from None
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Cancelled; the index is unchanged.")
        try:
            count = queue.rebuild(
                progress=not no_progress, batch_size=batch_size, stream=self.stderr._out, wait=wait
            )
        except WorkerDied as error:
            raise CommandError(str(error)) from error
        except IndexBusy as error:
            raise CommandError(
                f"Another process kept writing the search index for {wait:g} s (a rebuild or "
                "an import?). The index is unchanged. Run the rebuild again once it has "
                "finished, or give it longer with --wait SECONDS."
            ) from error
        self.stdout.write(f"Indexed {count} published communiqués.")
