"""From files to records: the import command, the admin upload, duplicates and failures."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from archive.models import Communique, ImportBatch, ImportItem, Organization, Person

SEED = (
    Path(__file__).resolve().parents[2] / "archive" / "demo" / "soc-final-communique-2023-10-10.txt"
)

pytestmark = pytest.mark.django_db


def _import(*paths, publish=False):
    out = io.StringIO()
    args = [str(p) for p in paths] + ["--no-progress"] + (["--publish"] if publish else [])
    call_command("import_communiques", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_importing_the_seed_builds_its_structured_record(tmp_path):
    _import(SEED)
    communique = Communique.objects.with_structure().get()
    assert communique.status == Communique.Status.DRAFT
    assert communique.issuer.name == "Syrian Opposition Coalition"
    assert communique.issuer.acronym == "SOC"
    assert communique.issuer_body == "General Assembly"
    assert str(communique.date) == "2023-10-10"
    assert str(communique.meeting_date) == "2023-10-09"
    names = [p.person.name for p in communique.participations.all()]
    assert "Hadi Al-Bahra" in names and "Badr Jamous" in names
    assert sorted(str(r) for r in communique.resolutions.all()) == [
        "UNSC Resolution 2118 (2013)",
        "UNSC Resolution 2254 (2015)",
    ]
    addressees = {a.name for d in communique.demands.all() for a in d.addressees.all()}
    assert "UN Security Council" in addressees
    assert communique.original.read() == SEED.read_bytes()


def test_reimporting_the_same_folder_creates_no_duplicates(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    _import(folder)
    summary = _import(folder)
    assert Communique.objects.count() == 1
    assert "Imported 0, duplicates 1, failed 0" in summary


def test_the_same_person_in_two_communiques_is_one_record(tmp_path):
    other = tmp_path / "other.txt"
    other.write_text(SEED.read_text().replace("October 10, 2023", "November 2, 2023") + "\nMore.")
    _import(SEED, other)
    assert Communique.objects.count() == 2
    assert Person.objects.filter(name="Hadi Al-Bahra").count() == 1
    assert Organization.objects.filter(name="Syrian Opposition Coalition").count() == 1


def test_publish_flag_publishes_and_records_a_revision():
    _import(SEED, publish=True)
    communique = Communique.objects.get()
    assert communique.is_published
    assert communique.revisions.count() == 1


def test_a_bad_file_fails_with_its_reason_keeps_the_original_and_the_batch_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage without a trailer")
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    summary = _import(tmp_path)
    assert "Imported 1, duplicates 0, failed 2" in summary
    failed = {
        item.name.rsplit("/", 1)[-1]: item for item in ImportItem.objects.filter(outcome="failed")
    }
    assert set(failed) == {"empty.txt", "broken.pdf"}
    assert "broken.pdf" in failed["broken.pdf"].message
    assert failed["broken.pdf"].original.read() == b"%PDF-1.7\n garbage without a trailer"
    assert Communique.objects.count() == 1  # nothing half-saved


def test_fail_on_error_tells_a_script_that_files_failed_and_still_imports_the_rest(tmp_path):
    folder = tmp_path / "statements"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    # A CommandError is exit status 1 on the command line, with its message on stderr.
    with pytest.raises(CommandError, match=r"1 file\(s\) failed"):
        _import(folder, "--fail-on-error")
    assert Communique.objects.count() == 1
    # Without the option a run with failures ends as before, for the scripts written for it.
    assert "Imported 0, duplicates 1, failed 1" in _import(folder)


def test_a_very_long_text_is_kept_whole_and_the_import_says_where_extraction_stopped(tmp_path):
    from archive.ingest.extract import MAX_CHARS

    seed = SEED.read_text(encoding="utf-8")
    tail = "The last paragraph of the appendix names Qamishli."
    long = tmp_path / "long.txt"
    long.write_text(seed + "\n\n" + "Appendix text.\n\n" * (MAX_CHARS // 8) + tail, "utf-8")
    _import(long)
    communique = Communique.objects.get()
    paragraphs = list(communique.paragraphs.values_list("text", flat=True))
    assert paragraphs[-1] == tail  # before: cut at MAX_CHARS, without a word
    assert communique.issuer.name == "Syrian Opposition Coalition"  # the rules still ran
    item = ImportItem.objects.get()
    assert f"the first {MAX_CHARS:,} characters" in item.message
    assert "the whole text is kept" in item.message


def test_a_zip_is_imported_member_by_member(tmp_path):
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("2023/seed.txt", SEED.read_bytes())
        z.writestr("../../escape.txt", b"Statement text")
    _import(archive)
    outcomes = dict(ImportItem.objects.values_list("outcome", "message"))
    assert Communique.objects.count() == 1
    assert "failed" in outcomes


def test_extract_command_prints_the_json_contract(capsys):
    out = io.StringIO()
    call_command("extract", str(SEED), "--json", stdout=out)
    found = json.loads(out.getvalue())
    assert set(found) == {
        "title",
        "issuer",
        "issuer_body",
        "date",
        "meeting_date",
        "meeting_place",
        "language",
        "participants",
        "demands",
        "places",
        "resolutions",
    }
    assert found["date"] == "2023-10-10"
    assert found["resolutions"] == ["UNSC Resolution 2254 (2015)", "UNSC Resolution 2118 (2013)"]
    assert Communique.objects.count() == 0  # saves nothing


def test_load_demo_twice_duplicates_nothing():
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    assert Communique.objects.published().count() == Communique.objects.count() >= 1


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "e@example.org", "pw-long-enough")
    client.force_login(user)
    return client


def test_admin_upload_lands_on_the_review_list_with_each_outcome(staff_client):
    seed = io.BytesIO(SEED.read_bytes())
    seed.name = "seed.txt"
    empty = io.BytesIO(b"   ")
    empty.name = "blank.txt"
    response = staff_client.post(
        reverse("admin:archive_communique_upload"), {"files": [seed, empty]}, follow=True
    )
    batch = ImportBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:archive_importbatch_change", args=[batch.pk]
    )
    assert set(batch.items.values_list("name", "outcome")) == {
        ("seed.txt", "imported"),
        ("blank.txt", "failed"),
    }
    assert "blank.txt" in response.content.decode()


def test_admin_upload_of_a_zero_byte_file_is_kept_in_the_batch_as_failed(staff_client):
    empty = io.BytesIO(b"")
    empty.name = "truncated.pdf"
    response = staff_client.post(
        reverse("admin:archive_communique_upload"),
        {"files": [empty]},
        HTTP_ACCEPT="application/json",
    )
    [result] = response.json()["results"]
    assert result["outcome"] == "failed"
    assert "the file is empty; check that the upload worked" in result["message"]
    item = ImportBatch.objects.get().items.get()
    assert (item.name, item.outcome) == ("truncated.pdf", "failed")


def test_admin_upload_refused_as_a_form_answers_json_to_the_script(staff_client):
    response = staff_client.post(
        reverse("admin:archive_communique_upload"), {}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["files"][0]["code"] == "required"
    assert not ImportBatch.objects.exists()


def test_admin_upload_of_the_same_bytes_says_it_is_a_duplicate(staff_client):
    for _ in range(2):
        seed = io.BytesIO(SEED.read_bytes())
        seed.name = "seed.txt"
        staff_client.post(reverse("admin:archive_communique_upload"), {"files": [seed]})
    item = ImportItem.objects.order_by("-id").first()
    assert item.outcome == "duplicate"
    assert Communique.objects.get().public_id in item.message


def test_upload_is_for_staff_only(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="pw-long-enough")
    client.force_login(user)
    response = client.get(reverse("admin:archive_communique_upload"))
    assert response.status_code == 302  # admin_view sends non-staff to the login page
    assert Communique.objects.count() == 0


def test_review_screen_marks_demands_and_participants_in_the_text(staff_client):
    _import(SEED)
    communique = Communique.objects.get()
    response = staff_client.get(reverse("admin:archive_communique_change", args=[communique.pk]))
    html = response.content.decode()
    assert '<mark class="review-demand" title="Demand">Al-Bahra appealed to the' in html
    assert '<mark class="review-participant" title="Participant">Badr Jamous</mark>' in html


def test_admin_changelist_filters_by_issuer_date_and_status(staff_client):
    _import(SEED)
    response = staff_client.get(reverse("admin:archive_communique_changelist"))
    html = response.content.decode()
    for label in ("By status", "By issuer", "By date"):
        assert label in html
    searched = staff_client.get(reverse("admin:archive_communique_changelist") + "?q=Idlib")
    assert "Final communique" in searched.content.decode()


def test_review_links_a_translation_to_its_original(staff_client):
    _import(SEED)
    original = Communique.objects.get()
    translation = Communique.objects.create(title="البيان الختامي", language="ar")
    url = reverse("admin:archive_communique_change", args=[translation.pk])
    data = {"title": translation.title, "language": "ar", "status": "draft"}
    data["translation_of"] = original.pk
    for prefix in ("paragraphs", "participations", "demands"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    translation.refresh_from_db()
    assert translation.translation_of == original


def _form_fields(html: str, form_id: str) -> dict[str, list[str]]:
    """What a browser submits of a form, unchanged: its fields and their values."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    data: dict[str, list[str]] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name, kind = field.get("name"), field.get("type", "")
        if not name or kind in ("submit", "file", "button"):
            continue
        if kind in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        if field.name == "textarea":
            value = field.text
        elif field.name == "select":
            chosen = field.find_all("option", selected=True)
            for option in chosen:
                data.setdefault(name, []).append(option.get("value", ""))
            continue
        else:
            value = field.get("value", "on" if kind == "checkbox" else "")
        data.setdefault(name, []).append(value)
    return data


def test_review_saves_a_communique_of_many_paragraphs(staff_client):
    # Django's default limit of 1,000 fields refused a record of 240 paragraphs with a 400.
    from archive.models import Paragraph

    communique = Communique.objects.create(title="Outcome document", language="en")
    Paragraph.objects.bulk_create(
        Paragraph(communique=communique, number=n, text=f"Paragraph {n}.") for n in range(1, 401)
    )
    url = reverse("admin:archive_communique_change", args=[communique.pk])
    data = _form_fields(staff_client.get(url).content.decode(), "communique_form")
    data["title"] = ["Outcome document, corrected"]
    response = staff_client.post(url, {**data, "_save": "Save"})
    assert response.status_code == 302
    communique.refresh_from_db()
    assert communique.title == "Outcome document, corrected"
    assert communique.paragraphs.count() == 400
