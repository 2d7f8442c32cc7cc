"""python manage.py load_demo: the demo communiqués, through the same path as uploads.

Idempotent: a file already in the archive (same SHA-256) is reported as a duplicate.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from archive.ingest.pipeline import ingest_source
from archive.ingest.sources import iter_sources

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = "Load (and publish) the demo communiqués carried in archive/demo/."

    def handle(self, **options):
        for source in iter_sources([DEMO_DIR]):
            result = ingest_source(source, publish=True)
            communique = result.communique
            where = f" → /c/{communique.public_id}/" if communique else ""
            self.stdout.write(f"{result.outcome}: {source.name}{where}")
