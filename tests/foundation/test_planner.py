"""SQLite's query planner statistics are gathered as the archive grows (archive.planner)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.utils import OperationalError

from archive import planner
from archive.models import Communique
from tests.pages.factories import CommuniqueFactory

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's autovacuum gathers its own"
)


def analyzed_rows() -> int | None:
    """The communiqué table's size when its statistics were last gathered, or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'archive_communique'")
        row = cursor.fetchone()
    return int(row[0].split()[0]) if row else None


def create(django_capture_on_commit_callbacks, count: int) -> None:
    for _ in range(count):
        # The check runs once the new record's transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            CommuniqueFactory()


@sqlite_only
def test_statistics_are_gathered_once_there_are_enough_and_again_when_outgrown(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(planner, "FROM_ROWS", 3)
    create(django_capture_on_commit_callbacks, 2)
    assert analyzed_rows() is None  # too few to matter
    create(django_capture_on_commit_callbacks, 1)
    assert analyzed_rows() == 3
    create(django_capture_on_commit_callbacks, 2)
    assert analyzed_rows() == 3  # grown, not yet twice over
    create(django_capture_on_commit_callbacks, 1)
    assert analyzed_rows() == 6


@sqlite_only
def test_a_bulk_load_gathers_them_at_its_end():
    call_command("generate_corpus", "--count", "5", "--no-progress", stdout=io.StringIO())
    assert analyzed_rows() == 5


def test_postgresql_is_left_to_autovacuum():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's case is above")
    CommuniqueFactory.create_batch(3)
    assert planner.keep_current() is False


def test_a_failure_to_gather_them_fails_no_save(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def locked():
        raise OperationalError("database is locked")

    monkeypatch.setattr(planner, "keep_current", locked)
    with django_capture_on_commit_callbacks(execute=True):
        communique = CommuniqueFactory()
    assert Communique.objects.filter(pk=communique.pk).exists()
    assert "database is locked" in caplog.text  # tried, and its error logged, not raised
