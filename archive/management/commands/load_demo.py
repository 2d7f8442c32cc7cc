"""python manage.py load_demo: the demo communiqués, through the same path as uploads.

Idempotent: a file already in the archive (same SHA-256) is reported as a duplicate.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from archive.ingest.pipeline import ingest_source
from archive.ingest.sources import iter_sources
from search import queue

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = "Load (and publish) the demo communiqués carried in archive/demo/."

    def handle(self, **options):
        with queue.deferred():  # one index writer at the end, as for any import
            for source in iter_sources(sorted(DEMO_DIR.glob("*.txt"))):
                result = ingest_source(source, publish=True)
                where = f" → /c/{result.communique.public_id}/" if result.communique else ""
                self.stdout.write(f"{result.outcome}: {Path(source.name).name}{where}")
        self.stdout.write(f"{queue.drain()} index updates applied.")
