"""Which brands a post mentions: one rule, in Python for batches and in SQL for aggregates.

A brand (``[brands.NAME]`` with ``handles`` and ``keywords``) is mentioned by a post when

1. the post is not authored by one of the brand's handles (case-insensitive), and
2. the post @-mentions one of its handles (the post's ``mentions`` list,
   case-insensitive), or its text contains one of its keywords as a whole word,
   case-insensitive. *Whole word*: not next to a letter, digit, underscore or ``@`` on
   either side, so ``skyjet`` inside ``@SkyJetHelp`` or ``skyjet_fan`` does not count.

Reposts count like any other post. :class:`BrandMatcher` applies the rule to posts in
Python; :meth:`BrandMatcher.sql_condition` is the same rule as a SQL condition on the
``posts`` table (SQLite and PostgreSQL), so summaries aggregate in the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa

if TYPE_CHECKING:
    from hubbub.config import BrandSection, Config


def keyword_pattern(keywords: Iterable[str]) -> str | None:
    """The regular expression (Python and PostgreSQL syntax) matching any keyword as a whole word.

    Case-insensitivity is not part of the pattern: :data:`re.IGNORECASE` in Python, the
    ``(?i)`` prefix on SQLite and ``~*`` on PostgreSQL add it.
    """
    words = sorted({word.strip() for word in keywords if word.strip()}, key=lambda w: (-len(w), w))
    if not words:
        return None
    return r"(?<![\w@])(?:" + "|".join(re.escape(word) for word in words) + r")(?![\w@])"


@dataclass(frozen=True)
class Brand:
    """One brand's matching rule, prepared.

    :param name: the brand's key in ``hubbub.toml``.
    :param handles: its accounts, lower-cased, without ``@``.
    :param keywords: words that name it.
    """

    name: str
    handles: frozenset[str]
    keywords: tuple[str, ...]

    @property
    def pattern(self) -> str | None:
        """The whole-word keyword pattern, or ``None`` without keywords."""
        return keyword_pattern(self.keywords)


def _mention_list(mentions: str | Sequence[str] | None) -> Sequence[str]:
    if not mentions:
        return ()
    if isinstance(mentions, str):
        return orjson.loads(mentions)  # the posts table keeps a JSON list
    return mentions


class BrandMatcher:
    """Finds the brands a post mentions (the rule in the module docstring).

    :param brands: brand name -> its config section (or a mapping with ``handles`` and
        ``keywords``), as in ``Config.brands``.
    """

    def __init__(self, brands: Mapping[str, BrandSection | Mapping[str, Any]]) -> None:
        self.brands: list[Brand] = []
        self._compiled: list[tuple[Brand, re.Pattern[str] | None, tuple[str, ...]]] = []
        for name, section in brands.items():
            handles = _field(section, "handles")
            keywords = _field(section, "keywords")
            brand = Brand(
                name,
                frozenset(handle.lstrip("@").lower() for handle in handles if handle.strip()),
                tuple(word for word in keywords if word.strip()),
            )
            pattern = brand.pattern
            compiled = re.compile(pattern, re.IGNORECASE) if pattern else None
            lowered = tuple(word.strip().lower() for word in brand.keywords)
            self.brands.append(brand)
            self._compiled.append((brand, compiled, lowered))

    @classmethod
    def from_config(cls, config: Config) -> BrandMatcher:
        """The matcher for a project's ``[brands]``."""
        return cls(config.brands)

    @property
    def names(self) -> list[str]:
        """Brand names, in configuration order."""
        return [brand.name for brand in self.brands]

    def mentioned(
        self, author: str, mentions: str | Sequence[str] | None, text: str | None
    ) -> list[str]:
        """The brands one post mentions, in configuration order.

        :param author: the post's author handle.
        :param mentions: the handles it @-mentions (a list, or the JSON text the store keeps).
        :param text: the post's text.
        """
        author_lower = (author or "").lower()
        mentioned = {handle.lower() for handle in _mention_list(mentions)}
        text = text or ""
        lowered = text.lower()
        found = []
        for brand, compiled, words in self._compiled:
            if author_lower in brand.handles:
                continue
            if mentioned & brand.handles or (
                compiled is not None
                and any(word in lowered for word in words)  # cheap test before the regex
                and compiled.search(text)
            ):
                found.append(brand.name)
        return found

    def match_batch(self, posts: Iterable[Any]) -> list[list[str]]:
        """:meth:`mentioned` for each post (objects or rows with ``author``, ``mentions``, ``text``)."""
        return [self.mentioned(post.author, post.mentions, post.text) for post in posts]

    def brand(self, name: str) -> Brand:
        """The brand called ``name``; ``KeyError`` if it is not configured."""
        for brand in self.brands:
            if brand.name == name:
                return brand
        raise KeyError(name)

    def sql_condition(
        self, name: str, posts: sa.Table | sa.sql.Alias | None = None, *, dialect: str = "sqlite"
    ) -> sa.ColumnElement[bool]:
        """The rule for brand ``name`` as a SQL condition on a ``posts`` row.

        :param posts: the posts table (or an alias of it); default :data:`hubbub.store.posts_table`.
        :param dialect: ``sqlite`` or ``postgresql`` (how the mention list and regex are read).
        """
        if posts is None:
            from hubbub.store import posts_table

            posts = posts_table
        brand = self.brand(name)
        columns = posts.c
        handles = sorted(brand.handles)
        either: list[sa.ColumnElement[bool]] = []
        if handles:
            if dialect == "postgresql":
                elements = sa.func.json_array_elements_text(
                    sa.cast(columns.mentions, sa.JSON)
                ).table_valued("value")
            else:
                elements = sa.func.json_each(columns.mentions).table_valued("value")
            either.append(
                sa.exists(
                    sa.select(sa.literal(1))
                    .select_from(elements)
                    .where(sa.func.lower(elements.c.value).in_(handles))
                )
            )
        pattern = brand.pattern
        if pattern:
            if dialect == "postgresql":
                found = columns.text.regexp_match(pattern, flags="i")
            else:
                found = columns.text.regexp_match("(?i)" + pattern)
            ascii_words = [word for word in brand.keywords if word.isascii()]
            if len(ascii_words) == len(brand.keywords):
                # LIKE runs in C and folds ASCII case: a cheap filter before the regex
                likes = [
                    sa.func.lower(columns.text).contains(word.strip().lower(), autoescape=True)
                    for word in ascii_words
                ]
                found = sa.and_(sa.or_(*likes), found)
            either.append(found)
        if not either:
            return sa.false()
        not_own = sa.func.lower(columns.author).not_in(handles) if handles else sa.true()
        return sa.and_(not_own, sa.or_(*either))


def _field(section: Any, name: str) -> list[str]:
    if isinstance(section, Mapping):
        return list(section.get(name) or ())
    return list(getattr(section, name, None) or ())
