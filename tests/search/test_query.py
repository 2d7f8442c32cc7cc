"""The query language: what parses, what it means, and the message for what does not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query import MAX_LENGTH, And, Not, Or, QueryError, Term, parse


def node(text: str):
    return parse(text).node


def test_empty_query_lists_everything():
    assert parse("").is_empty
    assert parse("   ").is_empty
    assert parse(None).is_empty


def test_words_are_anded_and_lowercased():
    assert node("Ceasefire Aleppo") == And((Term("ceasefire"), Term("aleppo")))
    assert node("ceasefire AND aleppo") == node("ceasefire aleppo")


def test_or_binds_looser_than_and():
    assert node("a b OR c") == Or((And((Term("a"), Term("b"))), Term("c")))


def test_phrase_keeps_its_words_together():
    assert node('"humanitarian  corridor"') == Term("humanitarian corridor", phrase=True)


def test_not_and_minus_both_exclude():
    expected = And((Term("ceasefire"), Not(Term("idlib"))))
    assert node("ceasefire NOT idlib") == expected
    assert node("ceasefire -idlib") == expected
    assert node('-"a b"') == Not(Term("a b", phrase=True))


def test_two_negations_cancel():
    """Whoosh cannot read "NOT NOT idlib" (found by the parser's property test)."""
    assert node("-(-idlib)") == Term("idlib")
    assert node("NOT (NOT idlib) ceasefire") == And((Term("idlib"), Term("ceasefire")))
    assert node("-(-(-idlib))") == Not(Term("idlib"))


def test_field_prefixes_map_to_index_fields():
    assert node("participant:Jamous") == Term("jamous", field="participant_text")
    assert node('issuer:"Syrian Opposition"') == Term(
        "Syrian Opposition", phrase=True, field="issuer_text"
    )
    assert node("place:(idlib OR aleppo)") == Or(
        (Term("idlib", field="place_text"), Term("aleppo", field="place_text"))
    )
    assert node("addressee:russia").field == "addressee_text"


def test_punctuated_words_become_phrases_the_analyzer_splits():
    assert node("al-Assad") == Term("al-Assad", phrase=True)
    assert parse("al-Assad").engine_query == '"al-Assad"'


def test_engine_syntax_is_explicit():
    assert parse("a b OR -c").engine_query == "((a AND b) OR NOT c)"


def test_lowercase_operators_are_plain_words():
    assert node("war and peace") == And((Term("war"), Term("and"), Term("peace")))


def test_words_for_spelling_exclude_negated_fielded_and_phrases():
    assert parse('bombng -idlib issuer:x "a b" geneva').words == ("bombng", "geneva")


def test_a_star_after_a_word_is_a_prefix_alone_in_any_field():
    assert node("Negotiat*") == Term("negotiat", prefix=True)
    assert parse("negotiat* -talks").engine_query == "(negotiat* AND NOT talks)"
    assert parse("issuer:(syr* OR leb*)").engine_query == "(issuer_text:syr* OR issuer_text:leb*)"
    assert parse("negotiat*").words == ()  # nothing to correct
    # Any other star is punctuation, as before: inside a phrase, a word or before it.
    assert node('"negotiat*"') == Term("negotiat*", phrase=True)
    assert node("ne*go") == Term("ne*go", phrase=True)
    assert node("*go") == Term("*go", phrase=True)


def test_a_pasted_url_is_searched_as_text():
    assert node("https://example.org/x").phrase


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"ceasefire', "Unbalanced quote"),
        ('a "b" "c', "Unbalanced quote"),
        ("(geneva OR astana", "closing “)”"),
        ("geneva)", "closes nothing"),
        ("AND", "needs a word on each side"),
        ("OR geneva", "needs a word on each side"),
        ("geneva AND", "missing the word"),
        ("geneva OR", "missing the word"),
        ("ceasefire NOT", "missing the word"),
        ("a OR OR b", "missing the word"),
        ("-(", "Unbalanced brackets"),
        ("()", "Empty brackets"),
        ("issuer: opposition", "Nothing follows “issuer:”"),
        ("isuer:opposition", "Unknown field “isuer:”"),
        ("issuer:(participant:x)", "cannot be inside another field"),
        ("x" * (MAX_LENGTH + 1), "the limit is 500"),
        (" ".join(["w"] * 41), "the limit is 40"),
        ("(" * 9 + "a" + ")" * 9, "nested"),
        ("ne*", "write at least 3 letters before the *"),
        ("issuer:sy*", "“sy\\*” stands for too many words"),
    ],
)
def test_malformed_queries_explain_themselves(text, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


@settings(max_examples=250, deadline=None)
@given(st.text(max_size=120) | st.text(alphabet='ab "()-:ANDORNOTissuer', max_size=60))
def test_any_input_parses_or_explains(text):
    try:
        parsed = parse(text)
    except QueryError as error:
        assert str(error)
        return
    rendered = parsed.engine_query
    outside_quotes = rendered.split('"')[::2]
    assert rendered.count('"') % 2 == 0
    assert sum(p.count("(") - p.count(")") for p in outside_quotes) == 0
