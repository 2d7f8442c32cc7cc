"""A broken or read-only index: public search degrades, admins are told, nothing is lost."""

from __future__ import annotations

import errno

import pytest
from django.contrib.auth.models import User
from haystack import connections
from whoosh.filedb.filestore import FileStorage

from search import queue
from search.models import IndexTask
from tests.pages.factories import CommuniqueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_background_drain(settings):
    settings.BAYAN_INDEX_IN_BACKGROUND = False


@pytest.fixture
def broken_index(settings, tmp_path):
    """The index path is a plain file: the directory cannot be opened or created."""
    bogus = tmp_path / "not-a-directory"
    bogus.write_text("")
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(bogus)}
    }
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    connections.reload("default")
    yield bogus


@pytest.fixture
def unreadable_index(monkeypatch, db):
    CommuniqueFactory(title="Indexed statement")
    queue.drain()
    connections.reload("default")

    def refuse(self, name, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", name)

    monkeypatch.setattr(FileStorage, "open_file", refuse)


@pytest.fixture
def read_only_index(monkeypatch, db):
    CommuniqueFactory(title="Indexed before the disk went read-only")
    queue.drain()

    def refuse(self, name, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", name)

    # What a read-only mount does to Whoosh: its lock file and new files cannot be created.
    monkeypatch.setattr(FileStorage, "lock", refuse)
    monkeypatch.setattr(FileStorage, "create_file", refuse)


@pytest.mark.parametrize("fixture", ["broken_index", "unreadable_index"])
def test_the_search_page_says_search_is_unavailable_with_503(client, request, fixture):
    request.getfixturevalue(fixture)
    response = client.get("/search/?q=truce")
    assert response.status_code == 503
    assert "Search is temporarily unavailable" in response.content.decode()
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize("fixture", ["broken_index", "unreadable_index"])
def test_the_search_api_answers_503_in_json(client, request, fixture):
    request.getfixturevalue(fixture)
    response = client.get("/api/search/?q=truce")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.json()["detail"]


def test_the_rest_of_the_site_works_without_the_index(client, broken_index, db):
    c = CommuniqueFactory(title="Readable without search")
    for url in ["/", c.get_absolute_url(), "/browse/", "/api/communiques/", "/feeds/latest.atom"]:
        assert client.get(url).status_code == 200, url


def test_a_read_only_index_keeps_updates_queued_and_tells_admins(client, read_only_index, db):
    c = CommuniqueFactory(title="Waiting to be indexed")
    assert IndexTask.objects.filter(communique_id=c.pk).exists()
    queue.drain()  # fails: nothing is lost, the rows record why
    failing = IndexTask.objects.filter(communique_id=c.pk)
    assert failing.exists() and "Read-only file system" in failing.first().last_error
    # Public search still answers (the existing index is readable).
    assert client.get("/search/?q=waiting").status_code == 200

    client.force_login(User.objects.create_superuser("boss", password="pw-123-long"))
    body = client.get("/admin/").content.decode()
    assert "search index update(s) are failing" in body
    assert "Read-only file system" in body


def test_once_the_index_is_writable_again_it_catches_up_by_itself(
    client, monkeypatch, read_only_index, db, settings
):
    c = CommuniqueFactory(title="Caught up later")
    queue.drain()
    assert IndexTask.objects.exists()
    monkeypatch.undo()  # the disk is writable again
    settings.BAYAN_INDEX_LEASE_SECONDS = 0  # the failure's lease has passed
    queue.drain()
    assert not IndexTask.objects.exists()
    assert queue.drift().total == 0
    assert c.pk in queue.indexed_fingerprints()
