"""The researcher's query language, parsed and checked before any engine sees it.

    bombing                    a word; stemmed, so it also finds "bomb" and "bombed"
    "humanitarian corridor"    an exact phrase
    ceasefire AND aleppo       both (the default between words)
    geneva OR astana           either
    NOT idlib, -idlib          without
    (geneva OR astana) talks   brackets group
    negotiat*                  the words that begin with "negotiat" (at least three letters)
    issuer:"syrian opposition" participant:jamous place:idlib addressee:russia title:ceasefire

Everything the user types is reduced to words, phrases and the operators above, then written
back out in the syntax that Whoosh, Lucene (Elasticsearch) and Solr all read the same way:
a bare term is only ever letters and digits, or such a run with one "*" after it (a prefix),
and anything else is a quoted phrase. So no input can reach an engine's parser as something
it would reject or interpret (other wildcards, ranges, boosts, regexes), and every input
either parses or raises QueryError with a message that says what to fix. No engine is
imported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_LENGTH = 500
MAX_TERMS = 40
MAX_DEPTH = 8
MIN_PREFIX = 3  # letters before a "*": fewer would stand for much of the vocabulary

# What a user types before the colon -> the index field it searches.
PREFIXES: dict[str, str] = {
    "issuer": "issuer_text",
    "participant": "participant_text",
    "place": "place_text",
    "addressee": "addressee_text",
    "title": "title",
}

OPERATORS = {"AND", "OR", "NOT"}
_BARE = re.compile(r"^\w+$")
_PREFIXED = re.compile(r"^(\w+)\*$")  # negotiat*
_PREFIX = re.compile(r"^([^\W\d_]+):(.*)$", re.DOTALL)
# Characters that end a word; a quote or bracket inside a word starts a new token.
_WORD_END = set(' \t\r\n\f\v"()')


class QueryError(ValueError):
    """The query cannot be read; the message tells the user how to fix it.

    Messages are translated when raised, into the language of the page that shows them.
    """


def _stray_close() -> str:  # one message, raised from three places
    return _("Unbalanced brackets: a “)” closes nothing; remove it or add “(”.")


def _nested_field() -> str:
    return _("A field cannot be inside another field; write issuer:(a OR b).")


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    field: str | None = None  # index field name, None for the full text
    prefix: bool = False  # the words that begin with `text` (negotiat*)


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True)
class ParsedQuery:
    source: str  # what the user typed, stripped
    node: Node | None  # None: the empty query, which lists everything
    words: tuple[str, ...] = field(default=())  # plain full-text words, for "did you mean"

    @property
    def is_empty(self) -> bool:
        return self.node is None

    @property
    def engine_query(self) -> str:
        """The query in the syntax shared by Whoosh, Lucene and Solr ("" when empty)."""
        return render(self.node) if self.node is not None else ""


@dataclass(frozen=True)
class _Token:
    kind: str  # word, phrase, field, minus, and, or, not, open, close
    text: str = ""


def parse(source: str | None) -> ParsedQuery:
    """The user's query, checked; raises QueryError with a helpful message."""
    text = (source or "").strip()
    if len(text) > MAX_LENGTH:
        raise QueryError(
            _(
                "The query is %(length)s characters long; the limit is %(limit)s. "
                "Use fewer, more specific words, or the filters beside the results."
            )
            % {"length": len(text), "limit": MAX_LENGTH}
        )
    tokens = _tokenize(text)
    _check_brackets(tokens)
    if not tokens:
        return ParsedQuery(text, None)
    parser = _Parser(tokens)
    node = parser.parse()
    if parser.terms > MAX_TERMS:
        raise QueryError(
            _(
                "The query has %(terms)s search terms; the limit is %(limit)s. "
                "Use fewer words, or the filters beside the results."
            )
            % {"terms": parser.terms, "limit": MAX_TERMS}
        )
    return ParsedQuery(text, node, tuple(_plain_words(node)))


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError(
                    _(
                        'Unbalanced quote: add a closing " to end the phrase, '
                        "or remove the opening one."
                    )
                )
            phrase = " ".join(text[i + 1 : end].split())
            if _has_words(phrase):
                tokens.append(_Token("phrase", phrase))
            i = end + 1
        elif ch in "()":
            tokens.append(_Token("open" if ch == "(" else "close"))
            i += 1
        else:
            j = i
            while j < n and text[j] not in _WORD_END:
                j += 1
            tokens.extend(_word_tokens(text[i:j], at_end=j >= n or text[j].isspace()))
            i = j
    return tokens


def _word_tokens(word: str, at_end: bool) -> list[_Token]:
    if word in OPERATORS:
        return [_Token(word.lower())]
    if word.startswith("-"):
        rest = word.lstrip("-")  # "--x" is read as "-x", not as a double negation
        if rest:
            return [_Token("minus"), *_word_tokens(rest, at_end)]
        # A dash right before a quote or bracket excludes it: -"phrase", -(a OR b).
        return [] if at_end else [_Token("minus")]
    if word.startswith("+"):  # "+word" means the word is required, which it already is
        return _word_tokens(word[1:], at_end) if len(word) > 1 else []
    match = _PREFIX.match(word)
    if match:
        name, rest = match.group(1).lower(), match.group(2)
        if name in PREFIXES:
            if not rest and at_end:
                raise QueryError(
                    _(
                        'Nothing follows “%(name)s:”: write %(name)s:word or %(name)s:"two '
                        'words", with no space after the colon.'
                    )
                    % {"name": name}
                )
            # "issuer:" directly followed by a quote or bracket: the next token is its value.
            return [_Token("field", PREFIXES[name]), *(_word_tokens(rest, at_end) if rest else [])]
        if rest and not rest.startswith("/"):  # a pasted URL (http://...) is not a field
            known = ", ".join(f"{p}:" for p in PREFIXES)
            raise QueryError(
                _("Unknown field “%(name)s:”. The fields you can search are %(known)s")
                % {"name": name, "known": known}
            )
    if not _has_words(word):  # punctuation alone ("-", "&", "…") searches for nothing
        return []
    return [_Token("word", word)]


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _check_brackets(tokens: list[_Token]) -> None:
    depth = 0
    for token in tokens:
        if token.kind == "open":
            depth += 1
            if depth > MAX_DEPTH:
                raise QueryError(
                    _("Brackets are nested more than %(depth)s deep; simplify.")
                    % {"depth": MAX_DEPTH}
                )
        elif token.kind == "close":
            depth -= 1
            if depth < 0:
                raise QueryError(_stray_close())
    if depth > 0:
        raise QueryError(_("Unbalanced brackets: add a closing “)” or remove the opening “(”."))


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary (AND? unary)*."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.terms = 0

    def peek(self) -> str | None:
        return self.tokens[self.i].kind if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:  # only a stray ")" can stop the loop early
            raise QueryError(_stray_close())
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.peek() == "or":
            self.take()
            self.expect_operand("OR")
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_unary()]
        while self.peek() not in (None, "close", "or"):
            if self.peek() == "and":
                self.take()
                self.expect_operand("AND")
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self, field: str | None = None) -> Node:
        kind = self.peek()
        if kind in ("not", "minus"):
            self.take()
            self.expect_operand("NOT" if kind == "not" else "-")
            child = self.parse_unary(field)
            # Two negations cancel ("-(-idlib)" is idlib); Whoosh cannot read "NOT NOT idlib".
            return child.child if isinstance(child, Not) else Not(child)
        if kind in ("and", "or"):
            name = kind.upper()
            raise QueryError(
                _("“%(operator)s” needs a word on each side, as in: geneva %(operator)s astana.")
                % {"operator": name}
            )
        return self.parse_primary(field)

    def parse_primary(self, field: str | None) -> Node:
        token = self.take()
        if token.kind == "open":
            if self.peek() == "close":
                raise QueryError(_("Empty brackets “()”: put words inside them or remove them."))
            node = self.parse_or_in(field)
            self.take()  # the ")" that _check_brackets guarantees
            return node
        if token.kind == "field":
            if field is not None:
                raise QueryError(_nested_field())
            if self.peek() not in ("word", "phrase", "open"):
                raise QueryError(
                    _('A field needs a word, a "phrase" or (brackets) right after the colon.')
                )
            return self.parse_primary(token.text)
        if token.kind in ("word", "phrase"):
            self.terms += 1
            if token.kind == "word" and _BARE.match(token.text):
                return Term(token.text.lower(), False, field)
            start = _PREFIXED.match(token.text) if token.kind == "word" else None
            if start:
                if len(start.group(1)) < MIN_PREFIX:
                    raise QueryError(
                        _(
                            "“%(word)s” stands for too many words: write at least %(n)s "
                            "letters before the *."
                        )
                        % {"word": token.text, "n": MIN_PREFIX}
                    )
                return Term(start.group(1).lower(), False, field, prefix=True)
            # Punctuation inside a word (al-Assad, U.N., 2254(2015)) is left to the analyzer,
            # which splits it the same way it split the indexed text.
            return Term(token.text.replace('"', " ").replace("\\", " "), True, field)
        raise QueryError(_stray_close())

    def parse_or_in(self, field: str | None) -> Node:
        if field is None:
            return self.parse_or()
        # Inside issuer:( ... ) every term searches the issuer field.
        return _with_field(self.parse_or(), field)

    def expect_operand(self, name: str) -> None:
        if self.peek() in (None, "close", "and", "or"):
            example = "-idlib" if name == "-" else f"geneva {name} astana"
            if name == "NOT":
                example = "ceasefire NOT idlib"
            raise QueryError(
                _("“%(operator)s” is missing the word it applies to, as in: %(example)s.")
                % {"operator": name, "example": example}
            )


def _with_field(node: Node, field: str) -> Node:
    if isinstance(node, Term):
        if node.field is not None:
            raise QueryError(_nested_field())
        return Term(node.text, node.phrase, field, node.prefix)
    if isinstance(node, Not):
        return Not(_with_field(node.child, field))
    children = tuple(_with_field(child, field) for child in node.children)
    return And(children) if isinstance(node, And) else Or(children)


def _plain_words(node: Node, negated: bool = False) -> list[str]:
    if isinstance(node, Term):
        plain = not (node.phrase or node.prefix)
        ok = not negated and node.field is None and plain and node.text.isalpha()
        return [node.text] if ok else []
    if isinstance(node, Not):
        return _plain_words(node.child, not negated)
    return [word for child in node.children for word in _plain_words(child, negated)]


def render(node: Node) -> str:
    if isinstance(node, Term):
        value = f'"{node.text}"' if node.phrase else node.text + "*" * node.prefix
        return f"{node.field}:{value}" if node.field else value
    if isinstance(node, Not):
        return f"NOT {render(node.child)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(render(child) for child in node.children) + ")"


def is_negative_only(node: Node | None) -> bool:
    """True for queries such as "NOT idlib" that exclude without asking for anything."""
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(is_negative_only(child) for child in node.children)
    return False
