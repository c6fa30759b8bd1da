"""The ``sentiment`` post analyzer: VADER, on the text exactly as written.

VADER (Hutto & Gilbert, 2014) is a lexicon and rules tuned on social media: it reads
capitals ("GREAT"), punctuation ("great!!!"), degree words, negation, "but", emoticons
and emoji, so the text is passed unchanged (no lower-casing, no stripping).

Results (annotation keys): ``label`` (``positive`` when compound ≥ 0.05, ``negative``
when ≤ −0.05, else ``neutral``; ``unsupported`` for a post in a language VADER does not
read) and ``scores``, VADER's four numbers as ``polarity_scores`` returns them:
``compound`` (in [−1, 1]) and ``pos``/``neu``/``neg`` (the shares of the text that read
positive, neutral and negative). An unsupported post has only a ``label``: it is counted
and shown, never scored as neutral. A multilingual model is
another analyzer, registered by its own plugin (docs/analyzers.md).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from hubbub import Options, PostAnalyzer, hookimpl
from pydantic import Field, model_validator

if TYPE_CHECKING:
    from hubbub.analysis import PostText

POSITIVE = "positive"
NEGATIVE = "negative"
NEUTRAL = "neutral"
UNSUPPORTED = "unsupported"
LABELS = (POSITIVE, NEUTRAL, NEGATIVE, UNSUPPORTED)


class SentimentOptions(Options):
    """``[analyzers.sentiment]``."""

    languages: list[str] = Field(
        default_factory=lambda: ["en"],
        description="Languages VADER is applied to; other posts are marked unsupported.",
    )
    score_no_text: bool = Field(
        True,
        description=(
            "Score posts without words (language 'zxx': only emoji, emoticons, links): "
            "VADER reads emoji and emoticons in any language."
        ),
    )
    positive_threshold: float = Field(0.05, description="Compound at or above: positive.")
    negative_threshold: float = Field(-0.05, description="Compound at or below: negative.")

    @model_validator(mode="after")
    def _ordered(self) -> SentimentOptions:
        if self.negative_threshold >= self.positive_threshold:
            raise ValueError("negative_threshold must be below positive_threshold")
        self.languages = [code.strip().lower() for code in self.languages if code.strip()]
        return self


_NOT_ASCII = re.compile("[^\x00-\x7f]")

#: distinct tokens whose lower-cased word :func:`fast_vader` remembers
KNOWN_TOKENS = 100_000

#: the vaderSentiment release whose rules :func:`fast_vader` reproduces exactly
VADER_RELEASE = "3.3.2"


@functools.cache
def _fast_vader_class() -> type:
    """VADER with its hot spots made cheap; identical results (tests compare them).

    Stock VADER lower-cases the whole word list again for every word it checks for
    negation, idioms and "but" (quadratic in the post's length), calls a function per
    token to strip punctuation, copies its negation list for every check, and rebuilds
    the text character by character to replace emoji. This subclass splits and
    lower-cases each text once, looks a word up once in the lexicon words that carry a
    valence, tests negation against a set and skips the emoji pass when a text has
    none; every rule and constant is VADER's own, applied in VADER's order.
    """
    import string

    from vaderSentiment.vaderSentiment import (
        BOOSTER_DICT,
        C_INCR,
        N_SCALAR,
        NEGATE,
        SPECIAL_CASES,
        SentimentIntensityAnalyzer,
        scalar_inc_dec,
    )

    negations = frozenset(NEGATE)
    punctuation = string.punctuation

    def negated(word: str) -> bool:
        # VADER's negated([word]) for one lower-cased word
        return word in negations or "n't" in word

    class FastSentiText:
        """VADER's SentiText: the words (VADER strips surrounding punctuation unless
        that leaves two characters or fewer, so ":)" stays whole) and whether some but
        not all of them are in capitals."""

        __slots__ = ("is_cap_diff", "text", "words_and_emoticons")

        def __init__(self, text: str, words: list[str]) -> None:
            self.text = text
            self.words_and_emoticons = words
            upper = sum(map(str.isupper, words))
            self.is_cap_diff = 0 < len(words) - upper < len(words)

    class FastVader(SentimentIntensityAnalyzer):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            # VADER looks emoji up one character at a time: only one-character keys match
            self._ascii_free = all(key > "\x7f" for key in self.emojis if len(key) == 1)
            # the words that get a valence: in the lexicon and not a booster (VADER gives
            # boosters and unknown words 0 without looking further)
            self._valued = frozenset(word for word in self.lexicon if word not in BOOSTER_DICT)
            self._lowered: tuple[Any, list[str]] = (None, [])
            #: token as split -> its word lower-cased (most tokens recur)
            self._known_tokens: dict[str, str] = {}
            #: token as split -> its word (VADER's punctuation stripping)
            self._token_words: dict[str, str] = {}

        def _learn(self, token: str) -> str:
            stripped = token.strip(punctuation)
            word = token if len(stripped) <= 2 else stripped
            self._token_words[token] = word
            lowered = self._known_tokens[token] = word.lower()
            return lowered

        def _describe_emoji(self, text: str) -> str:
            """VADER's emoji pass: each emoji becomes its description, after a space
            unless it starts the text or follows a space (another emoji is no space)."""
            emojis = self.emojis
            if self._ascii_free:  # no emoji is ASCII: look only at the other characters
                found = [
                    match.start() for match in _NOT_ASCII.finditer(text) if match.group() in emojis
                ]
            else:  # pragma: no cover - a lexicon with ASCII emoji
                found = [i for i, char in enumerate(text) if char in emojis]
            if not found:
                return text
            parts: list[str] = []
            start = 0
            for i in found:
                parts.append(text[start:i])
                if i and text[i - 1] != " ":
                    parts.append(" ")
                parts.append(emojis[text[i]])
                start = i + 1
            parts.append(text[start:])
            return "".join(parts)

        def _lower(self, words: list[str]) -> list[str]:
            # the cache holds the list it was made from, so its identity cannot be reused
            cached, lowered = self._lowered
            if cached is not words:
                lowered = [str(word).lower() for word in words]
                self._lowered = (words, lowered)
            return lowered

        def polarity_scores(self, text: str) -> dict[str, float]:
            if not (self._ascii_free and text.isascii()):  # isascii() reads a flag
                text = self._describe_emoji(text)
            text = text.strip()
            tokens = text.split()
            known = self._known_tokens
            if len(known) >= KNOWN_TOKENS:  # forget between texts, never within one
                known.clear()
                self._token_words.clear()
            lowered = list(map(known.get, tokens))
            if None in lowered:
                lowered = [
                    low if low is not None else self._learn(token)
                    for token, low in zip(tokens, lowered, strict=True)
                ]
            valued = self._valued
            if valued.isdisjoint(lowered):
                # no word with a valence: every score is 0, which VADER turns into this
                if tokens:
                    return {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}
                return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}
            words = list(map(self._token_words.__getitem__, tokens))  # each one learnt
            sentitext = FastSentiText(text, words)
            self._lowered = (words, lowered)
            # VADER gives 0 to boosters, to unknown words and to "kind" in "kind of"
            sentiments: list[float] = [0] * len(words)
            last = len(words) - 1
            for i in [i for i, word in enumerate(lowered) if word in valued]:
                if i < last and lowered[i] == "kind" and lowered[i + 1] == "of":
                    continue
                sentiments[i] = self._valence(0, sentitext, words[i], i)
            if "but" in lowered:
                sentiments = self._but_check(words, sentiments)
            return self.score_valence(sentiments, text)

        def sentiment_valence(
            self, valence: float, sentitext: Any, item: str, i: int, sentiments: list[float]
        ) -> list[float]:
            sentiments.append(self._valence(valence, sentitext, item, i))
            return sentiments

        def _valence(self, valence: float, sentitext: Any, item: str, i: int) -> float:
            # VADER's sentiment_valence, returning the valence instead of appending it
            is_cap_diff = sentitext.is_cap_diff
            words = sentitext.words_and_emoticons
            w = self._lower(words)
            lexicon = self.lexicon
            item_lowercase = w[i]
            if item_lowercase in lexicon:
                valence = lexicon[item_lowercase]
                if item_lowercase == "no" and i != len(words) - 1 and w[i + 1] in lexicon:
                    valence = 0.0
                if (
                    (i > 0 and w[i - 1] == "no")
                    or (i > 1 and w[i - 2] == "no")
                    or (i > 2 and w[i - 3] == "no" and w[i - 1] in ("or", "nor"))
                ):
                    valence = lexicon[item_lowercase] * N_SCALAR
                if item.isupper() and is_cap_diff:
                    if valence > 0:
                        valence += C_INCR
                    else:
                        valence -= C_INCR
                for start_i in range(0, 3):
                    if i > start_i and w[i - (start_i + 1)] not in lexicon:
                        s = scalar_inc_dec(words[i - (start_i + 1)], valence, is_cap_diff)
                        if start_i == 1 and s != 0:
                            s = s * 0.95
                        if start_i == 2 and s != 0:
                            s = s * 0.9
                        valence = valence + s
                        valence = self._negation_check(valence, words, start_i, i)
                        if start_i == 2:
                            valence = self._special_idioms_check(valence, words, i)
                valence = self._least_check(valence, words, i)
            return valence

        def _least_check(self, valence: float, words: list[str], i: int) -> float:
            w = self._lower(words)
            lexicon = self.lexicon
            if i > 1 and w[i - 1] not in lexicon and w[i - 1] == "least":
                if w[i - 2] != "at" and w[i - 2] != "very":
                    valence = valence * N_SCALAR
            elif i > 0 and w[i - 1] not in lexicon and w[i - 1] == "least":
                valence = valence * N_SCALAR
            return valence

        def _but_check(self, words: list[str], sentiments: list[float]) -> list[float]:
            # VADER's rule, quirks included: each score is found again by value
            w = self._lower(words)
            if "but" in w:
                bi = w.index("but")
                for sentiment in sentiments:
                    si = sentiments.index(sentiment)
                    if si < bi:
                        sentiments.pop(si)
                        sentiments.insert(si, sentiment * 0.5)
                    elif si > bi:
                        sentiments.pop(si)
                        sentiments.insert(si, sentiment * 1.5)
            return sentiments

        def _negation_check(self, valence: float, words: list[str], start_i: int, i: int) -> float:
            w = self._lower(words)
            if start_i == 0 and negated(w[i - 1]):
                valence = valence * N_SCALAR
            if start_i == 1:
                if w[i - 2] == "never" and (w[i - 1] == "so" or w[i - 1] == "this"):
                    valence = valence * 1.25
                elif w[i - 2] == "without" and w[i - 1] == "doubt":
                    pass
                elif negated(w[i - 2]):
                    valence = valence * N_SCALAR
            if start_i == 2:
                if (w[i - 3] == "never" and (w[i - 2] == "so" or w[i - 2] == "this")) or (
                    w[i - 1] == "so" or w[i - 1] == "this"
                ):
                    valence = valence * 1.25
                elif w[i - 3] == "without" and (w[i - 2] == "doubt" or w[i - 1] == "doubt"):
                    pass
                elif negated(w[i - 3]):
                    valence = valence * N_SCALAR
            return valence

        def _special_idioms_check(self, valence: float, words: list[str], i: int) -> float:
            w = self._lower(words)
            onezero = f"{w[i - 1]} {w[i]}"
            twoonezero = f"{w[i - 2]} {w[i - 1]} {w[i]}"
            twoone = f"{w[i - 2]} {w[i - 1]}"
            threetwoone = f"{w[i - 3]} {w[i - 2]} {w[i - 1]}"
            threetwo = f"{w[i - 3]} {w[i - 2]}"
            for sequence in (onezero, twoonezero, twoone, threetwoone, threetwo):
                if sequence in SPECIAL_CASES:
                    valence = SPECIAL_CASES[sequence]
                    break
            if len(w) - 1 > i:
                zeroone = f"{w[i]} {w[i + 1]}"
                if zeroone in SPECIAL_CASES:
                    valence = SPECIAL_CASES[zeroone]
            if len(w) - 1 > i + 1:
                zeroonetwo = f"{w[i]} {w[i + 1]} {w[i + 2]}"
                if zeroonetwo in SPECIAL_CASES:
                    valence = SPECIAL_CASES[zeroonetwo]
            for n_gram in (threetwoone, threetwo, twoone):
                if n_gram in BOOSTER_DICT:
                    valence = valence + BOOSTER_DICT[n_gram]
            return valence

    return FastVader


def make_vader() -> Any:
    """A VADER analyzer: the linear-time equivalent for vaderSentiment 3.3.2, else stock VADER."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("vaderSentiment")
    except PackageNotFoundError:  # pragma: no cover - vendored copies
        release = ""
    if release == VADER_RELEASE:
        return _fast_vader_class()()
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def label_for(compound: float, positive: float = 0.05, negative: float = -0.05) -> str:
    """The label of a compound score: positive ≥ 0.05, negative ≤ −0.05, else neutral."""
    if compound >= positive:
        return POSITIVE
    if compound <= negative:
        return NEGATIVE
    return NEUTRAL


class VaderSentiment(PostAnalyzer):
    """VADER sentiment for posts in the languages it reads; others are marked unsupported."""

    name = "sentiment"
    description = "VADER compound, pos/neu/neg and a label; non-English posts marked unsupported"
    version = "1"
    Options = SentimentOptions
    #: runs after the language analyzer and reads its result
    requires: ClassVar[tuple[str, ...]] = ("language",)
    #: the run summary tallies this key's values
    summary_key: ClassVar[str] = "label"

    def __init__(self, options: Options | None = None) -> None:
        super().__init__(options)
        self._vader = make_vader()
        options_: SentimentOptions = self.options  # type: ignore[assignment]
        self._languages = frozenset(options_.languages) | (
            {"zxx"} if options_.score_no_text else set()
        )

    def supports(self, lang: str | None) -> bool:
        """Whether VADER is applied to a post in ``lang``."""
        return lang is not None and lang.lower() in self._languages

    def analyze(self, posts: Sequence[PostText]) -> list[dict[str, Any]]:  # type: ignore[override]
        """One ``{label, scores}`` per post, or ``{label: "unsupported"}``."""
        options: SentimentOptions = self.options  # type: ignore[assignment]
        positive, negative = options.positive_threshold, options.negative_threshold
        polarity_scores = self._vader.polarity_scores
        results: list[dict[str, Any]] = []
        for post in posts:
            if not self.supports(post.lang):
                results.append({"label": UNSUPPORTED})
                continue
            scores = polarity_scores(post.text)
            label = label_for(scores["compound"], positive, negative)
            results.append({"label": label, "scores": scores})
        return results


@hookimpl
def register_analyzers(register: Any) -> None:
    """Register the VADER sentiment analyzer."""
    register(VaderSentiment)
