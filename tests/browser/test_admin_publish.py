"""An editor's path: upload in the admin, review, publish; then a reader finds it."""

import re
import shutil

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from archive.models import Communique, ImportBatch, Organization
from tests.browser.conftest import index_all, screenshot, watch_csp
from tests.pages.factories import SEED_FILE

pytestmark = pytest.mark.browser


def log_in(page) -> None:
    get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-passphrase")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_upload_review_publish_then_find_by_search_and_feed(page, tmp_path, transactional_db):
    upload = tmp_path / "soc-final-communique.txt"
    shutil.copyfile(SEED_FILE, upload)
    log_in(page)

    page.goto("/admin/archive/communique/upload/")
    page.locator("input[name=files]").set_input_files(str(upload))
    # Reading and extraction run in a child process: allow them more than a click's time.
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Upload and extract").click(timeout=60_000)
    communique = Communique.objects.get()
    assert communique.status == Communique.Status.DRAFT
    assert page.context.request.get(communique.get_absolute_url()).status == 404

    # Review: the extracted record beside its text.
    page.goto(f"/admin/archive/communique/{communique.pk}/change/")
    expect(page.locator("body")).to_contain_text("Syrian Opposition Coalition")
    screenshot(page, "admin-review")

    # Publish with the list's action.
    page.goto("/admin/archive/communique/")
    page.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Run").or_(page.locator("button[name=index]")).first.click()
    expect(page.locator(".messagelist")).to_contain_text("ublished")
    communique.refresh_from_db()
    assert communique.is_published
    index_all()

    # Found by search ...
    page.goto("/search/?q=white+phosphorus")
    page.locator("a.item-title", has_text=communique.title).click()
    page.wait_for_url(re.compile(rf"/c/{communique.public_id}/$"))
    expect(page.locator("h1")).to_have_text(communique.title)

    # ... and by the feed.
    feed = page.context.request.get("/feeds/latest.atom").text()
    assert f"/c/{communique.public_id}/" in feed


def test_many_files_go_one_by_one_into_one_batch_failures_included(
    page, tmp_path, transactional_db
):
    # static/js/upload.js posts each file alone, as JSON, into the batch the first one opens.
    seed, empty, blank = tmp_path / "seed.txt", tmp_path / "empty.pdf", tmp_path / "blank.txt"
    shutil.copyfile(SEED_FILE, seed)
    empty.write_bytes(b"")
    blank.write_text("   \n")
    log_in(page)

    page.goto("/admin/archive/communique/upload/")
    page.locator("input[name=files]").set_input_files([str(empty), str(seed), str(blank)])
    with page.expect_navigation(url=re.compile(r"/importbatch/\d+/change/"), timeout=60_000):
        page.get_by_role("button", name="Upload and extract").click()
    batch = ImportBatch.objects.get()
    assert sorted(batch.items.values_list("name", "outcome")) == [
        ("blank.txt", "failed"),
        ("empty.pdf", "failed"),
        ("seed.txt", "imported"),
    ]
    expect(page.locator("body")).to_contain_text("the file is empty; check that the upload worked")


def test_an_editor_merges_a_duplicate_by_typing_the_target(page, transactional_db):
    # The merge form looks the target up as the editor types (Django's autocomplete), not in
    # a select of every record.
    survivor = Organization.objects.create(name="Syrian Opposition Coalition", acronym="SOC")
    duplicate = Organization.objects.create(name="Syrian Opposition Coalition, The (S.O.C.)")
    for n in range(30):
        Organization.objects.create(name=f"Committee number {n}")
    violations = watch_csp(page)  # the autocomplete's script and styles under the strict CSP
    log_in(page)

    page.goto("/admin/archive/organization/?q=S.O.C.")
    page.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("merge")
    page.get_by_role("button", name="Run").or_(page.locator("button[name=index]")).first.click()
    expect(page.locator("body")).to_contain_text("will be merged into the one you choose")

    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("SOC")
    page.locator(".select2-results__option", has_text="Syrian Opposition Coalition").first.click()
    page.get_by_role("button", name="Merge").click()
    expect(page.locator(".messagelist")).to_contain_text("Merged 1 record(s)")
    assert not Organization.objects.filter(pk=duplicate.pk).exists()
    assert survivor.aliases.filter(name=duplicate.name).exists()
    assert violations == []
