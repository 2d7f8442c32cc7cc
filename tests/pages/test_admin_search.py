"""The admin's list of communiqués, searched: each word in a title, an id, an issuer or any
paragraph, drafts included, each communiqué listed once."""

import pytest

from tests.pages.factories import CommuniqueFactory, organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(db):
    return {
        "draft": CommuniqueFactory(
            title="Unreviewed upload",
            draft=True,
            paragraphs=["The ceasefire in Idlib holds.", "A ceasefire monitor is named."],
        ),
        "title": CommuniqueFactory(title="Idlib statement", paragraphs=["Aid convoys."]),
        "other": CommuniqueFactory(
            title="Geneva talks",
            issuer=organization("SOC"),
            paragraphs=["Talks on the ceasefire resume in Geneva."],
        ),
    }


def found(admin_client, q: str) -> list[str]:
    response = admin_client.get("/admin/archive/communique/", {"q": q})
    assert response.status_code == 200
    changelist = response.context["cl"]
    titles = [c.title for c in changelist.result_list]
    assert changelist.result_count == len(titles)  # the count agrees with the rows listed
    return sorted(titles)


def test_a_word_in_any_paragraph_finds_drafts_too_each_once(admin_client, archive):
    # The draft says "ceasefire" in both its paragraphs: listed once, and counted once.
    assert found(admin_client, "ceasefire") == ["Geneva talks", "Unreviewed upload"]


def test_every_word_must_be_found_in_one_field_or_another(admin_client, archive):
    # "idlib" in a title or a paragraph, "ceasefire" in a paragraph: only the draft has both.
    assert found(admin_client, "idlib ceasefire") == ["Unreviewed upload"]
    assert found(admin_client, "idlib") == ["Idlib statement", "Unreviewed upload"]


def test_quoted_words_are_one_and_the_issuer_and_id_are_searched(admin_client, archive):
    assert found(admin_client, '"ceasefire monitor"') == ["Unreviewed upload"]
    assert found(admin_client, "syrian opposition") == ["Geneva talks"]
    assert found(admin_client, archive["title"].public_id) == ["Idlib statement"]
