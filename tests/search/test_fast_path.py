"""The backend's fast path answers exactly what Whoosh's own path answers.

The same synthetic archive is searched through /api/search/ with BAYAN_SEARCH_FAST=0 (Whoosh
matching, scoring, sorting and a per-document facet count: the baseline) and with the fast
path; every answer must be identical: totals, results in order, highlights, facet counts,
timeline and suggestions.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from haystack import connections
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from search.backend import fast_path_enabled
from tests.search.helpers import api, whoosh_only

pytestmark = [pytest.mark.django_db, whoosh_only]

QUERIES = [
    {},
    {"q": "mercenaries"},
    {"q": "international"},
    {"q": '"humanitarian law"'},
    {"q": '"humanitarian response plan"'},
    {"q": "ceasefire refugees"},
    {"q": "ceasefire OR refugees"},
    {"q": "civilians NOT idlib"},
    {"q": "NOT ceasefire"},
    {"q": "-ceasefire -refugees"},
    {"q": "(geneva OR astana) talks"},
    {"q": "zzzunknownword"},
    {"q": "humanitrian"},
    {"q": "international", "page": 2},
    {"q": "international", "sort": "date"},
    {"q": "international", "sort": "-date"},
    {"sort": "date"},
    {"page": 3},
    {"q": "ceasefire", "date_from": "2000", "date_to": "2001"},
    {"q": "ceasefire", "date_from": "2005"},
    {"date_to": "1999-06"},
    {"q": "title:ceasefire"},
    {"q": "humanit*"},
    {"q": "negotiat* OR ceasefire"},
    {"q": "issuer:syr* -international"},
]


@pytest.fixture
def archive(index):
    call_command("generate_corpus", count=160, seed=7, no_progress=True, stdout=io.StringIO())
    index()


def _both(client, settings, params):
    settings.BAYAN_SEARCH_FAST = False
    assert not fast_path_enabled()
    plain = api(client, **params)
    settings.BAYAN_SEARCH_FAST = True
    assert fast_path_enabled()
    fast = api(client, **params)
    return plain, fast


def _marked(highlights: list[str]) -> tuple[int, set[str]]:
    """How many fragments, and the index terms (stems) of the marked words."""
    words = " ".join(m for h in highlights for m in re.findall(r"<mark>(.*?)</mark>", h))
    backend = connections["default"].get_backend()
    analyzer = backend.schema[backend.content_field_name].analyzer
    return len(highlights), {t.text for t in analyzer(words)}


def _same(plain, fast, params):
    """Equal answers. Highlights: as many fragments, with marks, in the same results, since
    Whoosh's highlighter breaks ties between equally scored fragments arbitrarily (the
    baseline does not always pick the same fragments twice in a row)."""
    for n, (a, b) in enumerate(zip(plain["results"], fast["results"], strict=True)):
        (count_a, marked_a), (count_b, marked_b) = (
            _marked(a.pop("highlights")),
            _marked(b.pop("highlights")),
        )
        assert count_a == count_b and bool(marked_a) == bool(marked_b), (params, n)
        assert a == b, (params, n)
    assert fast == plain, params


def _keys(client):
    answer = api(client)
    return {name: [v["key"] for v in values] for name, values in answer["facets"].items()}


def test_every_query_answers_the_same_on_both_paths(archive, client, settings):
    keys = _keys(client)
    filtered = [
        {"q": "civilians", "issuer": keys["issuer"][:1]},
        {"q": "civilians", "issuer": keys["issuer"][:2], "place": keys["place"][:1]},
        {"issuer": keys["issuer"][:1], "place": keys["place"][:1], "language": ["en"]},
        {"participant": keys["participant"][:3], "year": keys["year"][:2]},
        {"q": "international", "addressee": keys["addressee"][:1], "sort": "-date"},
        {"q": "civilians -idlib", "issuer": keys["issuer"][:1], "place": keys["place"][:1]},
    ]
    checked = 0
    for params in QUERIES + filtered:
        plain, fast = _both(client, settings, params)
        _same(plain, fast, params)
        checked += plain["total"] > 0
    assert checked > len(QUERIES) // 2  # the corpus exercises most of them


def test_a_pages_searches_share_their_work_and_keep_nothing(archive, client, monkeypatch):
    """A page with facets chosen runs a search for each of their counts, all repeating the
    query and filters: each string is parsed once for the whole page, and nothing is kept
    once the page is drawn, so no later search is answered from it."""
    keys = _keys(client)
    backend = connections["default"].get_backend()
    parsed = []
    parse = backend.parser.parse
    monkeypatch.setattr(backend.parser, "parse", lambda text: parsed.append(text) or parse(text))
    chosen = {"issuer": keys["issuer"][:1], "place": keys["place"][:1], "language": ["en"]}
    answer = api(client, q="civilians", **chosen)
    assert answer["total"] > 0 and len(parsed) == len(set(parsed)) == 4  # the query, 3 filters
    assert backend._parsed is None and backend._fast.matched is None


def test_the_baseline_counts_the_matches_its_page_leaves_out(client, settings, index):
    """Whoosh's collector drops, as its page fills, the terms that can no longer bring a
    document onto the page (matcher.replace()), and where it counts the matches itself (a
    query with NOT, whose matcher has no block qualities) it gave the documents it still
    visited as the total. A word is two terms here (its English and French stems,
    search.analysis): once the page is full of French statements holding both, those holding
    only the English one went unvisited and uncounted (51 of 90). Both paths count them all
    (search.backend)."""
    from tests.search.factories import communique

    for n in range(90):
        if n % 3:
            communique(f"Statement {n}", ["Monitoring of the ceasefire."])
        else:
            communique(f"Déclaration {n}", ["Le monitoring du cessez-le-feu."], language="fr")
    index()
    plain, fast = _both(client, settings, {"q": "monitoring -truce"})
    assert plain["total"] == fast["total"] == 90
    _same(plain, fast, "monitoring -truce")


def test_the_fast_path_sees_deletions_and_updates(archive, client, settings, index):
    from archive.models import Communique
    from search import queue

    doomed = Communique.objects.published().order_by("pk")[:20]
    ids = [c.pk for c in doomed]
    Communique.objects.filter(pk__in=ids).update(status=Communique.Status.DRAFT)
    queue.index_now(ids)
    for params in ({}, {"q": "international"}, {"q": '"humanitarian law"'}):
        plain, fast = _both(client, settings, params)
        _same(plain, fast, params)
    assert api(client)["total"] == Communique.objects.published().count()


def test_tables_are_rebuilt_when_the_index_changes(archive, client):
    backend = connections["default"].get_backend()
    api(client)
    tables = backend._fast
    from archive.models import Communique
    from search import queue

    c = Communique.objects.published().first()
    queue.index_now([c.pk])
    api(client)
    assert backend._fast is not tables


def test_the_highlighters_tokens_are_the_analyzers():
    from search.backend import FastHighlighter

    backend = connections["default"].get_backend()
    if not backend.setup_complete:
        backend.setup()
    analyzer = backend.schema[backend.content_field_name].analyzer
    assert FastHighlighter.supported(analyzer)
    texts = [
        "The Council condemns the bombing of Aleppo; U.N. envoys met in Genève (2254).",
        "Le Conseil condamne les bombardements. Les organisations internationales...",
        "يدين المجلس القصف على حلب والمدنيين في سوريا ٢٢٥٤",
        "of the and a an to in -- 'quoted' e.g. N'Diaye al-Assad CAPITALS mixed123 x",
        "U.N..S a.b.c. .x x. 1.5.2 ..a a.. _._ é.ü. Res.2254(2015) met.met",
    ]
    highlighter = FastHighlighter()
    for text in texts * 2:  # the second pass reads the memo
        expected = [
            (t.text, t.startchar, t.endchar, t.stopped)
            for t in analyzer(text, positions=True, chars=True, mode="index", removestops=False)
        ]
        got = [
            (t.text, t.startchar, t.endchar, t.stopped) for t in highlighter.tokens(analyzer, text)
        ]
        assert got == expected, text


def _whoosh_fragments(highlighter, analyzer, text, words):
    from whoosh import highlight

    tokens = analyzer(text, positions=True, chars=True, mode="index", removestops=False)
    tokens = highlight.set_matched_filter(tokens, words)
    tokens = highlight.Highlighter._merge_matched_tokens(tokens)
    return list(highlighter.fragmenter.fragment_tokens(text, tokens))


def _shape(fragments):
    return [
        (f.startchar, f.endchar, [(m.startchar, m.endchar, m.text) for m in f.matches])
        for f in fragments
    ]


def test_the_fused_fragmenter_cuts_the_fragments_whoosh_cuts():
    import random

    from whoosh import highlight

    from archive.synthetic import CorpusGenerator
    from search.backend import FastHighlighter, highlight_fragmenter

    backend = connections["default"].get_backend()
    if not backend.setup_complete:
        backend.setup()
    analyzer = backend.schema[backend.content_field_name].analyzer
    rng = random.Random(5)
    docs = list(CorpusGenerator(11).generate(25))
    bodies = ["\n\n".join([d.title, *d.paragraphs]) for d in docs]
    bodies += ["", "x", "humanitarian " * 60, "law. " * 300 + "humanitarian law"]
    bodies += ["Le Conseil condamne les bombardements internationaux. " * 40]
    # Ours, and shorter fragments, contexts and character limits: fragments that end on
    # maxchars, on the countdown at exactly zero, and texts cut by the limit.
    fragmenters = [
        highlight_fragmenter(),
        highlight.ContextFragmenter(maxchars=60, surround=15),
        highlight.ContextFragmenter(maxchars=30, surround=30),
        highlight.ContextFragmenter(maxchars=240, surround=80, charlimit=700),
    ]
    queries = [
        {"international"},
        {"humanitarian", "law"},
        {"civilian", "ceasefir", "refuge"},
        {"fr:international", "humanitarian"},
        {"nothingmatch"},
    ]
    for fragmenter in fragmenters:
        fast = FastHighlighter(fragmenter=fragmenter)
        for body in bodies:
            vocabulary = sorted({t.text for t in analyzer(body)}) or ["x"]
            for words in [*queries, set(rng.sample(vocabulary, min(3, len(vocabulary))))]:
                words = frozenset(words)
                expected = _shape(_whoosh_fragments(fast, analyzer, body, words))
                got = _shape(fast.fragments(analyzer, body, words))
                assert got == expected, (vars(fragmenter), body[:60], words)


def test_fragments_read_near_the_matches_are_whooshs_whatever_the_punctuation():
    """Highlights cut only the stretches around the words that match into words: texts with
    long runs of punctuation, lines without spaces, words joined by dots, accented and
    capital initials, matches at either end; the fragments stay Whoosh's."""
    import random

    from whoosh import highlight

    from search.backend import FastHighlighter, highlight_fragmenter

    backend = connections["default"].get_backend()
    if not backend.setup_complete:
        backend.setup()
    analyzer = backend.schema[backend.content_field_name].analyzer
    rng = random.Random(17)
    vocabulary = re.findall(
        r"\S+",
        "Law law laws lawful humanitarian Humanitarian HUMANITARIAN ceasefire cease-fire "
        "Énergie énergies energy U.N U.N.law law.U.N refugees Refugee refuge 2254 x_law "
        "Ælfric aelfric the of and in to a Geneva Genève internationaux international",
    )
    gaps = [" "] * 12 + ["\n\n", ", ", " — ", "...", "; ", "\t"]

    def text(words: int) -> str:
        return "".join(rng.choice(vocabulary) + rng.choice(gaps) for _ in range(words))

    texts = [text(rng.randint(1, 160)) for _ in range(80)]
    # Long runs of punctuation: where one is near a match, the whole text is read.
    texts += [
        text(30) + rng.choice(["." + "-" * 150 + " ", "!" * 90]) + text(30) for _ in range(12)
    ]
    texts += ["law", "law humanitarian", "-" * 500 + "law" + "-" * 500, "law" + "," * 400 + "law"]
    fragmenters = [
        highlight_fragmenter(),
        highlight.ContextFragmenter(maxchars=60, surround=15),
        highlight.ContextFragmenter(maxchars=30, surround=30),
        highlight.ContextFragmenter(maxchars=240, surround=80, charlimit=700),
    ]
    queries = [{"law"}, {"humanitarian", "ceasefir"}, {"energi", "fr:energ", "aelfric"}]
    queries += [{"u.n"}, {"2254", "x_law"}, {"refuge"}, {"fr:international", "genev"}]
    near = whole = 0
    for fragmenter in fragmenters:
        fast = FastHighlighter(fragmenter=fragmenter)
        for text in texts:
            for words in map(frozenset, queries):
                expected = _shape(_whoosh_fragments(fast, analyzer, text, words))
                assert _shape(fast.fragments(analyzer, text, words)) == expected, (text, words)
                if fast._near_words(analyzer, text, words) is None:
                    whole += 1
                else:
                    near += 1
    assert near > 2 * whole > 0  # both ways, mostly near the matches


def test_stems_keep_the_first_letter_of_their_word_outside_arabic():
    """Highlights look for a query's words among the words that start with the letter its
    terms start with (search.highlighting._finder): so no stem, English or French, may change
    a word's first letter, and no word character outside Arabic may normalize to nothing."""
    import itertools
    import random
    import sys

    from search.analysis import FRENCH_PREFIX, normalize, stems

    rng = random.Random(3)
    letters = "aeiouybcdgilmnqrstux"
    words = ["".join(w) for n in range(1, 5) for w in itertools.product("aeiouyslq", repeat=n)]
    words += ["".join(rng.choices(letters, k=rng.randint(2, 14))) for _ in range(20_000)]
    for word in words:
        for term in stems(word):
            assert term.removeprefix(FRENCH_PREFIX)[:1] == word[0], (word, term)
    emptied = [
        c
        for c in map(chr, range(0x2000))  # Latin, Greek, Cyrillic, Hebrew and more
        if (c.isalnum() or c == "_") and not "\u0600" <= c <= "\u06ff" and not normalize(c)
    ]
    assert emptied == [] and sys.maxunicode > 0x2000


def test_fragments_stay_whooshs_when_the_word_memo_is_emptied():
    """A worker's word memo is bounded: emptied when full (between two texts, never halfway
    through one), it relearns the words and cuts the same fragments."""
    from archive.synthetic import CorpusGenerator
    from search.backend import FastHighlighter, highlight_fragmenter

    backend = connections["default"].get_backend()
    if not backend.setup_complete:
        backend.setup()
    analyzer = backend.schema[backend.content_field_name].analyzer
    fast = FastHighlighter(fragmenter=highlight_fragmenter())
    fast.MEMO_LIMIT = 50  # smaller than one text's vocabulary
    words = frozenset({"civilian", "ceasefir", "refuge", "international"})
    for doc in CorpusGenerator(4).generate(6):
        body = "\n\n".join([doc.title, *doc.paragraphs])
        expected = _shape(_whoosh_fragments(fast, analyzer, body, words))
        assert _shape(fast.fragments(analyzer, body, words)) == expected
        vocabulary = set(fast._splitter(analyzer).split(body)[1::2])
        assert len(fast._memo) <= 50 + len(vocabulary)  # bounded: one text past the limit


def test_undated_communiques_sort_by_date_as_on_whooshs_own_path(client, settings, index):
    """A statement whose date extraction found nothing still sorts, and the same way."""
    from tests.search.factories import communique

    communique("Ceasefire statement, dated", ["A ceasefire."], date="2019-05-01")
    communique("Ceasefire statement, undated", ["A ceasefire too."], date=None)
    communique("Ceasefire statement, older", ["An early ceasefire."], date="2001-01-01")
    index()
    for params in ({"q": "ceasefire", "sort": "-date"}, {"sort": "date"}, {"sort": "-date"}):
        plain, fast = _both(client, settings, params)
        _same(plain, fast, params)
        assert fast["total"] == 3


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"date_from": "2013", "date_to": "2013"}, {"Last day of 2013", "First day of 2013"}),
        ({"date_from": "2013-12-31"}, {"Last day of 2013", "First day of 2014"}),
        ({"date_to": "2012-12-31"}, {"Last day of 2012"}),
        ({"date_from": "2013-02", "date_to": "2013-11"}, set()),
        (
            {"date_from": "1900"},
            {"Last day of 2012", "First day of 2013", "Last day of 2013", "First day of 2014"},
        ),
    ],
)
def test_date_ranges_end_on_the_right_day_on_both_paths(client, settings, index, dates, expected):
    """Date filters, read from the date column on the fast path: a statement on a range's
    first or last day is in it, one a day outside is not, and an undated one never is."""
    from tests.search.factories import communique

    for title, date in [
        ("Last day of 2012", "2012-12-31"),
        ("First day of 2013", "2013-01-01"),
        ("Last day of 2013", "2013-12-31"),
        ("First day of 2014", "2014-01-01"),
        ("Undated", None),
    ]:
        communique(title, ["A truce."], date=date)
    index()
    for params in (dates, {**dates, "q": "truce"}):
        plain, fast = _both(client, settings, params)
        _same(plain, fast, params)
        assert {r["title"] for r in fast["results"]} == expected, params


def test_a_page_cut_through_equal_dates_is_whooshs_page(client, settings, index):
    """Sorted pages sort only the documents that can reach the page: where the page ends
    inside a run of equal dates, the same documents, in the same order, as Whoosh's path."""
    from tests.search.factories import communique

    for n in range(15):
        communique(f"Truce statement {n}", ["A truce."], date="2012-03-01")
    for n in range(10):
        communique(f"Later truce statement {n}", ["A truce."], date="2014-07-01")
    index()
    for params in ({"sort": "-date"}, {"sort": "date"}, {"q": "truce", "sort": "-date"}):
        plain, fast = _both(client, settings, params)
        _same(plain, fast, params)
        assert len(fast["results"]) == 20 and fast["total"] == 25


# -- Scores, phrases and "more like this" on the vectorized path ------------------------------

SCORED = [
    "mercenaries",
    "international",
    '"humanitarian law"',
    '"humanitarian response plan"',
    '"international humanitarian law"',
    '"security council"',
    '"the security council"',
    "ceasefire refugees",
    "ceasefire OR refugees",
    "civilians NOT idlib",
    "NOT ceasefire",
    "title:ceasefire",
    "(geneva OR astana) talks",
]


def _backend():
    backend = connections["default"].get_backend()
    return backend, backend._current_searcher()


def _top_both(backend, searcher, q, limit=20):
    from search.fast import top

    mask, scores = backend._fast.scored(searcher, q)
    fast = top(mask, scores, limit)
    raw = searcher.search(q, limit=None)
    plain = [(h.score, h.docnum) for h in raw][:limit]
    return int(mask.sum()), len(raw), fast, plain


def _assert_same_ranking(fast, plain, label):
    assert [d for _, d in fast] == [d for _, d in plain], label
    for (a, _), (b, _) in zip(fast, plain, strict=True):
        # The same BM25F terms; only the order of a sum may differ (Whoosh adds along a
        # tree of matchers), so the last bit may.
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12), label


def test_scores_are_whooshs_own(archive):
    backend, searcher = _backend()
    nonempty = 0
    for text in SCORED:
        q = backend._parse(text)
        count_fast, count_plain, fast, plain = _top_both(backend, searcher, q)
        assert count_fast == count_plain, text
        _assert_same_ranking(fast, plain, text)
        nonempty += bool(plain)
    assert nonempty >= len(SCORED) - 2


def test_the_most_frequent_values_are_whooshs_whatever_the_limit(archive):
    """A facet's values, most frequent first and then by key, cut to the limit asked for:
    the fast path keeps only that many before sorting them; Whoosh's path sorts them all."""
    from search.facets import FACETS

    backend, searcher = _backend()
    fields = [facet.name for facet in FACETS]
    for text in ["international", "civilians", "*"]:
        q = backend._parse(text)
        mask = backend._fast.match(searcher, q)
        for size in (1, 3, 7, 40, None):
            wanted = {name: {"size": size} for name in fields}
            fast = backend._fast.facet_counts(searcher, {n: size for n in fields}, mask)
            plain = backend._facet_counts(searcher, q, wanted)["fields"]
            assert fast == plain, (text, size)
    assert len(plain["participant"]) > 40  # the cut applies where keys outnumber the limit


def test_phrases_need_adjacent_words_in_every_language(client, settings, index, caplog):
    from tests.search.factories import communique

    texts = {
        "en-yes": "The council recalls international humanitarian law and its duties.",
        "en-apart": "Humanitarian access and international law were discussed.",
        "en-reversed": "Law, humanitarian and international, in that order.",
        "en-long": "It calls on all parties to respect the ceasefire in Idlib.",
        "en-broken": "It calls on all parties. Parties to respect the ceasefire.",
        "fr-yes": "Le Conseil rappelle le droit international humanitaire.",
        "fr-apart": "Le droit des réfugiés et le travail international humanitaire.",
        "ar-yes": "يدعو المجلس إلى احترام القانون الدولي الإنساني في سوريا",
        "ar-apart": "القانون في سوريا الدولي والعمل الإنساني",
        "en-stop": "They affirm the right to return home.",
    }
    for name, text in texts.items():
        communique(f"Statement {name}", [text], language=name[:2])
    index()
    expectations = {
        '"international humanitarian law"': {"en-yes"},
        '"humanitarian law"': {"en-yes"},
        '"calls on all parties to respect the ceasefire"': {"en-long"},
        '"droit international humanitaire"': {"fr-yes"},
        '"القانون الدولي الإنساني"': {"ar-yes"},
        '"القانون الدولي"': {"ar-yes"},
        '"right of return"': {"en-stop"},  # stop words skipped, as docs/query-syntax.md says
    }
    for q, names in expectations.items():
        plain, fast = _both(client, settings, {"q": q})
        _same(plain, fast, {"q": q})
        assert {r["title"].removeprefix("Statement ") for r in fast["results"]} == names, q
    backend, searcher = _backend()
    assert backend._fast._shingles(searcher, backend.content_field_name)  # from the runs
    assert "rebuild_index" not in caplog.text


def _phrases_come_from_positions(client, settings, index, caplog) -> None:
    """Index two statements; phrases are answered from positions, as Whoosh answers them,
    and the log says how to have them answered from the runs again."""
    from tests.search.factories import communique

    communique("Old", ["The council recalls international humanitarian law."])
    communique("Apart", ["Humanitarian access and international law."])
    index()
    backend, searcher = _backend()
    assert backend._fast._shingles(searcher, backend.content_field_name) is None
    assert "python manage.py rebuild_index" in caplog.text
    for q in ('"international humanitarian law"', '"humanitarian law"'):
        plain, fast = _both(client, settings, {"q": q})
        _same(plain, fast, {"q": q})
        assert [r["title"] for r in fast["results"]] == ["Old"], q


def test_phrases_without_a_shingle_field_are_still_answered(
    client, monkeypatch, settings, index, caplog
):
    """An index written before the shingle field existed (until `rebuild_index`) answers
    phrases from positions, with the same results."""
    from search.analysis import SHINGLES_FIELD

    backend, _ = _backend()
    original = type(backend)._document

    def without_shingles(self, index, obj):
        document = original(self, index, obj)
        document.pop(SHINGLES_FIELD, None)
        return document

    monkeypatch.setattr(type(backend), "_document", without_shingles)
    _phrases_come_from_positions(client, settings, index, caplog)


def test_phrases_in_an_index_of_runs_written_as_words_are_still_answered(
    client, monkeypatch, settings, index, caplog
):
    """An index written before runs of words were hashed holds them as words joined by
    spaces, which no query asks for: until `rebuild_index`, phrases come from positions."""
    from search import analysis, bulk

    def as_words(value: int) -> bytes:  # a term with a space, as the words were
        return b"%x %x" % (value >> 32, value & 0xFFFFFFFF)

    monkeypatch.setattr(analysis, "shingle_term", as_words)
    monkeypatch.setattr(bulk, "shingle_term", as_words)
    # The rebuild's own writer of runs (search.runs) writes hashes alone.
    monkeypatch.setattr(bulk.HashedPostings, "write", bulk.HashedPostings.write_terms)
    _phrases_come_from_positions(client, settings, index, caplog)


def test_more_like_this_is_whooshs_own(archive, settings):
    from archive.models import Communique

    backend, _ = _backend()
    checked = 0
    for c in Communique.objects.published().order_by("pk")[:12]:
        settings.BAYAN_SEARCH_FAST = False
        plain = backend.more_like_this(c, end_offset=6)["results"]
        settings.BAYAN_SEARCH_FAST = True
        fast = backend.more_like_this(c, end_offset=6)["results"]
        assert [r.pk for r in fast] == [r.pk for r in plain], c.pk
        assert [r.score for r in fast] == pytest.approx([r.score for r in plain], rel=1e-12)
        assert str(c.pk) not in {r.pk for r in fast}
        checked += bool(plain)
    assert checked >= 10


def test_indexed_terms_are_the_analyzers():
    """The full-text field indexes without the token pipeline: the same terms, positions,
    weights and spelling words as Whoosh's TEXT field with the same analyzer."""
    from whoosh.fields import TEXT

    from search.analysis import language_tag, text_analyzer, text_field

    fast = text_field(spelling=True)
    plain = TEXT(analyzer=text_analyzer(), multitoken_query="or", spelling=True)
    texts = [
        "The Council condemns the bombing of Aleppo; U.N. envoys met in Genève (2254).",
        language_tag("fr") + "Le Conseil condamne les bombardements internationaux à Genève.",
        language_tag("ar") + "يدين المجلس القصف على حلب والمدنيين في سوريا ٢٢٥٤ وبالسوريين",
        "of the and a an to in -- 'quoted' e.g. N'Diaye al-Assad CAPITALS mixed123 x",
        "",
        "the of and",
        "Council councils COUNCIL met; the council's envoys met the councils again, met.",
        "U.N..S a.b.c. .x x. 1.5.2 ..a a.. _._ é.ü. Res.2254(2015) أ.ب مُحَمَّد.علي",
    ]
    for text in texts:
        assert list(fast.index(text)) == list(plain.index(text)), text
        assert list(fast.spellable_words(text)) == list(plain.spellable_words(text)), text
    boosted = text_field(field_boost=2.5)
    boosted_plain = TEXT(analyzer=text_analyzer(), field_boost=2.5)
    assert list(boosted.index(texts[-1])) == list(boosted_plain.index(texts[-1]))


def test_facet_keys_are_indexed_as_whooshs_comma_separated_keywords():
    """A facet field indexes without the token pipeline: the same terms, frequencies,
    weights and values as Whoosh's KEYWORD(commas=True), spaces and repeats included."""
    from whoosh.fields import KEYWORD

    from search.analysis import FacetKeysField

    fast, plain = FacetKeysField(), KEYWORD(commas=True)
    values = ["un-security-council", "syria,iraq,syria", " a b , c ,a b", "x,,y", ", ,", "é,ü"]
    for value in values:
        assert list(fast.index(value)) == list(plain.index(value)), value


def test_the_shingle_field_holds_every_run_of_two_and_three_words_terms():
    """Each run of 2 and 3 adjacent kept words, with every term of each word a phrase may
    match (Arabic alternatives too, never French stems), once per document: the term the
    phrase's words make (`shingle`)."""
    from itertools import product

    from search.analysis import (
        SHINGLE_SIZES,
        ShinglesField,
        document_words,
        language_tag,
        phrase_terms,
        shingle,
        shingle_term,
    )

    field = ShinglesField("text")
    texts = [
        "The Council condemns the bombing of Aleppo; U.N. envoys met in Genève (2254).",
        language_tag("fr") + "Le Conseil condamne les bombardements internationaux à Genève.",
        language_tag("ar") + "يدين المجلس القصف على حلب والمدنيين في سوريا وبالسوريين وبسوريا",
        "law and law and law and law",
        "one",
        "",
    ]
    for text in texts:
        _first, words, french = document_words(text)
        terms = [phrase_terms(word, french) for word in words]
        expected = {
            shingle(run)
            for size in SHINGLE_SIZES
            for start in range(len(terms) - size + 1)
            for run in product(*terms[start : start + size])
        }
        postings = list(field.index(text))
        assert [term for term, *_ in postings] == list(dict.fromkeys(t for t, *_ in postings))
        assert {term.decode() for term, *_ in postings} == expected, text
        # A rebuild reads the same runs as hashes, each time the text has them.
        hashes = field.hashes(text).tolist()
        assert {shingle_term(h).decode() for h in hashes} == expected, text
        if all(len(t) == 1 for t in terms):
            assert len(hashes) == sum(max(len(terms) - size + 1, 0) for size in SHINGLE_SIZES)
        assert {tuple(rest) for _term, *rest in postings} <= {(1, 1.0, b"")}
    _first, words, french = document_words(texts[2])
    assert any(len(phrase_terms(word, french)) > 1 for word in words)  # alternatives tried


def test_an_index_change_builds_tables_only_for_new_segments(archive, client, settings):
    """Segments never change: after a publish, a search reuses the tables of the segments it
    already read and builds only the new segment's, with the same answers as Whoosh."""
    from archive.models import Communique
    from search import queue

    backend = connections["default"].get_backend()
    api(client, q="international")
    before = {key: dict(tables) for key, tables in backend._segments._tables.items()}
    assert before and all(before.values())
    changed = Communique.objects.published().order_by("pk").first()
    changed.title = "A renamed statement on international mediation"
    changed.save()
    queue.index_now([changed.pk])
    plain, fast = _both(client, settings, {"q": "international"})
    _same(plain, fast, {"q": "international"})
    after = backend._segments._tables
    kept = [key for key in before if key in after]
    assert kept, "an unchanged segment's tables are kept"
    for key in kept:
        for kind, table in before[key].items():
            assert after[key][kind] is table  # reused, not rebuilt
    assert set(after) - set(before), "the new segment has its own tables"


def test_decoded_postings_stay_within_their_budget(archive):
    """The per-process memory for decoded postings is bounded (BAYAN_SEARCH_CACHE_MB): the
    least recently used terms go first, and answers do not change."""
    from search.fast import SegmentCache

    searcher = _backend()[1]
    leaf, _offset = searcher.reader().leaf_readers()[0]
    words = [w.decode() if isinstance(w, bytes) else w for w in leaf.lexicon("text")][:200]
    unbounded = SegmentCache(budget=2**30)
    expected = {w: unbounded.postings(leaf, "text", w)[0].tolist() for w in words}
    budget = 4096
    cache = SegmentCache(budget=budget)
    for w in words:
        assert cache.postings(leaf, "text", w)[0].tolist() == expected[w]
        assert cache._cached <= budget
    assert 0 < len(cache._postings) < len(words)
    assert (SegmentCache.key(leaf), "text", words[-1]) in cache._postings  # most recent kept


def test_postings_read_from_the_segment_bytes_are_whooshs(archive):
    """search.fast reads posting blocks straight from the segment (_read_blocks): for every
    term of every field, the same documents and weights as Whoosh's own matcher."""
    from search.fast import _leaf_postings

    _, searcher = _backend()
    checked = 0
    for leaf, _offset in searcher.reader().leaf_readers():
        for field, btext in leaf.all_terms():
            if field.startswith("spell_"):
                continue
            matcher = leaf.postings(field, btext)
            ids, weights = [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
            fast_ids, fast_weights = _leaf_postings(leaf, field, btext)
            assert fast_ids.tolist() == ids, (field, btext)
            assert fast_weights.tolist() == weights, (field, btext)
            checked += 1
    assert checked > 1000


def test_a_fields_lists_read_in_one_walk_are_whooshs(archive):
    """Facet tables read every posting list of a field in one walk of its terms (_field_ids):
    for every field, the same terms in the same order, each with the documents of Whoosh's own
    matcher, lists of several blocks included."""
    from search.fast import _field_ids

    _, searcher = _backend()
    longest = 0
    for leaf, _offset in searcher.reader().leaf_readers():
        for field in leaf.indexed_field_names():
            expected = []
            for btext in leaf.lexicon(field):
                expected.append((btext, list(leaf.postings(field, btext).all_ids())))
            walked = list(_field_ids(leaf, field))
            assert walked == expected, field
            longest = max([longest, *(len(ids) for _b, ids in walked)])
    assert longest > 128  # Whoosh's block size: some list spans several blocks


def test_suggestions_are_whooshs_own(client, settings, index):
    """A misspelled word gets what Whoosh's corrector suggests, words of every segment
    weighed: the words within two edits (a transposition is one), the most frequent, and the
    last in order among equally frequent ones."""
    from tests.search.factories import communique

    communique("Truce", ["The ceasefire holds; negotiations on humanitarian access. Bat cab."])
    index()
    communique("Talks", ["The ceasefire, the ceasefire! Negotiation rounds; car access."])
    index()
    backend = connections["default"].get_backend()
    segments = len(backend._current_searcher().reader().leaf_readers())
    typos = ["ceasfire", "caesefire", "negotiatons", "negotiaton", "humanitrian", "acess"]
    typos += ["cax", "ba", "zzzzunknown", "x", "ceasefire negotiatons"]
    suggested = []
    for word in typos:
        settings.BAYAN_SEARCH_FAST = False
        plain = api(client, q=word)["suggestion"]
        settings.BAYAN_SEARCH_FAST = True
        assert api(client, q=word)["suggestion"] == plain, word
        suggested.append(plain)
    assert segments == 2
    assert suggested[0] == suggested[1] == "ceasefire"
    assert suggested[6] == "car"  # bat, cab and car each once: the last of them
    assert suggested[8] is None and sum(s is not None for s in suggested) >= 7


@given(st.text("abcé", max_size=7), st.text("abcé", max_size=7))
@hypothesis_settings(max_examples=400, deadline=None)
def test_edits_are_counted_as_whoosh_counts_them(a, b):
    from rapidfuzz.distance import OSA
    from whoosh.support.levenshtein import damerau_levenshtein

    whoosh = damerau_levenshtein(a, b, limit=2)
    assert (OSA.distance(a, b) <= 2) == (whoosh <= 2)
    if whoosh <= 2:
        assert OSA.distance(a, b) == whoosh
