"""The VADER sentiment analyzer: labels, text passed as written, unsupported languages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hubbub import Post
from hubbub.analysis import PostText
from hubbub.errors import ConfigError
from hubbub.plugins.sentiment import (
    SentimentOptions,
    VaderSentiment,
    _fast_vader_class,
    label_for,
    make_vader,
)
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

#: texts that exercise every VADER rule: caps, punctuation, boosters, negation, "but",
#: "kind of", "least", idioms, "no", emoticons and emoji (alone, glued, repeated)
TRICKY = [
    "I love this airline! :)",
    "Worst. Service. Ever!!! 😡",
    "The flight leaves at 9.",
    "GREAT flight, thanks crew",
    "great flight, thanks crew",
    "The crew was not great",
    "The crew wasn't very helpful at all",
    "Never so happy to land",
    "without doubt the best lounge",
    "The food was good but the seat was awful",
    "It was kind of ok",
    "the least helpful agent I have met",
    "at least they were polite",
    "no problem, no worries",
    "No, I do not like this",
    "yeah right, the bomb, cut me some slack",
    "this is the shit, badass crew",
    "sort of delayed, kind of annoying",
    "such a kind crew, KIND OF amazing, extremely kind",
    "kind",
    "very very good, hardly bad, somewhat kind of",
    "lost my bag😡😡 again",
    "thanks🙏 so much ✈️ #travel",
    "😍",
    ":( :( :(",
    "Wow!!!! ???",
    "what?? really???",
    "  padded text with spaces  ",
    "Flight delayed 3 hours. Great.",
    "I'm SO disappointed. Not good. At all.",
    "hardly a good experience, barely acceptable",
    "",
    "   ",
    "The flight leaves at 9 from gate B",  # no word with a valence at all
    "good but good but bad, but good!!",  # "but" with repeated scores (VADER's quirk)
    "no good or bad",
    "NO WAY this is GOOD",
    "not the least bit happy",
    "very least good",
    "good.",  # the same word, with and without punctuation, once remembered
    "good",
    "(good)",
    "!!!",
    "🙂 great",
    "great😡flight",  # an emoji inside a word, between emoji, after a space, first
    "😡😡 awful😢 😍",
    "bad\x00😡 day",  # control characters pass through as VADER leaves them
    "\x00 good",
]


def analyze(texts: list[str], lang: str | None = "en", **options: object) -> list[dict]:
    """Run the analyzer on ``texts`` in ``lang``."""
    analyzer = VaderSentiment(SentimentOptions(**options))
    return analyzer.analyze([PostText(text, lang) for text in texts])


def test_clear_texts_get_the_expected_labels() -> None:
    results = analyze(["I love this airline! :)", "Worst. Service. Ever!!! 😡", "Gate B12."])
    assert [result["label"] for result in results] == ["positive", "negative", "neutral"]
    assert results[0]["scores"]["compound"] > 0.5
    assert results[1]["scores"]["compound"] < -0.5
    assert results[2]["scores"] == {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}


def test_the_text_reaches_vader_exactly_as_written() -> None:
    # capitals, repeated punctuation and emoji all change VADER's score: nothing is normalised
    texts = [
        "GREAT flight!!!",
        "GREAT flight",
        "great flight",
        "great flight 😢",
        "great flight :(",
    ]
    vader = SentimentIntensityAnalyzer()
    results = analyze(texts)
    for text, result in zip(texts, results, strict=True):
        assert result["scores"] == vader.polarity_scores(text)
    compounds = [result["scores"]["compound"] for result in results]
    assert len(set(compounds)) == len(texts)


def test_the_fast_vader_gives_stock_vader_results_exactly() -> None:
    fast, stock = _fast_vader_class()(), SentimentIntensityAnalyzer()
    for text in TRICKY:
        assert fast.polarity_scores(text) == stock.polarity_scores(text), text
    assert type(make_vader()).__name__ == "FastVader"  # the release it reproduces is installed


def test_the_fast_vader_forgets_tokens_past_its_limit_and_stays_exact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hubbub.plugins.sentiment as sentiment

    monkeypatch.setattr(sentiment, "KNOWN_TOKENS", 5)
    fast, stock = _fast_vader_class()(), SentimentIntensityAnalyzer()
    for text in TRICKY * 2:
        assert fast.polarity_scores(text) == stock.polarity_scores(text), text
        assert len(fast._known_tokens) <= 5 + 40  # cleared past 5, before a text


def test_posts_in_languages_vader_does_not_read_are_unsupported_not_neutral() -> None:
    results = analyze(["¡Me encanta esta aerolínea!", "أحب هذه الرحلة"], lang="es")
    assert results == [{"label": "unsupported"}, {"label": "unsupported"}]
    assert analyze(["I love it"], lang=None) == [{"label": "unsupported"}]
    assert analyze(["I love it"], lang="und") == [{"label": "unsupported"}]


def test_posts_without_words_are_scored_for_their_emoji_unless_disabled() -> None:
    assert analyze(["😢😢"], lang="zxx")[0]["label"] == "negative"
    assert analyze(["😍 :)"], lang="zxx")[0]["label"] == "positive"
    assert analyze(["😢😢"], lang="zxx", score_no_text=False) == [{"label": "unsupported"}]


def test_more_languages_can_be_switched_on() -> None:
    assert analyze(["I love it"], lang="es", languages=["en", "ES"])[0]["label"] == "positive"


def test_labels_follow_the_documented_thresholds() -> None:
    assert label_for(0.05) == "positive"
    assert label_for(0.0499) == "neutral"
    assert label_for(-0.0499) == "neutral"
    assert label_for(-0.05) == "negative"
    assert label_for(0.3, positive=0.5, negative=-0.5) == "neutral"


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ConfigError, match="negative_threshold must be below"):
        VaderSentiment.parse_options(
            {"positive_threshold": 0.0, "negative_threshold": 0.1}, "[analyzers.sentiment]"
        )


# ---------------------------------------------------------------- brand mentions

BRANDS = {
    "skyjet": {"handles": ["SkyJet", "SkyJetHelp"], "keywords": ["skyjet"]},
    "aerolux": {"handles": ["AeroLux"], "keywords": ["aerolux", "aero lux"]},
}

#: (author, mentions, text, brands mentioned)
MENTION_CASES = [
    ("ann", ["skyjet"], "where is my bag", ["skyjet"]),  # @-mention, any case
    ("ann", [], "Flying SKYJET tomorrow", ["skyjet"]),  # keyword, any case
    ("ann", [], "skyjet's app is down", ["skyjet"]),  # an apostrophe ends the word
    ("ann", [], "#skyjet delays again", ["skyjet"]),
    ("ann", [], "thanks @SkyJetHelp", []),  # inside a handle: no keyword match
    ("ann", [], "skyjet_fan here", []),  # underscore: not a whole word
    ("ann", [], "skyjet2 is a game", []),
    ("ann", [], "skyjet@home", []),
    ("SkyJetHelp", ["SkyJet"], "we love skyjet", []),  # the brand's own account
    ("skyjet", [], "skyjet news", []),
    ("bob", ["AeroLux"], "skyjet vs aero lux", ["skyjet", "aerolux"]),
    ("bob", [], "Aerolux is fine", ["aerolux"]),
    ("AeroLux", [], "we beat skyjet", ["skyjet"]),  # a competitor's post mentions skyjet
]


def test_brand_mentions_follow_the_rule() -> None:
    from hubbub.brands import BrandMatcher

    matcher = BrandMatcher(BRANDS)
    for author, mentions, text, expected in MENTION_CASES:
        assert matcher.mentioned(author, mentions, text) == expected, text
    assert matcher.mentioned("ann", '["SkyJet"]', "hi") == ["skyjet"]  # JSON from the store


def test_the_sql_condition_finds_the_same_posts_as_python(tmp_path: Path) -> None:
    from hubbub.brands import BrandMatcher
    from hubbub.store import Store, posts_table

    store = Store.open(f"sqlite:///{tmp_path / 'h.db'}")
    posts = [
        Post("twitter", str(n), author, text, datetime(2026, 3, 2), mentions=mentions)
        for n, (author, mentions, text, _) in enumerate(MENTION_CASES)
    ]
    store.write_batch(posts, [], source="test")
    matcher = BrandMatcher(BRANDS)
    for brand in matcher.names:
        query = sa.select(posts_table.c.external_id).where(matcher.sql_condition(brand))
        with store.engine.connect() as conn:
            found = sorted(int(row[0]) for row in conn.execute(query))
        expected = [n for n, case in enumerate(MENTION_CASES) if brand in case[3]]
        assert found == expected, brand
    store.close()


def test_the_demo_world_counts_share_of_voice_by_the_same_rule() -> None:
    from hubbub.brands import BrandMatcher
    from hubbub.demo.world import BRANDS as WORLD_BRANDS
    from hubbub.demo.world import compute_share_of_voice, generate

    records = generate(seed=5, posts=1000).records
    matcher = BrandMatcher(WORLD_BRANDS)
    counts = dict.fromkeys(matcher.names, 0)
    for record in records:
        for brand in matcher.mentioned(record["author"], record.get("mentions"), record["text"]):
            counts[brand] += 1
    total = sum(counts.values())
    shares = {brand: round(count / total, 6) for brand, count in counts.items()}
    assert shares == compute_share_of_voice(records)


# ---------------------------------------------------------------- summaries


def test_summaries_count_labels_per_brand_and_local_day(tmp_path: Path) -> None:
    from hubbub.analysis import SerialExecutor, plan, run_analyzers
    from hubbub.brands import BrandMatcher
    from hubbub.plugin_host import PluginHost
    from hubbub.sentiment_summary import local_windows, sentiment_summary
    from hubbub.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'h.db'}")
    # 03:00 UTC on 3 March is still 2 March in New York
    items = [
        ("I love skyjet! :)", "en", datetime(2026, 3, 2, 15)),
        ("skyjet lost my bag, awful", "en", datetime(2026, 3, 3, 3)),
        ("skyjet perdió mi maleta", "es", datetime(2026, 3, 3, 16)),
        ("aerolux is great", "en", datetime(2026, 3, 3, 17)),
        ("nothing to see", "en", datetime(2026, 3, 4, 12)),
    ]
    posts = [
        Post("twitter", str(n), "ann", text, created, lang=lang)
        for n, (text, lang, created) in enumerate(items)
    ]
    store.write_batch(posts, [], source="test")
    matcher = BrandMatcher(BRANDS)
    unanalysed = sentiment_summary(store, brands=matcher, by="overall")
    assert unanalysed[0]["not_analysed"] == 5 and unanalysed[0]["mean_compound"] is None
    run_analyzers(store, plan(PluginHost(load_entry_points=False)), executor=SerialExecutor())

    daily = sentiment_summary(
        store, brands=matcher, by="brand", window="day", timezone="America/New_York"
    )
    picked = [
        (row["brand"], row["window"], row["positive"], row["negative"], row["unsupported"])
        for row in daily
    ]
    assert picked == [
        ("skyjet", "2026-03-02", 1, 1, 0),
        ("skyjet", "2026-03-03", 0, 0, 1),
        ("aerolux", "2026-03-03", 1, 0, 0),
    ]
    first = daily[0]
    assert (first["positive_share"], first["negative_share"], first["net_sentiment"]) == (
        0.5,
        0.5,
        0.0,
    )
    assert daily[1]["positive_share"] is None  # nothing VADER could read that day
    overall = sentiment_summary(store, by="overall", window="week")
    assert [(row["window"], row["posts"]) for row in overall] == [("2026-03-02", 5)]
    assert overall[0]["positive"] + overall[0]["neutral"] + overall[0]["negative"] == 4
    since = sentiment_summary(store, by="overall", since=datetime(2026, 3, 3))
    assert since[0]["posts"] == 4
    windows = local_windows(datetime(2026, 3, 7), datetime(2026, 3, 9), "day", "Europe/Amsterdam")
    assert windows[0] == ("2026-03-07", datetime(2026, 3, 6, 23), datetime(2026, 3, 7, 23))
    store.close()
