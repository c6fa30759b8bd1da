"""The emotions plugin, tested with hubbub's helpers and fixtures (installed or not)."""

from __future__ import annotations

from typing import Any

import hubbub_emotions
import pytest
from hubbub.testing import make_host, make_post

PLUGINS = {"emotions": hubbub_emotions}

BRANDS = {
    "acme": {"handles": ["Acme"], "keywords": ["acme"]},
    "globex": {"handles": ["Globex"], "keywords": ["globex"]},
}
#: acme: 2 joy, 1 anger, 1 joy+anger tie, 1 without emotion; globex: 1 fear
POSTS = [
    {"text": "I love acme, so happy"},
    {"text": "acme is awesome"},
    {"text": "acme is the worst, I hate it"},
    {"text": "love acme but the app is terrible"},
    {"text": "acme opens at nine"},
    {"text": "worried about globex"},
    {"text": "not happy with globex", "lang": "en"},
]


def analyze(text: str, **options: Any) -> dict[str, Any]:
    analyzer = hubbub_emotions.Emotions(hubbub_emotions.EmotionOptions(**options))
    return analyzer.analyze([make_post(text=text)])[0]


def test_plugin_registers_two_analyzers_and_a_command() -> None:
    host = make_host(PLUGINS)
    assert host.errors.get("emotions") is None
    info = host.info["emotions"]
    assert info.registered == ["analyzer:emotions", "analyzer:emotion-share"]
    assert "register_commands" in info.hooks
    assert info.options_model is hubbub_emotions.PluginOptions


def test_counts_words_per_emotion_and_names_the_dominant_one() -> None:
    assert analyze("Love it, so happy! But the queue was terrible") == {
        "counts": {"joy": 2, "anger": 1},
        "dominant": "joy",
        "supported": True,
    }
    assert analyze("opens at nine")["dominant"] is None
    assert analyze("love it, hate it")["dominant"] == "joy+anger"


def test_a_negated_word_is_not_counted() -> None:
    assert analyze("not happy, never glad, don't love it")["counts"] == {}


def test_extra_words_and_languages_options() -> None:
    assert analyze("a total ripoff", extra_words={"anger": ["ripoff"]})["dominant"] == "anger"
    analyzer = hubbub_emotions.Emotions()
    (result,) = analyzer.analyze([make_post(text="love", lang="de")])
    assert result == {"counts": {}, "dominant": None, "supported": False}


def test_emotion_share_per_brand_after_analyze(hubbub_project: Any, hubbub_cli: Any) -> None:
    project = hubbub_project(POSTS, {"brands": BRANDS})
    analyzed = hubbub_cli("analyze", "--only", "emotions", project=project, plugins=PLUGINS)
    assert analyzed.exit_code == 0, analyzed.output
    result = hubbub_cli("emotions", "--format", "json", project=project, plugins=PLUGINS)
    assert result.exit_code == 0, result.output
    rows = {row["brand"]: row for row in result.json()}
    assert rows["acme"] == {
        "brand": "acme",
        "posts": 5,
        "emotional": 4,
        "joy": 0.625,
        "trust": 0.0,
        "surprise": 0.0,
        "sadness": 0.0,
        "fear": 0.0,
        "anger": 0.375,
    }
    assert (rows["globex"]["posts"], rows["globex"]["emotional"], rows["globex"]["fear"]) == (
        2,
        1,
        1.0,
    )


def test_emotion_share_without_analyze_reads_the_text(hubbub_project: Any) -> None:
    project = hubbub_project(POSTS, {"brands": BRANDS}, plugins=PLUGINS)
    analyzer = project.host.get("analyzer", "emotion-share")()
    (finding,) = analyzer.run(project, {"brand": "acme"})
    assert finding["subject"] == "acme"
    assert finding["score"] == pytest.approx(4 / 5)
    assert finding["details"]["shares"]["joy"] == 0.625


def test_plugin_options_choose_emotions_and_a_minimum(hubbub_project: Any, hubbub_cli: Any) -> None:
    config = {
        "brands": BRANDS,
        "plugins": {"emotions": {"min_posts": 2, "emotions": ["anger", "joy"]}},
    }
    project = hubbub_project(POSTS, config)
    result = hubbub_cli("emotions", "--format", "json", project=project, plugins=PLUGINS)
    assert result.exit_code == 0, result.output
    rows = {row["brand"]: row for row in result.json()}
    assert list(rows["acme"]) == ["brand", "posts", "emotional", "anger", "joy"]
    assert rows["globex"]["anger"] is None  # one emotional post, fewer than min_posts


def test_a_bad_plugin_option_is_one_error_naming_the_table(
    hubbub_project: Any, hubbub_cli: Any
) -> None:
    project = hubbub_project(POSTS, {"brands": BRANDS, "plugins": {"emotions": {"min_post": 2}}})
    result = hubbub_cli("emotions", project=project, plugins=PLUGINS)
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("[plugins.emotions]: min_post: unknown key")
    listed = hubbub_cli("plugins", "--format", "json", project=project, plugins=PLUGINS)
    row = next(row for row in listed.json() if row["name"] == "emotions")
    assert row["errors"] == [result.stderr.strip().removeprefix("Error: ")]


def test_unknown_brand_is_a_clear_error(hubbub_project: Any, hubbub_cli: Any) -> None:
    project = hubbub_project(POSTS, {"brands": BRANDS})
    result = hubbub_cli("emotions", "--brand", "initech", project=project, plugins=PLUGINS)
    assert result.exit_code == 1
    assert "unknown brand 'initech' (configured: acme, globex)" in result.stderr


def test_report_has_an_emotions_section(hubbub_project: Any, hubbub_cli: Any) -> None:
    project = hubbub_project(POSTS, {"brands": BRANDS})
    result = hubbub_cli("report", "--format", "json", project=project, plugins=PLUGINS)
    assert result.exit_code == 0, result.output
    report = result.json()
    assert report["problems"] == []
    (section,) = [section for section in report["sections"] if section["id"] == "emotions"]
    assert section["source"] == "emotions"
    (table,) = section["tables"]
    acme = next(row for row in table["rows"] if row["brand"] == "acme")
    assert (acme["joy"], acme["anger"]) == (0.625, 0.375)
    (chart,) = section["charts"]
    assert chart["x"] == ["acme", "globex"]


def test_no_brands_no_section(hubbub_project: Any, hubbub_cli: Any) -> None:
    project = hubbub_project(POSTS)
    result = hubbub_cli("report", "--format", "json", project=project, plugins=PLUGINS)
    assert result.exit_code == 0, result.output
    assert "emotions" not in [section["id"] for section in result.json()["sections"]]
