"""The language analyzer: platform tags, detection, and the rules for short posts."""

from __future__ import annotations

import pytest
from hubbub.analysis import PostText
from hubbub.plugins.language import (
    LanguageDetector,
    LanguageOptions,
    ascii_letter_share,
    detector_text,
    normalise_tag,
)

#: short English posts as people write them; the detector alone gets many of them wrong
SHORT_ENGLISH = [
    "ok thanks",
    "thank you!!",
    "same here",
    "love it",
    "so good",
    "not again",
    "my bag is lost",
    "any update?",
    "delayed again smh",
    "no way",
    "so annoying",
    "just landed",
    "on my way",
    "cancelled. great.",
    "thanks @SkyJet",
    "@SkyJetHelp DM sent",
    "fair enough",
    "hard pass",
    "nope",
    "yes please",
    "not impressed",
    "10/10 would fly again",
    "wifi doesn't work",
    "nice one",
    "well done",
    "congrats!",
    "good luck",
    "me too",
    "wow",
    "yikes",
    "cheers mate",
    "so tired",
    "where is my bag",
    "refund please",
    "fix it",
    "smooth flight",
    "bumpy landing",
    "staff were rude",
    "upgrade!!",
    "window seat gang",
    "Flight delayed 3 hours. Great.",
    "I love this airline! :)",
    "LOST MY BAG AGAIN",
    "so happy rn 😍",
    "@SkyJet where is my bag??",
    "great, just great",
    "absolutely not",
    "still waiting for my refund",
    "customer service is a joke",
    "finally home",
]
SHORT_SPANISH = [
    "gracias!!",
    "qué horror",
    "mi vuelo se retrasó",
    "perdieron mi maleta",
    "muchas gracias por la ayuda",
    "no puede ser",
    "otra vez tarde",
    "nunca más",
    "buenos días",
    "me encanta",
    "dónde está mi maleta",
    "quiero mi reembolso",
    "pésimo servicio",
    "excelente vuelo",
    "llegamos tarde otra vez",
    "qué vergüenza",
    "el vuelo llegó tarde",
    "muy mal servicio",
    "por fin en casa",
    "esto es un desastre",
]


def detect(texts: list[str], **options: object) -> list[str]:
    """The language found for each text (no platform tag)."""
    detector = LanguageDetector(LanguageOptions(**options))
    return [result["lang"] for result in detector.analyze([PostText(t, None) for t in texts])]


def test_the_platform_tag_is_used_when_present() -> None:
    detector = LanguageDetector()
    results = detector.analyze(
        [PostText("hola amigos", "en-GB"), PostText("x", "in"), PostText("😍", "zxx")]
    )
    assert results == [
        {"lang": "en", "source": "platform"},
        {"lang": "id", "source": "platform"},  # a retired code platforms still send
        {"lang": "zxx", "source": "platform"},
    ]


@pytest.mark.parametrize("tag", ["und", "qme", "QHT", "", None])
def test_tags_that_name_no_language_go_to_the_detector(tag: str | None) -> None:
    assert normalise_tag(tag) is None
    result = LanguageDetector().analyze([PostText("the flight was delayed again today", tag)])
    assert result[0]["lang"] == "en"
    assert result[0]["source"] == "detector"
    assert result[0]["confidence"] > 0.4


def test_the_tag_can_be_ignored() -> None:
    detector = LanguageDetector(LanguageOptions(trust_platform=False))
    result = detector.analyze([PostText("mi vuelo se retrasó otra vez", "en")])
    assert result[0]["lang"] == "es"


def test_short_english_posts_are_not_lost_to_a_wrong_guess() -> None:
    found = detect(SHORT_ENGLISH)
    lost = [text for text, lang in zip(SHORT_ENGLISH, found, strict=True) if lang != "en"]
    assert len(lost) <= 2, lost
    # without the rules, the bare detector loses many of them
    bare = detect(SHORT_ENGLISH, languages=[], min_confidence=0.0)
    assert bare.count("en") < len(SHORT_ENGLISH) * 0.85


def test_the_english_fallback_does_not_swallow_short_spanish() -> None:
    found = detect(SHORT_SPANISH)
    assert found.count("en") <= 2, list(zip(SHORT_SPANISH, found, strict=True))
    assert found.count("es") >= len(SHORT_SPANISH) * 0.75


def test_naming_the_project_languages_makes_short_posts_reliable() -> None:
    options = {"languages": ["en", "es", "ar"], "min_confidence": 0.7}
    assert detect(SHORT_ENGLISH, **options).count("en") == len(SHORT_ENGLISH)
    assert detect(SHORT_SPANISH, **options).count("es") >= len(SHORT_SPANISH) - 1
    assert detect(["تأخرت رحلتي مرة أخرى", "أين حقيبتي"], **options) == ["ar", "ar"]


def test_a_fallback_records_the_detector_guess_and_confidence() -> None:
    detector = LanguageDetector()
    # English was the detector's best guess, just not a confident one
    assert detector.detect("same here") == {
        "lang": "en",
        "source": "fallback",
        "confidence": 0.2836,
    }
    # the detector preferred Hungarian, but English was plausible enough for ASCII text
    result = detector.detect("lol")
    assert (result["lang"], result["source"], result["guess"]) == ("en", "fallback", "hu")
    without = LanguageDetector(LanguageOptions(fallback=None)).detect("lol")
    assert (without["lang"], without["guess"]) == ("und", "hu")


def test_non_ascii_text_the_detector_is_unsure_of_stays_undetermined() -> None:
    result = LanguageDetector(LanguageOptions(min_confidence=1.0)).detect("ça va très bien")
    assert result["lang"] == "und"
    assert result["guess"] == "fr"


def test_posts_without_words_have_no_linguistic_content() -> None:
    assert detect(["😍😍😍", "https://t.co/abc @SkyJet", "12:30 #1"]) == ["zxx", "zxx", "zxx"]


def test_the_detector_reads_words_only() -> None:
    cleaned = detector_text("@SkyJet my bag 😡 is LOST!!! #fail https://t.co/x 3 hrs ❤️")
    assert cleaned == "my bag is LOST!!! fail hrs"
    assert detector_text("नमस्ते दुनिया") == "नमस्ते दुनिया"  # combining vowel signs kept
    assert ascii_letter_share("qué") == pytest.approx(2 / 3)
    assert ascii_letter_share("123") == 0.0


def test_an_unknown_candidate_language_is_reported() -> None:
    with pytest.raises(ValueError, match="does not know"):
        detect(["hello there"], languages=["en", "xx"])
