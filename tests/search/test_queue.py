"""Index freshness: every change reaches the index, none is lost, nobody waits for it."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from archive.models import Communique, Paragraph
from search import queue
from search.locking import writer_lock
from search.management.commands.rebuild_index import Command as RebuildIndex
from search.models import IndexTask
from tests.search.factories import OrganizationFactory, PersonFactory, PlaceFactory, communique
from tests.search.helpers import api, titles

pytestmark = pytest.mark.django_db


def indexed_ids() -> set[int]:
    return set(queue.indexed_fingerprints())


def test_publishing_editing_and_unpublishing_reach_the_index(client, index):
    c = communique("Statement", ["Truce."], status=Communique.Status.DRAFT)
    index()
    assert api(client, q="truce")["total"] == 0
    c.status = Communique.Status.PUBLISHED
    c.save()
    index()
    assert titles(api(client, q="truce")) == ["Statement"]
    c.title = "Renamed statement"
    c.save()
    index()
    assert titles(api(client, q="truce")) == ["Renamed statement"]
    c.status = Communique.Status.DRAFT
    c.save()
    index()
    assert api(client, q="truce")["total"] == 0


def test_deleting_removes_from_the_index(client, index):
    c = communique("Statement", ["Truce."])
    index()
    c.delete()
    index()
    assert api(client, q="truce")["total"] == 0 and indexed_ids() == set()


def test_changes_to_the_structure_are_queued(client, index):
    c = communique("Statement", ["Truce."])
    index()
    Paragraph.objects.create(communique=c, number=2, text="Shelling resumed.")
    c.places.add(PlaceFactory(name="Idlib"))
    index()
    assert titles(api(client, q="shelling place:idlib")) == ["Statement"]


def test_renaming_an_entity_reindexes_the_communiques_that_name_it(client, index):
    person = PersonFactory(name="Fahd Jamous")
    org = OrganizationFactory(name="Old name")
    communique("Statement", ["x"], issuer=org, participants=[(person, "spokesman", None)])
    index()
    person.name = "Fahd al-Jamous"
    person.save()
    org.name = "New name"
    org.save()
    index()
    assert api(client, q='participant:"al-Jamous"')["total"] == 1
    assert api(client, q='issuer:"new name"')["total"] == 1


def test_the_queue_row_commits_with_the_change_and_a_later_drain_applies_it(
    client, transactional_db
):
    """A process that dies after its commit, before any drain, loses nothing."""
    with transaction.atomic():
        c = communique("Statement", ["Truce."])
    # No drain ran (background drains are off: as if the process had died here).
    assert IndexTask.objects.filter(communique_id=c.pk).exists()
    assert api(client, q="truce")["total"] == 0
    assert queue.drain() >= 1
    assert titles(api(client, q="truce")) == ["Statement"]
    assert not IndexTask.objects.exists()


def test_a_rolled_back_change_queues_nothing(transactional_db):
    with pytest.raises(RuntimeError), transaction.atomic():
        communique("Statement", ["Truce."])
        raise RuntimeError
    assert not IndexTask.objects.exists()


def test_the_background_drain_indexes_after_the_commit(client, transactional_db, settings):
    settings.BAYAN_INDEX_IN_BACKGROUND = True
    with transaction.atomic():
        communique("Statement", ["Truce."])
    queue.wait_for_background()
    assert titles(api(client, q="truce")) == ["Statement"]
    assert not IndexTask.objects.exists()


def test_deferred_leaves_updates_queued_for_one_drain(transactional_db, settings):
    settings.BAYAN_INDEX_IN_BACKGROUND = True
    with queue.deferred():
        communique("Statement", ["Truce."])
    queue.wait_for_background()
    assert IndexTask.objects.exists()
    assert queue.drain() >= 1 and not IndexTask.objects.exists()


def test_a_failed_update_is_kept_and_retried(client, index, monkeypatch, settings, caplog):
    good = communique("Good", ["Truce."])
    bad = communique("Bad", ["Truce."])
    real_write = queue.write

    def failing_write(objects, remove):
        if any(o.pk == bad.pk for o in objects):
            raise OSError("disk full")
        real_write(objects, remove)

    monkeypatch.setattr(queue, "write", failing_write)
    index()
    # The good one is indexed despite its neighbour; the bad one waits with its error.
    assert titles(api(client, q="truce")) == ["Good"]
    tasks = IndexTask.objects.filter(communique_id=bad.pk)
    assert tasks and all(t.attempts == 1 and "disk full" in t.last_error for t in tasks)
    assert not IndexTask.objects.filter(communique_id=good.pk).exists()
    assert "disk full" in caplog.text
    # Within the lease it is left alone; after it, retried.
    monkeypatch.setattr(queue, "write", real_write)
    assert index() == 0
    settings.BAYAN_INDEX_LEASE_SECONDS = 0
    assert index() == len(tasks)
    assert not IndexTask.objects.exists()
    assert {r["title"] for r in api(client, q="truce")["results"]} == {"Good", "Bad"}
    assert good.pk in indexed_ids()


def test_a_claim_left_by_a_dead_drainer_is_taken_over_after_the_lease(client, index, settings):
    c = communique("Statement", ["Truce."])
    _, rows = queue._claim(10)  # claimed, then the drainer "dies"
    assert rows and index() == 0
    settings.BAYAN_INDEX_LEASE_SECONDS = 0
    assert index() >= 1
    assert c.pk in indexed_ids()


def test_index_now_applies_at_once_and_consumes_the_rows(index):
    c = communique("Statement", ["Truce."])
    assert queue.index_now([c.pk]) == 1
    assert c.pk in indexed_ids()
    assert not IndexTask.objects.filter(communique_id=c.pk).exists()


def test_drift_finds_missing_stale_and_extra_entries_and_repairs_them(index):
    kept = communique("Kept", ["x"])
    stale = communique("Stale", ["x"])
    gone = communique("Gone", ["x"])
    index()
    missing = communique("Missing", ["x"])
    Communique.objects.filter(pk=stale.pk).update(title="Changed behind the index's back")
    Communique.objects.filter(pk=gone.pk).update(status=Communique.Status.DRAFT)
    IndexTask.objects.all().delete()  # as if the queue had been lost
    found = queue.drift()
    assert (found.missing, found.stale, found.extra) == ([missing.pk], [stale.pk], [gone.pk])
    out = io.StringIO()
    call_command("index_drift", "--repair", stdout=out)
    assert "Repaired 3; drift now 0" in out.getvalue()
    assert indexed_ids() == {kept.pk, stale.pk, missing.pk}


def test_index_drift_check_fails_on_drift(index):
    communique("Missing", ["x"])
    IndexTask.objects.all().delete()
    with pytest.raises(CommandError, match="differs"):
        call_command("index_drift", "--check", stdout=io.StringIO())


def test_a_communique_of_one_word_is_indexed_and_found(client, index):
    # No two words in a row: nothing for the phrase field's runs, in a segment of its own.
    Communique.objects.create(title="Untitled", status=Communique.Status.PUBLISHED)
    index()
    assert titles(api(client, q="untitled")) == ["Untitled"]
    assert not IndexTask.objects.exists()  # applied, not failing and kept for a retry


def test_rebuild_index_shows_progress_and_indexes_exactly_the_published(index):
    published = [communique(f"S{n}", ["x"]) for n in range(7)]
    communique("Draft", ["x"], status=Communique.Status.DRAFT)
    index()
    IndexTask.objects.all().delete()
    err, out = io.StringIO(), io.StringIO()
    call_command(RebuildIndex(), "--noinput", "--batch-size", "3", stdout=out, stderr=err)
    assert "Indexed 7 published communiqués" in out.getvalue()
    assert "7/7" in err.getvalue()  # the progress bar
    assert indexed_ids() == {c.pk for c in published}


def test_a_rebuild_with_no_one_to_answer_its_question_says_so_and_changes_nothing(
    index, monkeypatch
):
    first = communique("Statement", ["truce"])
    index()
    communique("Second", ["truce"])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script's closed stdin
    with pytest.raises(CommandError, match="--noinput"):
        call_command(RebuildIndex(), "--no-progress")
    assert indexed_ids() == {first.pk}


def test_a_rebuild_while_another_process_writes_the_index_says_so_and_changes_nothing(index):
    first = communique("Statement", ["truce"])
    index()
    held, release = threading.Event(), threading.Event()

    def writer():  # another writer: flock shuts out other threads as it does other processes
        with writer_lock():
            held.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert held.wait(10)
        communique("Second", ["truce"])
        with pytest.raises(CommandError, match="Another process kept writing the search index"):
            call_command(RebuildIndex(), "--noinput", "--no-progress", "--wait", "0.2")
        assert indexed_ids() == {first.pk}
    finally:
        release.set()
        thread.join()
    call_command(
        RebuildIndex(), "--noinput", "--no-progress", "--wait", "0.2", stdout=io.StringIO()
    )
    assert len(indexed_ids()) == 2


def test_drain_index_once(index):
    c = communique("Statement", ["x"])
    out = io.StringIO()
    call_command("drain_index", "--once", stdout=out)
    assert "index updates applied" in out.getvalue()
    assert c.pk in indexed_ids()
