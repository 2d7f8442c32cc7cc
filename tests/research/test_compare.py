"""Compare two communiqués; "the previous one from this issuer"."""

from __future__ import annotations

import datetime as dt

from archive.models import Communique
from archive.research import compare
from tests.pages.factories import CommuniqueFactory, organization


def test_word_diff_marks_what_changed():
    left, right = compare.word_diff("The Council must act now.", "The Council must act today.")
    assert left == [("equal", "The Council must act "), ("del", "now"), ("equal", ".")]
    assert right == [("equal", "The Council must act "), ("ins", "today"), ("equal", ".")]


def test_paragraphs_are_aligned_before_words_are_compared():
    a = ["Opening.", "The Council must act now.", "Old closing remarks here."]
    b = ["Opening.", "A new paragraph entirely.", "The Council must act today.", "Old closing."]
    rows = compare.paragraph_diff(a, b)
    assert [(r.op, r.left_number, r.right_number) for r in rows] == [
        ("equal", 1, 1),
        ("added", None, 2),
        ("changed", 2, 3),
        ("changed", 3, 4),
    ]
    assert rows[2].left == [("equal", "The Council must act "), ("del", "now"), ("equal", ".")]
    assert rows[3].left == [("equal", "Old closing"), ("del", " remarks here"), ("equal", ".")]


def test_unrelated_paragraphs_are_removed_and_added():
    rows = compare.paragraph_diff(["Alpha beta gamma."], ["Completely different words."])
    assert [r.op for r in rows] == ["removed", "added"]


def test_compare_page(archive, client):
    response = client.get(f"/compare/{archive.seed.public_id}/{archive.nov.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    names = [left.person.name for left, _ in response.context["participants"]["shared"]]
    assert sorted(names) == ["Badr Jamous", "Hadi Al-Bahra"]
    assert len(response.context["participants"]["only_left"]) == 5
    addressees = response.context["addressees"]
    assert [o.acronym for o, _ in addressees["shared"]] == ["IC", "UNSC"]
    assert sorted(o.acronym for o in addressees["only_left"]) == ["AL", "UN"]
    assert response.context["demands"]["shared"]  # the emergency-session call, reworded
    assert "<ins>" in html and "<del>" in html
    # Paragraph text is escaped, never markup.
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_compare_refuses_drafts(archive, client):
    url = f"/compare/{archive.seed.public_id}/{archive.draft.public_id}/"
    assert client.get(url).status_code == 404


def test_previous_from_the_same_issuer(archive, client):
    # November's previous SOC communiqué is the seed: the draft between them does not count.
    response = client.get(f"/c/{archive.nov.public_id}/compare/previous/")
    assert response.status_code == 302
    assert response["Location"] == f"/compare/{archive.seed.public_id}/{archive.nov.public_id}/"
    assert client.get(f"/c/{archive.seed.public_id}/compare/previous/").status_code == 404
    # Another issuer's communiqué is not "previous"; nor a translation of the same day.
    CommuniqueFactory(issuer=organization("SNC"), date=dt.date(2023, 10, 1))
    CommuniqueFactory(issuer=organization("SOC"), date=dt.date(2023, 10, 10), language="ar")
    assert compare.previous_from_issuer(archive.seed) is None
    assert not compare.has_previous_from_issuer(archive.seed)
    earlier = CommuniqueFactory(issuer=organization("SOC"), date=dt.date(2023, 9, 1))
    assert compare.previous_from_issuer(archive.seed) == earlier
    assert compare.has_previous_from_issuer(archive.seed)
    # A second statement of the same day, in the same language, follows the first.
    second = CommuniqueFactory(
        issuer=organization("SOC"), date=archive.seed.date, language=archive.seed.language
    )
    assert compare.previous_from_issuer(second) == archive.seed
    assert compare.has_previous_from_issuer(second)


def test_undated_statements_follow_each_other_in_the_order_they_came(db):
    issuer = organization("SOC")
    first = CommuniqueFactory(issuer=issuer, date=None)
    second = CommuniqueFactory(issuer=issuer, date=None)
    CommuniqueFactory(issuer=issuer, date=dt.date(2023, 1, 1))  # dated: not in their line
    assert compare.previous_from_issuer(second) == first
    assert compare.has_previous_from_issuer(second)
    assert compare.previous_from_issuer(first) is None
    assert not compare.has_previous_from_issuer(first)


def test_communique_page_links_to_the_comparison(archive, client):
    html = client.get(archive.nov.get_absolute_url()).content.decode()
    assert f"/c/{archive.nov.public_id}/compare/previous/" in html
    html = client.get(archive.seed.get_absolute_url()).content.decode()
    assert "compare/previous" not in html
    assert Communique.objects.filter(status=Communique.Status.DRAFT).count() == 1
