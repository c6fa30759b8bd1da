"""Example hubbub plugin: emotions from a small lexicon, and each brand's emotion share.

- Post analyzer ``emotions``: counts the words of each emotion in a post (``joy``,
  ``trust``, ``surprise``, ``sadness``, ``fear``, ``anger``) and names the *dominant*
  one (most words; ``null`` without any). A word right after a negation (``not``,
  ``never``, ``no``, a word ending in ``n't``) is not counted. The lexicon is English,
  so a post whose language tag is set and not in ``languages`` gets ``supported: false``.
  Settings: ``[analyzers.emotions]`` (``extra_words``, ``languages``).
- Corpus analyzer ``emotion-share``: for each brand in ``[brands]``, of the posts that
  mention it and carry an emotion, the share whose dominant emotion is each one (a tie
  splits the post equally). Uses the stored ``emotions`` annotations, analysing the text
  on the fly where a post has none.
- Command ``hubbub emotions``: the shares as a table, JSON or CSV.
- Report section ``emotions`` (the ``report_sections`` hook): the shares as a bar chart
  and a table in every report format.
- Plugin settings ``[plugins.emotions]`` (:class:`PluginOptions`): ``min_posts`` and
  ``emotions``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from hubbub import CorpusAnalyzer, HubbubError, Options, PostAnalyzer, hookimpl
from hubbub.cli.output import OutputFormat
from pydantic import Field

if TYPE_CHECKING:
    from hubbub.project import Project
    from hubbub.report import ReportScope, Section

PLUGIN_NAME = "emotions"
Emotion = Literal["joy", "trust", "surprise", "sadness", "fear", "anger"]
EMOTIONS: tuple[str, ...] = ("joy", "trust", "surprise", "sadness", "fear", "anger")

#: a small hand-made lexicon (word -> emotion); ``extra_words`` adds to it
LEXICON: dict[str, tuple[str, ...]] = {
    "joy": (
        "love",
        "loved",
        "loving",
        "happy",
        "glad",
        "great",
        "awesome",
        "amazing",
        "wonderful",
        "delighted",
        "thrilled",
        "enjoy",
        "enjoyed",
        "fantastic",
        "yay",
    ),
    "trust": (
        "reliable",
        "trust",
        "trusted",
        "honest",
        "safe",
        "dependable",
        "helpful",
        "recommend",
    ),
    "surprise": ("wow", "surprised", "unexpected", "suddenly", "shocked", "whoa", "unbelievable"),
    "sadness": (
        "sad",
        "disappointed",
        "disappointing",
        "unhappy",
        "miss",
        "sorry",
        "lost",
        "crying",
    ),
    "fear": ("afraid", "scared", "worried", "worry", "anxious", "nervous", "terrified", "risk"),
    "anger": (
        "angry",
        "furious",
        "hate",
        "hated",
        "outraged",
        "annoyed",
        "ridiculous",
        "worst",
        "terrible",
        "awful",
        "scam",
        "livid",
    ),
}
NEGATIONS = frozenset({"not", "never", "no", "nor", "cannot", "without"})
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


class EmotionOptions(Options):
    """``[analyzers.emotions]``."""

    extra_words: dict[Emotion, list[str]] = Field(
        default_factory=dict, description="More words per emotion, e.g. {anger = ['rip-off']}."
    )
    languages: list[str] = Field(
        default_factory=lambda: ["en"],
        description="Language tags the lexicon reads; posts tagged otherwise are unsupported.",
    )


class PluginOptions(Options):
    """``[plugins.emotions]``: how ``emotion-share`` reports."""

    min_posts: int = Field(
        1, ge=1, description="Emotional posts a brand needs before its shares are reported."
    )
    emotions: list[Emotion] = Field(
        default_factory=lambda: list(EMOTIONS), description="The emotions to report, in order."
    )


def lexicon(options: EmotionOptions) -> dict[str, str]:
    """Word -> emotion, the built-in words plus ``extra_words``."""
    words = {word: emotion for emotion, listed in LEXICON.items() for word in listed}
    for emotion, listed in options.extra_words.items():
        words.update({word.lower(): emotion for word in listed})
    return words


def count_emotions(text: str, words: dict[str, str]) -> dict[str, int]:
    """Emotion -> how many of its words ``text`` holds (negated words left out)."""
    counts: Counter[str] = Counter()
    previous = ""
    for token in _WORD.findall(text.lower()):
        emotion = words.get(token)
        negated = previous in NEGATIONS or previous.endswith("n't")
        if emotion is not None and not negated:
            counts[emotion] += 1
        previous = token
    return {emotion: counts[emotion] for emotion in EMOTIONS if counts[emotion]}


def dominant(counts: dict[str, int]) -> list[str]:
    """The emotions with the most words (several on a tie; none without any)."""
    if not counts:
        return []
    top = max(counts.values())
    return [emotion for emotion in EMOTIONS if counts.get(emotion) == top]


class Emotions(PostAnalyzer):
    """Lexicon emotions per post: ``counts`` per emotion and the ``dominant`` one(s)."""

    name = "emotions"
    description = "emotion words per post (joy, trust, surprise, sadness, fear, anger)"
    version = "1"
    Options = EmotionOptions
    summary_key = "dominant"

    def __init__(self, options: Options | None = None) -> None:
        super().__init__(options)
        self.words = lexicon(self.options)  # type: ignore[arg-type]

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        """One ``{"counts", "dominant", "supported"}`` per post (``posts`` have ``text`` and ``lang``)."""
        languages = set(self.options.languages)  # type: ignore[attr-defined]
        results = []
        for post in posts:
            lang = getattr(post, "lang", None)
            if lang and lang not in languages:
                results.append({"counts": {}, "dominant": None, "supported": False})
                continue
            counts = count_emotions(post.text, self.words)
            top = dominant(counts)
            results.append({"counts": counts, "dominant": "+".join(top) or None, "supported": True})
        return results


def _posts_and_dominant(
    project: Project, batch_size: int = 5000
) -> Iterator[tuple[list[Any], dict[int, str | None]]]:
    """Batches of posts (only the columns brand matching needs) and their stored ``dominant``.

    Reading just these columns, and just this analyzer's one key, keeps a corpus scan
    cheap: whole rows carry raw payloads, and every analyzer's annotations.
    """
    import orjson
    import sqlalchemy as sa
    from hubbub.store import annotations_table, posts_table

    p, a = posts_table.c, annotations_table.c
    last = 0
    with project.store.engine.connect() as conn:
        while True:
            rows = conn.execute(
                sa.select(p.id, p.author, p.mentions, p.text, p.lang)
                .where(p.id > last)
                .order_by(p.id)
                .limit(batch_size)
            ).all()
            if not rows:
                return
            dominant = conn.execute(
                sa.select(a.post_id, a.value).where(
                    a.analyzer == "emotions",
                    a.key == "dominant",
                    a.post_id.in_([row.id for row in rows]),
                )
            ).all()
            yield rows, {post_id: orjson.loads(value) for post_id, value in dominant}
            last = rows[-1].id


class EmotionShare(CorpusAnalyzer):
    """Per brand: the share of its emotional mentions whose dominant emotion is each one."""

    name = "emotion-share"
    description = "each brand's emotion share, from the emotions analyzer"

    def run(self, project: Project, scope: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """One finding per brand: ``score`` = share of its mentions carrying an emotion.

        :param scope: optional ``brand`` (a name or a list of names).
        """
        from hubbub.brands import BrandMatcher

        settings: PluginOptions = project.plugin_options(self.plugin or PLUGIN_NAME)  # type: ignore[assignment]
        section = dict(project.config.analyzers.get("emotions") or {})
        section.pop("enabled", None)
        fallback = Emotions(Emotions.parse_options(section, "[analyzers.emotions]"))
        matcher = BrandMatcher.from_config(project.config)
        wanted = scope.get("brand")
        names = [wanted] if isinstance(wanted, str) else list(wanted or matcher.names)
        unknown = [name for name in names if name not in matcher.names]
        if unknown:
            raise HubbubError(
                f"unknown brand {unknown[0]!r} (configured: {', '.join(matcher.names) or 'none'})"
            )
        posts = Counter[str]()
        emotional = Counter[str]()
        shares: dict[str, Counter[str]] = {name: Counter() for name in names}
        for rows, stored_dominant in _posts_and_dominant(project):
            for row, brands in zip(rows, matcher.match_batch(rows), strict=True):
                brands = [brand for brand in brands if brand in shares]
                if not brands:
                    continue
                if row.id in stored_dominant:
                    found = stored_dominant[row.id]
                else:  # not analysed yet: the lexicon on the spot
                    found = fallback.analyze([row])[0]["dominant"]
                top = (found or "").split("+")
                top = [emotion for emotion in top if emotion]
                for brand in brands:
                    posts[brand] += 1
                    if top:
                        emotional[brand] += 1
                        for emotion in top:
                            shares[brand][emotion] += 1 / len(top)
        for brand in names:
            reported = emotional[brand] >= settings.min_posts
            yield {
                "subject": brand,
                "score": emotional[brand] / posts[brand] if posts[brand] else 0.0,
                "details": {
                    "posts": posts[brand],
                    "emotional": emotional[brand],
                    "shares": {
                        emotion: (
                            round(shares[brand][emotion] / emotional[brand], 4)
                            if reported
                            else None
                        )
                        for emotion in settings.emotions
                    },
                },
            }


def share_rows(findings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flat rows (brand, posts, emotional, one column per emotion) for printing."""
    return [
        {
            "brand": finding["subject"],
            "posts": finding["details"]["posts"],
            "emotional": finding["details"]["emotional"],
            **finding["details"]["shares"],
        }
        for finding in findings
    ]


@hookimpl
def register_analyzers(register: Any) -> None:
    """Register the ``emotions`` post analyzer and the ``emotion-share`` corpus analyzer."""
    register(Emotions)
    register(EmotionShare)


@hookimpl
def report_sections(project: Project, scope: ReportScope) -> list[Section] | None:
    """An ``emotions`` section: each brand's emotion share (nothing without brands)."""
    from hubbub.report import Chart, Section, Series, Table

    if not project.config.brands:
        return None
    settings: PluginOptions = project.plugin_options(PLUGIN_NAME)  # type: ignore[assignment]
    rows = share_rows(EmotionShare().run(project, {}))
    chart = Chart(
        title="Emotion share per brand",
        x=[row["brand"] for row in rows],
        series=[Series(emotion, [row[emotion] for row in rows]) for emotion in settings.emotions],
        kind="bar",
        x_label="brand",
        percent=True,
    )
    return [
        Section(
            "emotions",
            "Emotions",
            intro=(
                "Of each brand's mentions that carry an emotion word, the share whose "
                "dominant emotion is each one (lexicon of the hubbub-emotions plugin; "
                "all posts, whatever the report's time frame)."
            ),
            charts=[chart],
            tables=[
                Table("Emotion share", ["brand", "posts", "emotional", *settings.emotions], rows)
            ],
            order=250,
        )
    ]


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    """Add ``hubbub emotions``."""

    @cli.command("emotions")
    def emotions_command(
        project: Annotated[
            Path | None, typer.Option("--project", "-p", help="Project directory.")
        ] = None,
        brand: Annotated[
            list[str] | None, typer.Option("--brand", help="Only this brand (repeatable).")
        ] = None,
        fmt: Annotated[
            OutputFormat, typer.Option("--format", help="Output format.")
        ] = OutputFormat.table,
    ) -> None:
        """Each brand's emotion share: of its mentions with an emotion, the share of each."""
        from hubbub.cli.output import emit
        from hubbub.plugin_host import get_host
        from hubbub.project import Project

        try:
            loaded = Project.load(project)
            analyzer = get_host().get("analyzer", "emotion-share")()
            rows = share_rows(analyzer.run(loaded, {"brand": brand or None}))
        except HubbubError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(1) from None
        loaded.close()
        emit(rows, fmt, title="Emotion share per brand")
