"""python manage.py update_index: apply what is queued, then repair any drift.

Replaces Haystack's command (when `search` precedes `haystack` in INSTALLED_APPS): the index
is brought to the database's state without being emptied first.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from search import queue


class Command(BaseCommand):
    help = "Bring the search index up to date with the database without emptying it."

    def add_arguments(self, parser):
        # Haystack's options, accepted so that existing scripts keep working.
        parser.add_argument("--remove", "-r", action="store_true", help="(always done)")
        parser.add_argument("--nocommit", action="store_true", help="(no effect)")
        parser.add_argument("--batch-size", "-b", type=int, default=queue.REBUILD_BATCH_SIZE)
        parser.add_argument("--using", "-u", action="append", default=[])
        parser.add_argument("--workers", "-k", type=int, default=0)
        parser.add_argument("--age", "-a", type=int, default=None)

    def handle(self, *args, batch_size: int, **options):
        applied = queue.drain()
        fixed = queue.repair(queue.drift(batch_size=batch_size))
        self.stdout.write(f"{applied} queued updates applied; {fixed} drifted entries repaired.")
