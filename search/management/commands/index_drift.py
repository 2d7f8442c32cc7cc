"""python manage.py index_drift [--repair] [--check]: compare the database and the index."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from search import queue


class Command(BaseCommand):
    help = (
        "Report published communiqués missing from the search index, stale index entries and "
        "index entries that are not published; --repair fixes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="reindex or remove what differs")
        parser.add_argument("--check", action="store_true", help="exit with an error on drift")

    def handle(self, *args, repair: bool, check: bool, **options):
        found = queue.drift()
        for label, ids in (
            ("missing from the index", found.missing),
            ("stale in the index", found.stale),
            ("in the index but not published", found.extra),
        ):
            shown = ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")
            self.stdout.write(f"{len(ids)} {label}" + (f": {shown}" if ids else ""))
        if not found.total:
            self.stdout.write("No drift: the index matches the database.")
            return
        if repair:
            fixed = queue.repair(found)
            left = queue.drift().total
            self.stdout.write(f"Repaired {fixed}; drift now {left}.")
            if left and check:
                raise CommandError(f"{left} differences remain after repair.")
        elif check:
            raise CommandError(f"The index differs from the database in {found.total} places.")
