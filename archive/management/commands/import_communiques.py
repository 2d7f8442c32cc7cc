"""python manage.py import_communiques PATH [PATH ...] [--publish] [--fail-on-error]"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from archive.ingest.pipeline import (
    done_names,
    ingest_source,
    interrupted_batch,
    interruption_report,
)
from archive.ingest.sources import count_sources, iter_sources
from archive.models import ImportBatch, ImportItem
from search import queue


class Command(BaseCommand):
    help = (
        "Import communiqués from files, folders and .zip archives "
        "(text, PDF, DOCX, HTML, Markdown)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, folders or .zip archives")
        parser.add_argument("--publish", action="store_true", help="publish what is imported")
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar (for logs and cron)"
        )
        # Opt-in: scripts written against the exit status 0 of a run with failed files keep it.
        parser.add_argument(
            "--fail-on-error",
            action="store_true",
            help="exit with status 1 if any file failed (the others are still imported)",
        )

    def handle(
        self,
        *args,
        paths: list[str],
        publish: bool,
        no_progress: bool,
        fail_on_error: bool,
        **options,
    ):
        limits = {
            "max_file_bytes": settings.BAYAN_MAX_FILE_BYTES,
            "max_archive_bytes": settings.BAYAN_MAX_ARCHIVE_BYTES,
        }
        total = count_sources(paths)
        if total == 0:
            raise CommandError("Nothing to import: the paths hold no files.")
        label = " ".join(paths)[:300]
        # A run of the same paths that was killed is resumed, not started over.
        batch = interrupted_batch(label)
        skip: set[str] = set()
        if batch is not None:
            self.stdout.write(interruption_report(batch))
            skip = done_names(batch)
            batch.total = total
            batch.save(update_fields=["total"])
        else:
            batch = ImportBatch.objects.create(label=label, total=total)
        counts: Counter[str] = Counter()
        bar = tqdm(total=total, unit="file", disable=no_progress, file=self.stderr._out)
        bar.update(len(skip))
        # One index writer for the whole run: updates wait in the durable queue meanwhile.
        with queue.deferred():
            for source in iter_sources(paths, **limits):
                if source.name[:500] in skip:
                    continue
                result = ingest_source(source, publish=publish, batch=batch)
                counts[result.outcome] += 1
                if result.outcome == ImportItem.Outcome.FAILED:
                    bar.write(f"failed: {result.message}")
                bar.set_postfix(
                    imported=counts["imported"],
                    duplicates=counts["duplicate"],
                    failed=counts["failed"],
                    refresh=False,
                )
                bar.update(1)
        bar.close()
        batch.finished_at = timezone.now()
        batch.save(update_fields=["finished_at"])
        indexed = queue.drain()
        self.stdout.write(
            f"Imported {counts['imported']}, duplicates {counts['duplicate']}, "
            f"failed {counts['failed']} (batch {batch.pk}); {indexed} index updates applied."
        )
        if counts["failed"]:
            self.stdout.write(
                "Failed files are kept with their reason in the admin's import review."
            )
            if fail_on_error:
                raise CommandError(
                    f"{counts['failed']} file(s) failed (batch {batch.pk}); see the reasons "
                    "above or in the admin's import review, mend them and run the same command "
                    "again: the files already imported are recognised as duplicates."
                )
