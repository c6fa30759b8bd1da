"""The ``language`` post analyzer: the platform's language tag, else detection.

Results (annotation keys): ``lang`` (an ISO 639-1 code; ``und`` when undetermined,
``zxx`` when the post has no words), ``source`` (``platform``, ``detector``,
``fallback`` or ``no-text``), ``confidence`` (the detector's probability for its best
guess, whenever the detector ran) and ``guess`` (the detector's best guess, when the
fallback overrode it).

Short posts are hard for any detector. The rules, measured on short English posts
(docs/methods.md, "Language"): the detector (py3langid) chooses among common
social-media languages; a guess below ``min_confidence`` is not taken; then a mostly
ASCII text becomes English if the detector finds English at least ``english_ratio``
times as likely as its best guess, and otherwise ``und``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from hubbub import Options, PostAnalyzer, hookimpl
from pydantic import Field, field_validator

if TYPE_CHECKING:
    from hubbub.analysis import PostText

#: the detector's default candidates: widely used languages on social platforms
COMMON_LANGUAGES: tuple[str, ...] = [
    "en",
    "es",
    "pt",
    "fr",
    "de",
    "it",
    "nl",
    "ar",
    "tr",
    "ru",
    "ja",
    "ko",
    "zh",
    "hi",
    "id",
    "ms",
    "th",
    "fa",
    "ur",
    "pl",
    "uk",
    "sv",
    "da",
    "no",
    "fi",
    "el",
    "he",
    "ro",
    "cs",
    "hu",
    "vi",
    "tl",
]

#: platform tags that say nothing about the language (Twitter: undetermined, mentions
#: only, cashtags only, hashtags only, media links only, short text)
NO_LANGUAGE_TAGS = frozenset({"und", "qam", "qct", "qht", "qme", "qst", ""})
#: retired ISO 639-1 codes that platforms still send
RETIRED_CODES = {"in": "id", "iw": "he", "ji": "yi", "jw": "jv", "mo": "ro"}

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")
#: what the detector should not read: digits, symbols, emoji and their joiners
_NOISE = re.compile(
    r"[0-9_#*+=<>/\\|~^`$%&()\[\]{}:;\"“”«»•…"
    "\u2190-\u2bff\ufe00-\ufe0f\u200d\u20e3\U0001f000-\U0001faff]"
)


def normalise_tag(tag: str | None) -> str | None:
    """A platform language tag as a primary ISO 639 code (``en-GB`` → ``en``), or ``None``.

    ``zxx`` (no linguistic content) is kept; tags that carry no language (``und`` and
    Twitter's ``qme``, ``qht``, …) give ``None``, so the post goes to the detector.
    """
    if not tag:
        return None
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    if primary in NO_LANGUAGE_TAGS:
        return None
    return RETIRED_CODES.get(primary, primary)


def detector_text(text: str) -> str:
    """The part of a post a language detector should read: no links, @mentions, emoji or digits."""
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _NOISE.sub(" ", text)
    return " ".join(text.split())


def ascii_letter_share(text: str) -> float:
    """The share of the letters in ``text`` that are ASCII (0 when it has none)."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return 0.0
    return sum(char.isascii() for char in letters) / len(letters)


@functools.cache
def load_identifier(languages: tuple[str, ...] = ()) -> Any:
    """A py3langid identifier choosing among ``languages`` (all it knows when empty).

    Loading the model takes about a second, so each process does it once per language set.
    """
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if languages:
        unknown = sorted(set(languages) - set(identifier.labels))
        if unknown:
            raise ValueError(f"[analyzers.language] languages: py3langid does not know {unknown}")
        identifier.set_languages(list(languages))
    return identifier


class LanguageOptions(Options):
    """``[analyzers.language]``."""

    trust_platform: bool = Field(
        True, description="Use the platform's language tag when a post has one."
    )
    languages: list[str] = Field(
        default_factory=lambda: list(COMMON_LANGUAGES),
        description=(
            "Languages the detector chooses among (ISO 639-1). Listing only the languages "
            "a project expects makes short posts far more reliable; [] means all 97 it knows."
        ),
    )
    min_confidence: float = Field(
        0.4, ge=0, le=1, description="Take the detector's guess at or above this probability."
    )
    ascii_share: float = Field(
        0.9, ge=0, le=1, description="A text is mostly ASCII when this share of its letters is."
    )
    fallback: str | None = Field(
        "en", description="Language for unsure, mostly ASCII texts (null: leave them 'und')."
    )
    english_ratio: float = Field(
        0.1,
        ge=0,
        description=(
            "Use the fallback only if the detector finds it at least this many times as "
            "likely as its best guess (0: always)."
        ),
    )

    @field_validator("languages")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        return [code.strip().lower() for code in value if code.strip()]


class LanguageDetector(PostAnalyzer):
    """A post's language: the platform's tag where present, else py3langid detection."""

    name = "language"
    description = "language from the platform's tag, else py3langid detection (with confidence)"
    version = "1"
    Options = LanguageOptions
    #: the run summary tallies this key's values
    summary_key: ClassVar[str] = "lang"

    def __init__(self, options: Options | None = None) -> None:
        super().__init__(options)
        languages = tuple(self.options.languages)  # type: ignore[attr-defined]
        #: the py3langid identifier, loaded when the analyzer is built: a process pool
        #: that forks after building it shares one copy of the model
        self.identifier: Any = load_identifier(languages)

    def detect(self, text: str) -> dict[str, Any]:
        """Detect the language of ``text`` with the fallback rules (no platform tag)."""
        options: LanguageOptions = self.options  # type: ignore[assignment]
        cleaned = detector_text(text)
        if not any(char.isalpha() for char in cleaned):
            return {"lang": "zxx", "source": "no-text"}
        ranking = self.identifier.rank(cleaned)
        best, confidence = ranking[0]
        confidence = round(float(confidence), 4)
        if confidence >= options.min_confidence:
            return {"lang": best, "source": "detector", "confidence": confidence}
        fallback = options.fallback
        if fallback and ascii_letter_share(cleaned) >= options.ascii_share:
            fallback_probability = next((p for code, p in ranking if code == fallback), 0.0)
            if best == fallback or fallback_probability >= options.english_ratio * confidence:
                result = {"lang": fallback, "source": "fallback", "confidence": confidence}
                if best != fallback:
                    result["guess"] = best
                return result
        return {"lang": "und", "source": "detector", "confidence": confidence, "guess": best}

    def analyze(self, posts: Sequence[PostText]) -> list[dict[str, Any]]:  # type: ignore[override]
        """One ``{lang, source[, confidence][, guess]}`` per post."""
        trust = self.options.trust_platform  # type: ignore[attr-defined]
        results = []
        for post in posts:
            tag = normalise_tag(post.lang) if trust else None
            if tag is not None:
                results.append({"lang": tag, "source": "platform"})
            else:
                results.append(self.detect(post.text))
        return results


@hookimpl
def register_analyzers(register: Any) -> None:
    """Register the language analyzer."""
    register(LanguageDetector)
