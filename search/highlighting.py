"""Highlighted fragments: marked with private-use characters, and computed without running
the analyzer over every word of every hit (FastHighlighter)."""

from __future__ import annotations

import re
from collections import deque
from itertools import accumulate

from whoosh import highlight

# Highlight markers: private-use characters no communiqué contains, so that the service can
# escape the whole fragment and only then turn these into <mark> elements.
MARK_START, MARK_END = "\ue000", "\ue001"


class MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


class FastHighlighter(highlight.Highlighter):
    """Whoosh's highlighter, with the text's tokens produced without re-running the analyzer
    over every word of every hit.

    Whoosh re-analyzes a hit's whole text to find the words to mark (two thirds of a
    highlighted search, profiled). The analyzer works word by word (a tokenizer, then
    per-token filters), so the terms of a word are memoized per distinct word: the text is
    only cut into words with the tokenizer's expression, and each word's terms come from the
    memo. Fragments, scores and output are then Whoosh's own code. tests/search/
    test_fast_path.py checks that the token stream equals the analyzer's.
    """

    MEMO_LIMIT = 200_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._memo: dict[str, tuple[tuple[str, bool], ...]] = {}
        # The memo turned around: the words seen so far that give each term.
        self._forms: dict[str, set[str]] = {}
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
        fragment_tokens, ported line for line into one loop over the memoized tokens, with a
        Token object only for matched words (the per-token generators cost more than the
        analysis they consume). The same fragments: tests/search/test_fast_path.py."""
        fragmenter = self.fragmenter
        maxchars, surround, charlimit = (
            fragmenter.maxchars,
            fragmenter.surround,
            fragmenter.charlimit,
        )
        mkfrag, Token = highlight.mkfrag, highlight.Token
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
                tks.append(token.copy())
            if countdown >= 0:
                currentlen += tlength
                countdown -= tlength
                if countdown <= 0:
                    out.append(mkfrag(text, tks, startchar=first, endchar=endchar))
                    tks = []
                    firsts = deque()
                    first = None
                    currentlen = 0

        # Words far from every match only feed `firsts`, the context kept before a fragment,
        # whose content at a match depends only on the words within `surround` characters
        # of it. So the words are cut and classified first, and between fragments the loop
        # jumps to the first word that can still be in the next match's context (what
        # Whoosh's loop would leave in `firsts` there). Most of a long text is skipped.
        memo = self._memo
        # Words and their offsets without a Python step per word: split() on the expression
        # as a group alternates gaps and words, and the running sum of their lengths gives
        # every word's start and end (what finditer's spans give, a word at a time).
        pieces = self._splitter(analyzer).split(text)
        texts = pieces[1::2]
        offsets = list(accumulate(map(len, pieces)))
        spans = list(zip(offsets[0::2], offsets[1::2], strict=False))  # one more gap than words
        hot_words = self._hot_words(analyzer, set(texts), words)
        hot = [i for i, word in enumerate(texts) if word in hot_words]
        pending = None
        following = 0  # index in `hot` of the next hot word
        pos = 0
        count = len(spans)
        while pos < count:
            if stopped:
                break
            if pending is None and countdown < 0 and not tks:
                while following < len(hot) and hot[following] < pos:
                    following += 1
                if following == len(hot):
                    break  # no match ahead: nothing more can be emitted
                target = hot[following]
                if target > pos:
                    horizon = spans[target - 1][1] - surround
                    skip_to = target - 1
                    while skip_to > pos and spans[skip_to - 1][0] >= horizon:
                        skip_to -= 1
                    if skip_to > pos:
                        if charlimit and spans[skip_to - 1][1] > charlimit:
                            break  # Whoosh's loop would have stopped in the skipped part
                        firsts.clear()
                        pos = skip_to
            word = texts[pos]
            terms = memo.get(word)
            if terms is None:
                terms = self._terms(analyzer, word)
            s, e = spans[pos]
            for term, stop in terms:
                if term not in words:
                    if pending is not None:
                        emit(pending.startchar, pending.endchar, pending)
                        pending = None
                    emit(s, e, None)
                    continue
                token = Token(
                    text=term,
                    startchar=s,
                    endchar=e,
                    pos=pos,
                    boost=1.0,
                    stopped=stop,
                    matched=True,
                )
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
            pos += 1
        if pending is not None:
            emit(pending.startchar, pending.endchar, pending)
        if tks:
            out.append(mkfrag(text, tks, startchar=first, endchar=last_end))
        return out

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
        memo = self._memo
        if len(memo) + len(distinct) > self.MEMO_LIMIT:  # so that _terms never clears below
            memo.clear()
            self._forms.clear()
        for word in distinct.difference(memo):
            self._terms(analyzer, word)
        hot: set[str] = set()
        for term in words:
            forms = self._forms.get(term)
            if forms:
                hot |= distinct.intersection(forms)
        return hot

    def _terms(self, analyzer, word):
        if len(self._memo) >= self.MEMO_LIMIT:
            self._memo.clear()
            self._forms.clear()
        terms = tuple(
            (t.text, t.stopped)
            for t in analyzer(word, positions=True, chars=True, mode="index", removestops=False)
        )
        self._memo[word] = terms
        for term, _stopped in terms:
            self._forms.setdefault(term, set()).add(word)
        return terms

    def highlight_hit(self, hitobj, fieldname, text=None, top=3, minscore=1):
        results = hitobj.results
        field = results.searcher.schema[fieldname]
        analyzer = field.analyzer
        if text is None or not self.supported(analyzer) or self.can_load_chars(results, fieldname):
            return super().highlight_hit(hitobj, fieldname, text, top, minscore)
        if results.has_matched_terms():
            bterms = (term for term in results.matched_terms() if term[0] == fieldname)
        else:
            bterms = results.query_terms(expand=True, fieldname=fieldname)
        words = frozenset(field.from_bytes(term[1]) for term in bterms)
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


def highlight_fragmenter():
    return highlight.ContextFragmenter(maxchars=240, surround=80)
