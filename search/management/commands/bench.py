"""python manage.py bench: the search benchmark (search.bench), results in benchmarks/results/."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Benchmark indexing, search latency, load and memory; compare with PostgreSQL FTS."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100_000, help="corpus size")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reuse", action="store_true", help="use the synthetic corpus already in the database"
        )
        parser.add_argument(
            "--skip-rebuild", action="store_true", help="measure the index as it is"
        )
        parser.add_argument(
            "--rebuild-only", action="store_true", help="only time the index rebuild"
        )
        parser.add_argument(
            "--pg-only", action="store_true", help="only the PostgreSQL side (no index needed)"
        )
        parser.add_argument(
            "--pg-result", default="", help="a --pg-only result file to compare with"
        )
        parser.add_argument("--skip-load", action="store_true", help="no gunicorn load test")
        parser.add_argument("--skip-pg", action="store_true", help="no PostgreSQL comparison")
        parser.add_argument("--repeats", type=int, default=20, help="warm runs of each query")
        parser.add_argument("--load-seconds", type=float, default=30.0)
        parser.add_argument(
            "--plain",
            action="store_true",
            help="measure without the backend's fast path (BAYAN_SEARCH_FAST=0): the baseline",
        )
        parser.add_argument("--label", default="", help="a heading for this run in the table")

    def handle(self, **options):
        if options["plain"]:
            settings.BAYAN_SEARCH_FAST = False
            os.environ["BAYAN_SEARCH_FAST"] = "0"  # and the load test's server
        from search import bench

        def log(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        bench.run(options, log)
