"""How text becomes searchable terms, for Arabic, French and English, in one place.

One Whoosh index holds communiqués in several languages, and a query does not say which
language it is in, so every full-text field shares ONE analyzer that decides per word, by
script, what to do:

1. tokenize: runs of letters and digits, keeping Arabic diacritics inside their word (a
   plain `\\w+` would cut "كَتَبَ" into single letters), and "U.N." together as before;
2. lowercase;
3. normalize (`normalize`): Arabic diacritics (tashkeel U+064B–U+065F, the dagger alef
   U+0670, Quranic marks) and tatweel removed; أ إ آ ٱ -> ا, ؤ -> و, ئ -> ي, ى -> ي, ة -> ه;
   Persian ی ک -> ي ك; Arabic-Indic and Persian digits -> 0-9 ("٢٢٥٤" is "2254"); accents
   folded in Latin script ("Genève" is "geneve");
4. drop stop words: the usual English ones and a few French and Arabic function words;
5. stem (`stems`), the only morphological step (skipped for spelling suggestions):
   - Arabic: a light stemmer in the manner of Light10 (Larkey, Ballesteros and Connell):
     the article with its proclitics (وال، بال، كال، فال، لل، ال …) and common suffixes
     (ها، ان، ات، ون، ين، يه، ه، ي) are stripped while at least three letters remain. A bare
     one-letter proclitic (و، ف، ب، ل، ك) cannot be told from a root letter ("وزير" is a
     minister, "بيان" a statement), so its removal is an *alternative* term, not a rewrite;
   - Latin script: the English Porter stem ("bombing" -> "bomb") for every document; a
     document in French (its full text starts with `language_tag("fr")`) also holds the
     French Snowball stem of each word, as an alternative kept apart as "fr:<stem>"
     ("internationaux" -> "fr:international"), so that French stems only meet French stems.

Alternatives are extra terms at the same position. The index holds them, and a single-word
query asks for any of them (the text field's `multitoken_query="or"`; a query word may be
French, so it always asks for its "fr:" stem too): "سوريا" finds "بسوريا", "internationales"
finds "internationaux" in a French communiqué, and "geneva" still does not find an English
"Genève". Whoosh builds phrase queries from the list of tokens, ignoring positions, and asks
for character offsets when it does: there only the main term of each word is produced, and
every document holds main terms, so phrases work in every language.

Changing anything here changes the terms: rebuild the index (`manage.py rebuild_index`).

Elasticsearch and Solr cannot choose a stemmer per token this way; `search.engines`
declares their equivalents: one sub-field per language, all searched at once.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict, deque
from functools import lru_cache
from itertools import compress, count, product, repeat
from operator import mul

import numpy as np
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.fields import ID, KEYWORD, TEXT
from whoosh.formats import Positions
from whoosh.lang.porter import stem as porter_stem
from whoosh.lang.snowball.french import FrenchStemmer
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map
from whoosh.system import pack_uint

# -- Normalization ----------------------------------------------------------------------------

# Tashkeel (fathatan .. sukun, and the rarer marks up to U+065F), the superscript (dagger)
# alef and the Quranic annotation signs; tatweel is a stretched joiner with no meaning.
_ARABIC_MARKS = "\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"
_STRIP = re.compile(f"[{_ARABIC_MARKS}\u0640]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ى": "ي",
        "ة": "ه",
        "ی": "ي",  # Persian yeh
        "ک": "ك",  # Persian kaf
        **{chr(0x0660 + n): str(n) for n in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + n): str(n) for n in range(10)},  # Persian digits
    }
)
# A word character, or an Arabic mark inside a word (marks are not \w in Python's re).
_W = rf"[\w{_ARABIC_MARKS}]"
TOKEN_PATTERN = rf"{_W}+(?:\.?{_W}+)*"


def normalize(text: str) -> str:
    """Lower case, Arabic letters and digits unified, Latin accents folded."""
    return _STRIP.sub("", text.lower()).translate(_FOLD).translate(accent_map)


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in word)


# -- Stop words -------------------------------------------------------------------------------

# Function words only: nothing that is also a name ("علي" is Ali as well as "on").
_FRENCH_STOP = (
    "le la les de des du un une et au aux en est sont par pour sur dans que qui qu ce cette ces "
    "ses leur leurs avec ne pas il elle ils elles nous vous"
)
_ARABIC_STOP = "في من الي عن مع ان التي الذي الذين هذا هذه ذلك تلك او ثم قد كما حيث"
STOP_WORDS = frozenset(
    {
        *stoplists["en"],
        *(normalize(w) for w in _FRENCH_STOP.split()),
        *(normalize(w) for w in _ARABIC_STOP.split()),
    }
)

# -- Stemming ---------------------------------------------------------------------------------

_MIN_STEM = 3  # letters an Arabic stem keeps at least
# Longest first: the article with a proclitic before the bare article.
_ARTICLES = ("وبال", "وكال", "ولل", "وال", "بال", "كال", "فال", "لل", "ال")
# Light10's suffixes, tried in this order, each at most once.
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
_PROCLITICS = "وفبلك"
_french = FrenchStemmer().stem


def _strip_article(word: str) -> tuple[str, bool]:
    for article in _ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 2:
            return word[len(article) :], True
    return word, False


@lru_cache(maxsize=100_000)
def arabic_stem(word: str) -> str:
    """The light stem of a normalized Arabic word: article and common suffixes removed."""
    word, _ = _strip_article(word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
    return word


def _arabic_alternatives(word: str) -> list[str]:
    """Stems of the word without a one-letter proclitic: و or ف, then maybe ب ل ك.

    "وبسوريا" -> "بسوريا", "سوريا". Not when the word starts with the article, which the
    main stem already removed with its proclitics ("والائتلاف", "للائتلاف").
    """
    if _strip_article(word)[1]:
        return []
    out, rest = [], word
    for letters in (_PROCLITICS, "بلك"):
        if rest[0] not in letters or len(rest) - 1 < _MIN_STEM or _strip_article(rest)[1]:
            break
        first, rest = rest[0], rest[1:]
        out.append(arabic_stem(rest))
        if first not in "وف":  # only a conjunction is followed by a second proclitic
            break
    return out


# French stems live apart from English ones, so that they only ever meet each other: an
# English "geneva" must not find an English "Genève" through the French "genev".
FRENCH_PREFIX = "fr:"


@lru_cache(maxsize=200_000)
def stems(word: str, french: bool = True) -> tuple[str, ...]:
    """The main term of a normalized word, then its alternatives, without repeats.

    With `french`, a Latin-script word also gets its French Snowball stem, as "fr:stem":
    a query asks for it (it may be French), a French document holds it, others do not.
    """
    if _is_arabic(word):
        return tuple(dict.fromkeys([arabic_stem(word), *_arabic_alternatives(word)]))
    if not word.isalpha():
        return (word,)
    if french:
        return (porter_stem(word), FRENCH_PREFIX + _french(word))
    return (porter_stem(word),)


# -- The document's language ------------------------------------------------------------------

# A full-text value may start with its document's language: TAG + "fr" + TAG. The tokenizer
# reads and skips it; a private-use character no communiqué contains.
_TAG = "\ue002"


def language_tag(language: str) -> str:
    """The prefix that tells the analyzer a document's language (empty when unknown)."""
    code = (language or "").split("-")[0].lower()
    return f"{_TAG}{code}{_TAG}" if code.isalpha() else ""


class TaggedTokenizer(RegexTokenizer):
    """Words, as RegexTokenizer; a leading language tag sets `token.language` for them all."""

    def __call__(self, value, start_char=0, **kwargs):
        language = ""
        if value.startswith(_TAG):
            end = value.find(_TAG, 1)
            if end > 0:
                language = value[1:end]
                start_char += end + 1
                value = value[end + 1 :]
        return super().__call__(value, start_char=start_char, language=language, **kwargs)


# -- The Whoosh analyzer ----------------------------------------------------------------------


class NormalizeFilter(Filter):
    """Arabic letters and digits unified, diacritics and accents removed (see `normalize`)."""

    def __call__(self, tokens):
        for t in tokens:
            text = normalize(t.text)
            if text:
                t.text = text
                yield t


class ScriptStemFilter(Filter):
    """The main stem of each word, then its alternatives at the same position.

    Alternatives go to the index, to highlighting and to single-word queries; phrase queries
    (which Whoosh tokenizes with chars=True, reading tokens as consecutive words) get the main
    term only. French stems: for queries, for documents tagged French (`language_tag`) and
    for highlighting.
    """

    is_morph = True

    def __call__(self, tokens):
        for t in tokens:
            if t.stopped:
                yield t
                continue
            language = getattr(t, "language", "")
            # Untagged text read with character offsets is a highlight: its document may be
            # French, and a word found through its French stem must be marked.
            french = t.mode == "query" or language == "fr" or (not language and t.chars)
            terms = stems(t.text, french)
            t.text = terms[0]
            yield t
            if len(terms) > 1 and not (t.mode == "query" and t.chars):
                for alternative in terms[1:]:
                    t.text = alternative
                    yield t


def text_analyzer():
    """The analyzer of every full-text field (index and query alike)."""
    return (
        TaggedTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | NormalizeFilter()
        | StopFilter(stoplist=STOP_WORDS)
        | ScriptStemFilter()
    )


def text_field(**options) -> TEXT:
    """A full-text field: the shared analyzer; a word with alternatives matches any of them."""
    return FullTextField(analyzer=text_analyzer(), multitoken_query="or", **options)


# -- Indexing without the per-token pipeline --------------------------------------------------
#
# Whoosh runs a document through the analyzer token by token, each token passing through a
# chain of generators: about half of indexing time (profiled), paid again for the spelling
# words and for "more like this". Every step works on one word at a time, so a word's terms
# are computed once per distinct word (`_kept`, `stems`: memoized) and a document is only cut
# into words with the tokenizer's expression. The result is the analyzer's own, position for
# position: tests/search/test_fast_path.py compares them.

# TOKEN_PATTERN's tokens, by an equivalent expression that finds them in a quarter less time
# (measured): a run of word characters is always taken whole, so TOKEN_PATTERN's optional dot
# between two runs only ever matches a dot, and nothing is tried again (possessive). The
# analyzer keeps TOKEN_PATTERN itself: indexes hold it in their schema.
_TOKENS = re.compile(rf"{_W}++(?:\.{_W}++)*+")


# Bounded like `stems`: a worker's memory must level off whatever the archive's vocabulary.
@lru_cache(maxsize=200_000)
def _kept(word: str) -> str:
    """A word as lowercasing and normalization leave it; "" when it is dropped (nothing left,
    or a stop word: StopFilter drops words shorter than 2 characters too)."""
    text = normalize(word)
    return text if len(text) >= 2 and text not in STOP_WORDS else ""


def _untag(value: str) -> tuple[str, str]:
    """(language, text) of a full-text value that may start with `language_tag`."""
    if value.startswith(_TAG):
        end = value.find(_TAG, 1)
        if end > 0:
            return value[1:end], value[end + 1 :]
    return "", value


_last: tuple = (None, None)


def document_words(value: str) -> tuple[int, list[str], bool]:
    """How the analyzer indexes `value`: (position of the first kept word, the kept words in
    order, whether French stems apply). StopFilter renumbers, so the kept words stand at
    consecutive positions from the first one's.

    The last answer is kept: a document's full text is read by its field, its spelling words
    and its shingle field one after the other."""
    global _last
    if _last[0] is value:
        return _last[1]
    language, text = _untag(value)
    # In C, token by token: the pattern has no group, so findall gives the whole tokens.
    kept = list(map(_kept, _TOKENS.findall(text)))
    first = next(compress(count(), kept), 0)
    answer = (first, list(filter(None, kept)), language == "fr")
    _last = (value, answer)
    return answer


class FullTextField(TEXT):
    """A TEXT field whose terms come from `document_words` instead of the token pipeline."""

    def index(self, value, **kwargs):
        if kwargs or not self.positioned(value):
            return super().index(value, **kwargs)
        positions = self.positions(value)
        # Positions.word_values: one boost of 1.0 per occurrence, times the field's boost.
        counts = list(map(len, positions.values()))
        boost = self.format.field_boost
        return zip(
            map(str.encode, positions),
            counts,
            map(mul, counts, repeat(boost)) if boost != 1.0 else map(float, counts),
            # Not memoized: a term stands at one position in only a third of the cases here,
            # and a memo of the encoded lists missed so often that it cost more than it saved
            # (a full text: 1.90 ms with it, 1.36 ms without, medians of six runs in turns).
            map(self.format.encode, positions.values()),
            strict=True,
        )

    @property
    def has_positions(self) -> bool:
        """Whether the field's format is Whoosh's Positions, which `positions` gives."""
        return type(self.format) is Positions

    def positioned(self, value) -> bool:
        """Whether `positions` indexes this value."""
        return isinstance(value, str) and self.has_positions

    def positions(self, value: str) -> dict[str, list[int]]:
        """Each term of the value and its positions, in order: what `index` encodes."""
        first, words, french = document_words(value)
        # Each word's positions first, gathered in C (each position appended to its word's
        # list through map), then each distinct word's terms: a communiqué has some 550 kept
        # words but 250 distinct ones. A term two words share (council, councils) holds the
        # positions of both, in order; the terms come in the order of their first position,
        # as Whoosh's analyzer gives them.
        spots: defaultdict[str, list[int]] = defaultdict(list)
        deque(map(list.append, map(spots.__getitem__, words), count(first)), maxlen=0)
        positions: dict[str, list[int]] = {}
        for word, found in spots.items():
            for term in stems(word, french):
                held = positions.get(term)
                positions[term] = found if held is None else sorted(held + found)
        return positions

    def spellable_words(self, value):
        if not isinstance(value, str):
            return super().spellable_words(value)
        return iter(sorted(set(document_words(value)[1])))


# -- Facet keys -------------------------------------------------------------------------------


class FacetKeysField(KEYWORD):
    """A facet's keys, comma-separated (KEYWORD(commas=True)), indexed without the token
    pipeline: a communiqué has nine such fields, and a token generator, a filter and a
    format's counting for each of its few keys were a twentieth of adding a document to a
    rebuild (profiled). The terms are Whoosh's, frequencies and values too (a test compares
    them)."""

    def __init__(self, stored: bool = False):
        super().__init__(commas=True, stored=stored)

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        # CommaSeparatedTokenizer: each run of characters between commas, stripped.
        counts = Counter(key.strip() for key in value.split(",") if key)
        boost = self.format.field_boost
        # Frequency.word_values: the count, a boost of 1.0 per occurrence times the field's,
        # and the count packed.
        return [(key.encode(), n, n * boost, pack_uint(n)) for key, n in counts.items()]


# -- Phrases ----------------------------------------------------------------------------------
#
# Whoosh answers a phrase by reading the positions of its words in every document that has
# them all (about a second at 50,000 documents for two common words). The index also holds
# each run of two and of three adjacent words as one term (a shingle), so that a phrase of
# two or three words is one posting list, and a longer one is checked position by position
# only where all its three-word runs are (search.fast).
#
# A run's term is a 64-bit hash of its terms, in 16 hex digits. A communiqué has a thousand
# runs: as strings, each joined, encoded and looked up in the segment's table of terms, they
# took 1.4 ms of the 9.5 ms of CPU a rebuild spent on a communiqué (timed). Hashed, a
# document's runs are a few numpy operations on its words' hashes, which a rebuild's segment
# gathers and sorts as numbers (search.bulk.HashedPostings). Two different runs share a hash
# with a chance of about one in 4,000 among a hundred million distinct runs (n^2 / 2^65, a
# million communiqués); a phrase would then also find the other run's documents.

SHINGLES_FIELD = "text_shingles"
SHINGLE_SIZES = (2, 3)
SHINGLE_TERM_SIZE = 16  # a 64-bit hash in hex digits
_HEX = f"%0{SHINGLE_TERM_SIZE}x"
_MASK = (1 << 64) - 1
# A run's hash: its first term's, then for each next term SplitMix64's finalizer (a bijection
# that mixes every bit into every other) of hash * K + term's hash, K odd.
_K = 0x9E3779B97F4A7C15
_M1, _M2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def shingle(terms) -> str:
    """The shingle field's term for a run of adjacent terms."""
    return _HEX % _run_hash(terms)


def _run_hash(terms) -> int:
    terms = iter(terms)
    value = _term_hash(next(terms))
    for term in terms:
        value = _mix(value, _term_hash(term))
    return value


def shingle_term(value: int) -> bytes:
    """The shingle field's term, as the index holds it, for a run's hash."""
    return (_HEX % value).encode()


def shingle_terms(hashes: np.ndarray) -> np.ndarray:
    """`shingle_term` of each of these hashes, at once (bytes of SHINGLE_TERM_SIZE)."""
    digits = hashes.astype(">u8").tobytes().hex().encode()
    return np.frombuffer(digits, f"S{SHINGLE_TERM_SIZE}")


@lru_cache(maxsize=200_000)
def _term_hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "big")


def _mix(run: int, term: int) -> int:
    z = (run * _K + term) & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def _mix_arrays(runs: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """`_mix` of each pair, in numpy's 64-bit arithmetic (which wraps, as `& _MASK` does)."""
    z = runs * np.uint64(_K) + terms
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
    return z ^ (z >> np.uint64(31))


class ShinglesField(ID):
    """Runs of two and three adjacent words of a full-text value, each one term (`shingle`):
    every term of a word (its alternatives too, which Whoosh's phrase matching also finds at
    that position) with every term of the next ones, except French "fr:" stems, which phrase
    queries never ask for."""

    def __init__(self, source: str):
        super().__init__(stored=False)
        self.source = source

    def hashes(self, value) -> np.ndarray:
        """The hashes of the value's runs, in no order, a run found twice in it twice."""
        _first, words, french = document_words(value)
        single = list(map(_phrase_hash, words, repeat(french)))
        if None not in single:
            # The usual case, every word one term: pairs and triples of the words' hashes.
            single = np.array(single, dtype=np.uint64)
            pairs = _mix_arrays(single[:-1], single[1:])
            return np.concatenate([pairs, _mix_arrays(pairs[:-1], single[2:])])
        # A word with alternatives (Arabic): every combination of the run's terms.
        terms = list(map(phrase_terms, words, repeat(french)))
        runs = [
            _run_hash(run)
            for size in SHINGLE_SIZES
            for start in range(len(terms) - size + 1)
            for run in product(*terms[start : start + size])
        ]
        return np.array(runs, dtype=np.uint64)

    def index(self, value, **kwargs):
        """Whoosh's postings of the value (for its own writer; a rebuild reads `hashes`)."""
        terms = map(shingle_term, np.unique(self.hashes(value)).tolist())
        # Tuples made in C: (term, frequency, weight, value) of a posting without positions.
        return zip(terms, repeat(1), repeat(1.0), repeat(b""))


@lru_cache(maxsize=200_000)
def phrase_terms(word: str, french: bool) -> tuple[str, ...]:
    """The terms of a kept word that phrases match: all of them but the French "fr:" stems."""
    return tuple(t for t in stems(word, french) if not t.startswith(FRENCH_PREFIX))


@lru_cache(maxsize=200_000)
def _phrase_hash(word: str, french: bool) -> int | None:
    """The hash of a kept word's phrase term; None when it has several."""
    terms = phrase_terms(word, french)
    return _term_hash(terms[0]) if len(terms) == 1 else None


def hashed_runs(leaf, field: str) -> bool:
    """Whether a segment's shingle field holds hashes: an index written before runs were
    hashed holds their words, joined by spaces, which no query asks for any more."""
    first = next(iter(leaf.lexicon(field)), None)
    return first is None or b" " not in first


def shingles_field_of(schema, field: str) -> str | None:
    """The name of the shingle field of `field` in this schema, if it has one."""
    for name, candidate in schema.items():
        if isinstance(candidate, ShinglesField) and candidate.source == field:
            return name
    return None


def spelling_form(word: str) -> str:
    """A query word as the spelling dictionary holds it: normalized, not stemmed."""
    return normalize(word)
