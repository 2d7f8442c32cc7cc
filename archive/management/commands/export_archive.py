"""python manage.py export_archive PATH: every record and original file, with checksums."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, export_archive


class Command(BaseCommand):
    help = (
        "Back up the archive to PATH: a new directory, or a .tar / .tar.gz file. "
        "Restore with import_archive PATH."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a new or empty directory, or a .tar/.tar.gz file")

    def handle(self, *args, path: str, **options):
        try:
            summary = export_archive(Path(path).expanduser().resolve())
        except BackupError as error:
            raise CommandError(str(error)) from None
        counts = ", ".join(f"{n} {label}" for label, n in sorted(summary.counts.items()))
        self.stdout.write(
            f"Exported {sum(summary.counts.values())} records ({counts}) and {summary.files} "
            f"files ({summary.bytes / 1e6:.1f} MB) to {path}."
        )
        if summary.missing:
            self.stderr.write(
                f"{len(summary.missing)} file(s) named by records were missing from storage "
                f"and are listed in the manifest: {', '.join(summary.missing[:5])}"
            )
