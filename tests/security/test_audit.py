"""The audit log records who added, changed, published or unpublished what, and when."""

from __future__ import annotations

import sys

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from archive import publishing
from archive.audit import acting_as
from archive.models import AuditEntry, Communique
from tests.pages.factories import CommuniqueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("editor", password="pw-123-long")
    client.force_login(user)
    client.user = user
    return client


def actions(communique) -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(object_id=str(communique.pk), object_type="communique")
    return [(e.action, e.actor_label) for e in entries.order_by("at", "id")]


def test_admin_publish_and_unpublish_are_recorded_with_the_user(admin_client):
    draft = CommuniqueFactory(draft=True, title="To review")
    admin_client.post(
        "/admin/archive/communique/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    admin_client.post(
        "/admin/archive/communique/", {"action": "unpublish", "_selected_action": [draft.pk]}
    )
    recorded = actions(draft)
    assert ("published", "editor") in recorded and ("unpublished", "editor") in recorded
    entry = AuditEntry.objects.get(action="published", object_id=str(draft.pk))
    assert entry.actor == admin_client.user and entry.public_id == draft.public_id


def test_an_admin_upload_is_recorded_as_added_by_the_user(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "statement.txt",
        b"Final communique of the council\n\nThe council met in Geneva on 3 May 2021.\n",
    )
    admin_client.post("/admin/archive/communique/upload/", {"files": upload})
    communique = Communique.objects.get()
    assert actions(communique) == [("added", "editor")]
    entry = AuditEntry.objects.get(action="added")
    assert entry.detail["file"] == "statement.txt"


def test_a_command_line_import_and_publish_is_recorded(tmp_path, monkeypatch, settings):
    settings.BAYAN_INDEX_IN_BACKGROUND = False
    (tmp_path / "a.txt").write_text(
        "Final communique of the council\n\nThe council met in Geneva on 3 May 2021.\n"
    )
    monkeypatch.setattr(sys, "argv", ["manage.py", "import_communiques"])
    call_command("import_communiques", str(tmp_path), "--publish", "--no-progress")
    communique = Communique.objects.get()
    assert actions(communique) == [
        ("added", "manage.py import_communiques"),
        ("published", "manage.py import_communiques"),
    ]


def test_an_admin_edit_is_recorded_with_the_changed_fields(admin_client):
    c = CommuniqueFactory(title="Old title")
    AuditEntry.objects.all().delete()
    with acting_as(admin_client.user):
        c.title = "New title"
        c.save()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_label, entry.detail["fields"]) == (
        "changed",
        "editor",
        ["title"],
    )


def test_publishing_from_code_names_the_caller(db):
    c = CommuniqueFactory(draft=True)
    with acting_as(label="script: nightly"):
        publishing.publish(c)
    assert ("published", "script: nightly") in actions(c)


def test_deletion_and_entity_renames_are_recorded(db):
    c = CommuniqueFactory()
    issuer = c.issuer
    issuer.name = "Renamed Council"
    issuer.save()
    c.delete()
    assert AuditEntry.objects.filter(action="changed", object_type="organization").exists()
    assert AuditEntry.objects.filter(action="deleted", object_id=str(c.pk or "")).exists() or (
        AuditEntry.objects.filter(action="deleted", object_type="communique").exists()
    )


def test_the_audit_log_is_visible_to_admins_and_read_only(admin_client):
    CommuniqueFactory(title="Something audited")
    response = admin_client.get("/admin/archive/auditentry/")
    assert response.status_code == 200
    assert "Something audited" in response.content.decode()
    assert admin_client.get("/admin/archive/auditentry/add/").status_code == 403
    entry = AuditEntry.objects.first()
    response = admin_client.post(f"/admin/archive/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_staff_without_permission_cannot_read_the_audit_log(client, db):
    client.force_login(User.objects.create_user("clerk", password="pw-123-long", is_staff=True))
    assert client.get("/admin/archive/auditentry/").status_code == 403
