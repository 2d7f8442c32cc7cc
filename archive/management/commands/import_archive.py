"""python manage.py import_archive PATH: restore a backup, checksums verified first."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, import_archive


class Command(BaseCommand):
    help = (
        "Restore a backup written by export_archive into an empty database. Every checksum "
        "is verified before anything is written; the search index is rebuilt afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup directory or .tar/.tar.gz file")
        parser.add_argument(
            "--no-index", action="store_true", help="skip the index rebuild (run rebuild_index)"
        )

    def handle(self, *args, path: str, no_index: bool, **options):
        try:
            summary = import_archive(Path(path).expanduser(), rebuild_index=not no_index)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {sum(summary.counts.values())} records and {summary.files} files "
            f"({summary.bytes / 1e6:.1f} MB); checksums verified"
            + ("." if no_index else "; search index rebuilt.")
        )
