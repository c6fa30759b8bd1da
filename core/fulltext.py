"""The full-text index on PostgreSQL: tokens, ``tsvector`` documents and ``tsquery`` terms.

SQLite's FTS5 index tokenizes with ``unicode61`` (``remove_diacritics 2``, ``_`` a token
character). PostgreSQL's text search parser tokenizes differently (it splits ``spam_bot``,
keeps ``e-mail`` whole, has URL and e-mail tokens and folds no accents), so hubbub does
not let it parse: this module tokenizes in Python the way FTS5 does and writes the
lexemes with their positions as a ``tsvector`` literal, and query terms as ``tsquery``
lexemes. The ``simple`` configuration's rules thus never apply and nothing is stemmed.

One ``posts.search_vector`` column holds three parts told apart by weight, so one
``tsquery`` (and one GIN index lookup) serves a whole boolean query:

* ``A``: the hashtag list (positions from 1);
* ``B``: the mention list (after the hashtags, one position apart);
* ``D``: the post text (after the mentions, one position apart).

A phrase's lexemes must all carry its weight, so a phrase never runs from one part
into the next. Lists come first because PostgreSQL caps positions at 16,383: only the
tail of a very long text loses exact positions (a phrase there matches as nearby words).
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata

from hubbub.errors import HubbubError

__all__ = [
    "WEIGHTS",
    "near_tsquery",
    "search_vector",
    "terms_tsquery",
    "tokens",
]

#: which part of ``search_vector`` a query column searches
WEIGHTS = {"hashtags": "A", "mentions": "B", "text": "D"}
#: PostgreSQL's largest position in a tsvector, and its longest lexeme (bytes)
MAX_POSITION = 16383
MAX_LEXEME_BYTES = 2046
#: the most alternatives a proximity group ``"a b c"~N`` may expand to
MAX_NEAR_ALTERNATIVES = 2000

#: a tsquery no post matches (weight C is never written)
NOTHING = "'0':C"

_TOKEN = re.compile(r"\w+")


def _latin_fold_table() -> dict[int, str]:
    """Latin letters with accents -> the base letters, lower case (FTS5's ``remove_diacritics 2``)."""
    table = {}
    for code in (*range(0x80, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        if not char.isalnum():
            continue
        decomposed = unicodedata.normalize("NFD", char)
        folded = "".join(part for part in decomposed if not unicodedata.combining(part)).lower()
        if folded and folded != char:
            table[code] = folded
    return table


_LATIN_FOLD = _latin_fold_table()


def tokens(text: str) -> list[str]:
    """The index tokens of ``text``: runs of letters, digits and ``_``, case and accents folded."""
    if text.isascii():
        return _TOKEN.findall(text.lower())
    return _TOKEN.findall(text.translate(_LATIN_FOLD).lower())


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def search_vector(text: str, hashtags: str, mentions: str) -> str:
    """The ``tsvector`` literal of a post, from its text and its JSON hashtag and mention lists.

    Tokens are runs of word characters, so they need no quoting beyond the quotes.
    """
    lexemes = []
    position = 0
    for suffix, part in (("A", hashtags), ("B", mentions), ("", text)):
        if part and part != "[]":
            spots: dict[str, list[int]] = {}
            for token in tokens(part):
                position += 1
                found = spots.get(token)
                if found is None:
                    spots[token] = [position]
                else:
                    found.append(position)
            for token, found in spots.items():
                if len(found) == 1 and position <= MAX_POSITION:
                    lexemes.append(f"'{token}':{found[0]}{suffix}")
                elif len(token) <= MAX_LEXEME_BYTES // 4 or len(token.encode()) <= MAX_LEXEME_BYTES:
                    # PostgreSQL keeps 256 positions of a lexeme, and none above 16,383
                    kept = [min(spot, MAX_POSITION) for spot in found[:256]]
                    lexemes.append(f"'{token}':" + ",".join(f"{spot}{suffix}" for spot in kept))
                # else: a lexeme PostgreSQL refuses (over 2 kB); nobody searches for one
        position += 1
    return " ".join(lexemes)


def _term(token: str, weight: str, prefix: bool) -> str:
    return f"{_lexeme(token)}:{'*' if prefix else ''}{weight}"


def terms_tsquery(column: str, value: str, *, prefix: bool = False) -> str:
    """A word, phrase or prefix in ``column`` (``text``, ``hashtags``, ``mentions``) as a tsquery."""
    weight = WEIGHTS[column]
    words = tokens(value)
    if not words:
        return NOTHING  # the parser rejects such terms; this is a guard
    parts = [
        _term(word, weight, prefix and index == len(words) - 1) for index, word in enumerate(words)
    ]
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


def near_tsquery(value: str, distance: int, *, prefix: bool = False) -> str:
    """``"a b"~N``: the words of ``value`` in the text, at most ``distance`` tokens apart, any order.

    FTS5's ``NEAR`` group, spelled out for ``tsquery`` as every order of the words with
    every spacing that fits.

    :raises HubbubError: when that is more than :data:`MAX_NEAR_ALTERNATIVES` alternatives.
    """
    words = tokens(value)
    if not words:
        return NOTHING
    last = len(words) - 1
    terms = [_term(word, "D", prefix and index == last) for index, word in enumerate(words)]
    if len(terms) == 1:
        return terms[0]
    span = distance + 1  # the first and last word are at most this many positions apart
    gaps_needed = len(terms) - 1
    count = math.factorial(len(terms)) * math.comb(span, gaps_needed)
    if count > MAX_NEAR_ALTERNATIVES:
        raise HubbubError(
            f"the proximity query {value!r}~{distance} has too many words or too wide a "
            "distance for PostgreSQL (use fewer words or a smaller ~N)"
        )
    alternatives = []
    for order in itertools.permutations(terms):
        for cuts in itertools.combinations(range(1, span + 1), gaps_needed):
            steps = [b - a for a, b in zip((0, *cuts[:-1]), cuts, strict=True)]
            text = order[0]
            for step, term in zip(steps, order[1:], strict=True):
                text = f"{text} <{step}> {term}"
            alternatives.append(f"({text})")
    if not alternatives:  # more words than the distance leaves room for
        return NOTHING
    return "(" + " | ".join(dict.fromkeys(alternatives)) + ")"
