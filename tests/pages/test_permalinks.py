"""Permalinks: one canonical URL, slugs that redirect, ids that answer 410 once withdrawn."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from archive.publishing import unpublish
from tests.pages.factories import CommuniqueFactory, add_revision

pytestmark = pytest.mark.django_db


def test_the_canonical_url_is_short(seed):
    assert seed.get_absolute_url() == f"/c/{seed.public_id}/"


def test_a_url_with_the_slug_redirects_permanently_to_the_canonical_one(client, seed):
    response = client.get(f"/c/{seed.public_id}/final-communique/")
    assert response.status_code == 301
    assert response["Location"] == f"/c/{seed.public_id}/"


def test_a_url_with_an_old_slug_still_redirects(client, seed):
    seed.title, seed.slug = "Final communiqué of the General Assembly", ""
    seed.save()
    response = client.get(f"/c/{seed.public_id}/final-communique/")
    assert response["Location"] == f"/c/{seed.public_id}/"


def test_an_unknown_id_is_not_found(client, db):
    response = client.get("/c/zzzzzzz/")
    assertContains(response, '<h1 id="nf-heading">Nothing here</h1>', status_code=404, html=True)


def test_a_draft_never_published_is_not_found(client):
    draft = CommuniqueFactory(draft=True, title="Secret draft")
    response = client.get(draft.get_absolute_url(), follow=False)
    assert response.status_code == 404
    assertNotContains(response, "Secret draft", status_code=404)


def test_an_unpublished_communique_answers_410_with_its_citation(client, seed):
    unpublish(seed)
    response = client.get(seed.get_absolute_url())
    assertContains(
        response,
        "Syrian Opposition Coalition. “Final communique.” General Assembly, October 10, 2023.",
        status_code=410,
    )


def test_a_deleted_communique_answers_410_with_its_citation(client, seed):
    public_id = seed.public_id
    seed.delete()
    response = client.get(f"/c/{public_id}/")
    assertContains(response, "<dd>Final communique</dd>", status_code=410, html=True)
    assertContains(response, f"http://testserver/c/{public_id}/", status_code=410)


def test_a_withdrawn_communiques_citation_files_are_gone_too(client, seed):
    unpublish(seed)
    assert client.get(f"/c/{seed.public_id}/cite.bib").status_code == 410


def test_an_old_revision_says_a_newer_one_exists_and_links_to_it(client, seed):
    add_revision(seed, 1, title="Final communique (draft wording)")
    add_revision(seed, 2)
    response = client.get(f"/c/{seed.public_id}/r/1/")
    assertContains(response, "<strong>A newer revision exists.</strong>", html=True)
    assertContains(
        response, f'<a href="/c/{seed.public_id}/">Read the current version</a>', html=True
    )


def test_an_old_revision_shows_its_own_text(client, seed):
    add_revision(seed, 1, title="Final communique (draft wording)", paragraphs=["Old wording."])
    add_revision(seed, 2)
    response = client.get(f"/c/{seed.public_id}/r/1/")
    assertContains(response, "Final communique (draft wording)</h1>")
    assertContains(response, "<p>Old wording.</p>", html=True)


def test_the_latest_revision_does_not_claim_a_newer_one(client, seed):
    add_revision(seed, 1)
    response = client.get(f"/c/{seed.public_id}/r/1/")
    assertNotContains(response, "A newer revision exists")


def test_the_communique_page_lists_its_revisions(client, seed):
    add_revision(seed, 1)
    add_revision(seed, 2)
    response = client.get(seed.get_absolute_url())
    assertContains(response, f'<a href="/c/{seed.public_id}/r/1/">Revision 1</a>', html=True)


def test_a_missing_revision_is_not_found(client, seed):
    assert client.get(f"/c/{seed.public_id}/r/9/").status_code == 404


@pytest.mark.parametrize(
    ("ext", "content_type", "start"),
    [
        ("bib", "application/x-bibtex", "@misc{bayan-"),
        ("ris", "application/x-research-info-systems", "TY  - PRESS"),
        ("json", "application/vnd.citationstyles.csl+json", '[\n  {\n    "id": "bayan-'),
    ],
)
def test_each_citation_format_downloads_with_its_type(client, seed, ext, content_type, start):
    response = client.get(f"/c/{seed.public_id}/cite.{ext}")
    assert response["Content-Type"].startswith(content_type)
    assert response.content.decode().startswith(start)
