"""Highlighted fragments: marked with private-use characters, and computed without running
the analyzer over every word of every hit (FastHighlighter)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import deque
from functools import lru_cache
from itertools import accumulate, compress

from whoosh import highlight

from search.analysis import FRENCH_PREFIX, TOKEN_PATTERN, normalize

# Highlight markers: private-use characters no communiqué contains, so that the service can
# escape the whole fragment and only then turn these into <mark> elements.
MARK_START, MARK_END = "\ue000", "\ue001"


class MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


_ASCII = bytes(range(128))
_ARABIC = re.compile("[\u0600-\u06ff]")
_NO_WORD = re.compile("(?!)")
# After a word's first character: it starts a word, following neither a word character nor
# a dot joined to one ("U.N" is one word), as TOKEN_PATTERN cuts a text without Arabic marks
# (its only characters besides \w).
_AFTER_WORD_START = r"(?<!\w(?s:.))(?<!\w\.(?s:.))"
# TOKEN_PATTERN as a group (to split on) for a text without Arabic characters, which are its
# only ones besides \w: the same words, cut a sixth faster, and a fifth faster again taken
# possessively as search.analysis._TOKENS takes them (measured).
_LATIN_WORDS = re.compile(r"(\w++(?:\.\w++)*+)")


@lru_cache(maxsize=4096)
def _initial(char: str) -> str:
    """The first character of a word that starts with `char`, once normalized ("" when no
    word starts with it: not a word character, \\w)."""
    return normalize(char)[:1] if char.isalnum() or char == "_" else ""


_ASCII_WORD = [c for c in map(chr, range(128)) if _initial(c)]  # \w in ASCII


@lru_cache(maxsize=1024)
def _starting_with(chars: str) -> re.Pattern:
    """An expression for the whole words that start with one of `chars`."""
    if not chars:
        return _NO_WORD
    return re.compile(f"[{re.escape(chars)}]{_AFTER_WORD_START}" + r"\w*(?:\.\w+)*")


# A matched token's attributes, as Token(boost=1.0, matched=True) sets them: a token is made
# from these for each match (Token's __init__, with its keyword arguments, cost three times
# as much, measured).
_MATCHED = highlight.Token(boost=1.0, matched=True).__dict__


class FastHighlighter(highlight.Highlighter):
    """Whoosh's highlighter, with the text's tokens produced without re-running the analyzer
    over every word of every hit.

    Whoosh re-analyzes a hit's whole text to find the words to mark (two thirds of a
    highlighted search, profiled). The analyzer works word by word (a tokenizer, then
    per-token filters), so the terms of a word are memoized per distinct word: the text is
    only cut into words with the tokenizer's expression (and only near the words that match,
    `_near_words`), and each word's terms come from the memo. Scores and output are then
    Whoosh's own code. tests/search/test_fast_path.py checks that the token stream equals
    the analyzer's, and the fragments Whoosh's.
    """

    MEMO_LIMIT = 200_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._memo: dict[str, tuple[tuple[str, bool], ...]] = {}
        # The memo turned around: the words seen so far that give each term.
        self._forms: dict[str, set[str]] = {}
        self._termless: set[str] = set()  # the words seen so far that give no term
        # Each word's width: its length times its number of terms (one pass over a text's
        # words where sizes and counts took three).
        self._widths: dict[str, int] = {}
        self._splitters: dict[str, re.Pattern] = {}

    @staticmethod
    def supported(analyzer) -> bool:
        items = getattr(analyzer, "items", None)
        return bool(items) and hasattr(items[0], "expression")

    def tokens(self, analyzer, text):
        """The analyzer's tokens of `text` (index mode, stop words kept, with characters)."""
        memo = self._memo
        token = highlight.Token(positions=True, chars=True, removestops=False, mode="index")
        for pos, match in enumerate(analyzer.items[0].expression.finditer(text)):
            word = match.group(0)
            terms = memo.get(word)
            if terms is None:
                terms = self._terms(analyzer, word)
            for term, stopped in terms:
                token.text = term
                token.stopped = stopped
                token.startchar = match.start()
                token.endchar = match.end()
                token.pos = pos
                token.boost = 1.0
                yield token

    def fragments(self, analyzer, text, words) -> list:
        """Whoosh's set_matched_filter | _merge_matched_tokens | ContextFragmenter's
        fragment_tokens, ported into one pass over the memoized tokens. The same fragments:
        tests/search/test_fast_path.py.

        Whoosh's loop takes every word of the text. Here only the words that can change
        more than lengths are taken one token at a time: the matched words, and words of
        several terms (or none). A run of other words between them only feeds the context
        kept before a fragment, or adds its words' lengths to the fragment in progress, so
        the run is jumped in one step: where it ends the fragment, or crosses the character
        limit, is a bisection of the words' running lengths."""
        fragmenter = self.fragmenter
        maxchars, surround, charlimit = (
            fragmenter.maxchars,
            fragmenter.surround,
            fragmenter.charlimit,
        )
        words_of = self._near_words(analyzer, text, words)
        if words_of is None:
            words_of = self._all_words(analyzer, text, 0, len(text))
        texts, starts, ends = words_of
        distinct = set(texts)
        hot_words = self._hot_words(analyzer, distinct, words)
        if not hot_words:
            return []  # nothing matched: Whoosh's loop emits no fragment either
        special = hot_words | distinct.intersection(self._termless)
        count = len(texts)
        memo = self._memo
        # A word of k terms is k tokens, each emitted with the word's length (its width):
        # lengths[j] is the sum over the words before word j.
        lengths = list(accumulate(map(self._widths.__getitem__, texts), initial=0))

        mkfrag, Token, new_token = highlight.mkfrag, highlight.Token, highlight.Token.__new__
        out: list = []
        first = None
        firsts: deque = deque()
        countdown = -1
        tks: list = []
        last_end = None
        currentlen = 0
        stopped = False

        def emit(startchar, endchar, token):  # token: None for an unmatched word
            nonlocal first, firsts, countdown, tks, last_end, currentlen, stopped
            if stopped:
                return
            last_end = endchar
            tlength = endchar - startchar
            if charlimit and endchar > charlimit:
                stopped = True
                return
            if countdown < 0 and token is None:
                firsts.append(startchar)
                while firsts and endchar - firsts[0] > surround:
                    firsts.popleft()
            elif currentlen + tlength > maxchars:
                countdown = 0
            elif token is not None:
                countdown = surround
                if first is None:
                    if firsts:
                        first = firsts[0]
                    else:
                        first = startchar
                        countdown += surround
                tks.append(token)  # made for this word alone, never changed once emitted
            if countdown >= 0:
                currentlen += tlength
                countdown -= tlength
                if countdown <= 0:
                    out.append(mkfrag(text, tks, startchar=first, endchar=endchar))
                    tks = []
                    firsts = deque()
                    first = None
                    currentlen = 0

        def run(a: int, b: int) -> None:
            """emit(word, None) for each token of the unmatched words a..b-1, in a few steps."""
            nonlocal first, firsts, countdown, tks, last_end, currentlen, stopped
            # The words before `limit` end within the character limit.
            limit = bisect_right(ends, charlimit, a, b) if charlimit else b
            while a < limit:
                if countdown < 0:
                    # Outside a fragment the words only feed `firsts`: those still within
                    # `surround` characters of the last word's end remain (only the first of
                    # them, and whether there is one, is ever read).
                    last_end = ends[limit - 1]
                    horizon = last_end - surround
                    kept = [x for x in firsts if x >= horizon]
                    firsts = deque(kept + starts[bisect_left(starts, horizon, a, limit) : limit])
                    a = limit
                    break
                # Inside: each token adds its word's length; the fragment ends at the first
                # token that overflows maxchars, or that runs the countdown down to zero.
                base = lengths[a]
                over = down = (limit, 0)  # (word, which of its tokens), or none in the run
                j = bisect_right(lengths, maxchars - currentlen + base, a + 1, limit + 1) - 1
                if j < limit:
                    over = (j, (maxchars - currentlen - lengths[j] + base) // len(texts[j]) + 1)
                j = bisect_left(lengths, countdown + base, a + 1, limit + 1) - 1
                if j < limit:
                    # At least the first token: after a fragment that ended with the
                    # countdown at exactly 0, the next token ends an empty one (as in Whoosh).
                    down = (j, max(1, -(-(countdown - lengths[j] + base) // len(texts[j]))))
                j, token_number = min(over, down)  # a tie is an overflow: Whoosh checks it first
                if j >= limit:  # the run ends first
                    added = lengths[limit] - base
                    currentlen += added
                    countdown -= added
                    last_end = ends[limit - 1]
                    a = limit
                    break
                size = len(texts[j])
                before = lengths[j] - base + (token_number - 1) * size  # the tokens before it
                if (j, token_number) == over:  # countdown 0, then the token's length
                    countdown = -size
                else:
                    countdown -= before + size
                last_end = ends[j]
                out.append(mkfrag(text, tks, startchar=first, endchar=last_end))
                tks = []
                firsts = deque()
                first = None
                currentlen = 0
                for _ in range(len(memo[texts[j]]) - token_number):  # the word's other tokens
                    emit(starts[j], last_end, None)
                a = j + 1
            if limit < b:  # this word ends past the character limit: Whoosh stops there
                last_end = ends[limit]
                stopped = True

        pending = None
        pos = 0
        taken = compress(range(count), map(special.__contains__, texts))  # in C, word by word
        for target in [*taken, count]:
            if pos < target:
                if pending is not None:
                    emit(pending.startchar, pending.endchar, pending)
                    pending = None
                if not stopped:
                    run(pos, target)
            if stopped or target == count:
                break
            terms = memo[texts[target]]  # _hot_words learned every word of the text
            s, e = starts[target], ends[target]
            for term, stop in terms:
                if term not in words:
                    if pending is not None:
                        emit(pending.startchar, pending.endchar, pending)
                        pending = None
                    emit(s, e, None)
                    continue
                token = new_token(Token)
                token.__dict__ = {
                    **_MATCHED,
                    "text": term,
                    "startchar": s,
                    "endchar": e,
                    "pos": target,
                    "stopped": stop,
                }
                if pending is None:
                    pending = token
                elif s <= pending.endchar:
                    if e > pending.endchar:
                        pending.text += term[pending.endchar - e :]
                        pending.endchar = e
                else:
                    emit(pending.startchar, pending.endchar, pending)
                    pending = None
                    emit(s, e, token)
            pos = target + 1
        if pending is not None:
            emit(pending.startchar, pending.endchar, pending)
        if tks:
            out.append(mkfrag(text, tks, startchar=first, endchar=last_end))
        return out

    def _all_words(
        self, analyzer, text, lo, hi, splitter=None
    ) -> tuple[list[str], list[int], list[int]]:
        """The words of text[lo:hi] (lo and hi outside any word), their starts and ends;
        `splitter` for the analyzer's own expression as a group (_splitter)."""
        # No Python step per word: split() on the expression as a group alternates gaps and
        # words, and the running sum of their lengths gives every word's start and end (what
        # finditer's spans give, a word at a time).
        pieces = (splitter or self._splitter(analyzer)).split(text[lo:hi])
        offsets = list(accumulate(map(len, pieces), initial=lo))
        return pieces[1::2], offsets[1:-1:2], offsets[2::2]

    def _near_words(self, analyzer, text, words):
        """The words of `text` that can shape its fragments, with their starts and ends: each
        word that gives one of `words`, the words before it within the fragmenter's
        `surround`, and after it enough to end its fragment. None when the whole text must be
        read (a text cut by the character limit, with Arabic words, or a match with an unusual
        stretch of punctuation around it).

        Cutting a long text into words was most of highlighting a hit (profiled), yet
        fragments only hold words near a match. The words that may match are found in C by
        the expression of `_finder`, whole, the ones that do among them by the memo, and only
        the stretches around them are cut into words. Fragments stay Whoosh's:
        tests/search/test_fast_path.py.
        """
        fragmenter = self.fragmenter
        if fragmenter.charlimit and len(text) > fragmenter.charlimit:
            return None
        finder = self._finder(analyzer, text, words)
        if finder is None:
            return None
        found = list(finder.finditer(text))
        found_words = list(map(re.Match.group, found))
        hot = self._hot_words(analyzer, set(found_words), words)
        if not hot:
            return [], [], []
        # The finder's matches are whole words: the spans of those that match.
        spans = [m.span() for m in compress(found, map(hot.__contains__, found_words))]
        # Stretches run from a space to a space (no word goes across one), wide enough for
        # the words a fragment needs unless punctuation fills them: checked below.
        surround, size = fragmenter.surround, len(text)
        stretches: list[list[int]] = []
        for start, end in spans:
            lo = text.rfind(" ", 0, max(start - surround - surround // 4, 0)) + 1
            hi = text.find(" ", end + 3 * surround)
            hi = size if hi < 0 else hi
            if stretches and lo <= stretches[-1][1]:
                stretches[-1][1] = hi
            else:
                stretches.append([lo, hi])
        texts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        bounds = []  # each stretch's first and last word, whether it starts and ends the text
        for lo, hi in stretches:
            more = self._all_words(analyzer, text, lo, hi, _LATIN_WORDS)
            bounds.append((len(texts), len(texts) + len(more[0]) - 1, lo == 0, hi == size))
            texts += more[0]
            starts += more[1]
            ends += more[2]
        # Each match must have, in its stretch, the words that feed a fragment's start (those
        # within `surround` characters of the last word before it, and that word) and the
        # words that end its fragment (the countdown runs at most 2 * `surround` characters,
        # and every word here gives at least one token of its length).
        before = list(accumulate(map(len, texts), initial=0))  # the words' lengths, summed
        stretch = 0
        for start, _end in spans:
            k = bisect_left(starts, start)
            while k > bounds[stretch][1]:
                stretch += 1
            first, last, opens, closes = bounds[stretch]
            if not opens and not (k > first and starts[first] < ends[k - 1] - surround):
                return None
            if not closes and before[last + 1] - before[k + 1] < 2 * surround:
                return None
        return texts, starts, ends

    def _finder(self, analyzer, text, words) -> re.Pattern | None:
        """An expression for the words of `text` that may give one of `words`: the words that
        start with a character whose normalized form starts as one of the terms does. Stems
        keep a word's first letter (Porter's and Snowball's rules only change endings), which
        an Arabic word's light stem does not (it drops articles and proclitics): None for a
        text with Arabic characters, or another tokenizer than ours."""
        if analyzer.items[0].expression.pattern != TOKEN_PATTERN:
            return None
        # The text's non-ASCII characters, in C (a regular expression would step through it).
        others = text.encode(errors="surrogatepass").translate(None, _ASCII)
        others = others.decode(errors="surrogatepass")
        if _ARABIC.search(others):
            return None
        initials = {term.removeprefix(FRENCH_PREFIX)[:1] for term in words} - {""}
        firsts = [c for c in (*_ASCII_WORD, *set(others)) if _initial(c) in initials]
        return _starting_with("".join(sorted(firsts)))

    def _splitter(self, analyzer) -> re.Pattern:
        expression = analyzer.items[0].expression
        splitter = self._splitters.get(expression.pattern)
        if splitter is None:
            splitter = self._splitters[expression.pattern] = re.compile(
                f"({expression.pattern})", expression.flags
            )
        return splitter

    def _hot_words(self, analyzer, distinct: set[str], words: frozenset[str]) -> set[str]:
        """The distinct words of a text that give one of `words`, found with set operations
        (in C) once each new word has been analyzed."""
        if len(self._memo) + len(distinct) > self.MEMO_LIMIT:
            self._forget()
        # Never emptied halfway (the memo may pass its limit by one text's words, until the
        # next text): every word of this text must stay in it.
        for word in distinct.difference(self._memo):
            self._learn(analyzer, word)
        hot: set[str] = set()
        for term in words:
            forms = self._forms.get(term)
            if forms:
                hot |= distinct.intersection(forms)
        return hot

    def _forget(self) -> None:
        """Empty the memo (and what is derived from it): a worker's memory must level off
        whatever the archive's vocabulary."""
        self._memo.clear()
        self._widths.clear()
        self._forms.clear()
        self._termless.clear()

    def _terms(self, analyzer, word):
        if len(self._memo) >= self.MEMO_LIMIT:
            self._forget()
        return self._learn(analyzer, word)

    def _learn(self, analyzer, word):
        terms = tuple(
            (t.text, t.stopped)
            for t in analyzer(word, positions=True, chars=True, mode="index", removestops=False)
        )
        self._memo[word] = terms
        self._widths[word] = len(word) * len(terms)
        if not terms:
            self._termless.add(word)
        for term, _stopped in terms:
            self._forms.setdefault(term, set()).add(word)
        return terms

    def highlight_hit(self, hitobj, fieldname, text=None, top=3, minscore=1):
        results = hitobj.results
        field = results.searcher.schema[fieldname]
        analyzer = field.analyzer
        if text is None or not self.supported(analyzer) or self.can_load_chars(results, fieldname):
            return super().highlight_hit(hitobj, fieldname, text, top, minscore)
        words = self._words(results, field, fieldname)
        if type(self.fragmenter) is highlight.ContextFragmenter:
            fragments = self.fragments(analyzer, text, words)
        else:
            tokens = highlight.set_matched_filter(self.tokens(analyzer, text), words)
            tokens = self._merge_matched_tokens(tokens)
            fragments = self.fragmenter.fragment_tokens(text, tokens)
        fragments = highlight.top_fragments(
            fragments, top, self.scorer, self.order, minscore=minscore
        )
        return self.formatter.format(fragments)

    @staticmethod
    def _words(results, field, fieldname) -> frozenset[str]:
        """The terms to mark, as Whoosh's highlight_hit finds them, worked out once per page of
        results rather than for each hit (expanding the query's terms reads the lexicon)."""
        memo = results.__dict__.setdefault("_highlight_words", {})
        words = memo.get(fieldname)
        if words is None:
            if results.has_matched_terms():
                bterms = (term for term in results.matched_terms() if term[0] == fieldname)
            else:
                bterms = results.query_terms(expand=True, fieldname=fieldname)
            words = memo[fieldname] = frozenset(field.from_bytes(term[1]) for term in bterms)
        return words


def highlight_fragmenter():
    return highlight.ContextFragmenter(maxchars=240, surround=80)
