"""HTML fragments (Mastodon ``content``, Hacker News comments) as plain text.

:func:`html_to_text` keeps what a reader sees: paragraphs (``<p>``, ``<div>``,
``<blockquote>``, …) are separated by a blank line, ``<br>`` and list items start a
new line, runs of whitespace collapse to one space (except inside ``<pre>``), entities
are decoded, and ``<script>``/``<style>`` bodies are dropped. A link keeps its visible
text (Mastodon hides the middle of long URLs in ``class="invisible"`` spans, which are
text all the same, so the whole URL survives); a link whose text is empty, or is the
href cut short with an ellipsis (as Hacker News shows long URLs), becomes its href.
A caller may rewrite links (e.g. a mention's ``@user`` into ``@user@instance``) with
``link_text``.

Malformed markup never raises: :mod:`html.parser` is lenient (unclosed and stray tags,
a bare ``<``), and anything it still chokes on falls back to stripping tags. Tidy
markup (every ``<`` starts a plain tag, as Mastodon's sanitiser and Hacker News write
it) skips the parser: one regular expression yields the same events, several times
faster, which matters when a file holds millions of posts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

#: ``link_text(href, visible_text, classes)`` -> the text to put in place of a link, or
#: ``None`` for the default (the visible text, or the href)
LinkText = Callable[[str, str, frozenset[str]], str | None]

#: elements that stand apart from their neighbours by a blank line
_PARAGRAPHS = frozenset(
    {"p", "div", "blockquote", "pre", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
)
#: elements that start a new line
_LINES = frozenset({"li", "tr", "dt", "dd", "hr"})
_SKIPPED = frozenset({"script", "style", "template"})
_WHITESPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")
_ELLIPSES = ("...", "…")
#: one token of tidy markup: a start or end tag (attributes quoted or bare), or text
_TOKEN = r"""<(/?)([A-Za-z][A-Za-z0-9]*)((?:[^<>"']|"[^"]*"|'[^']*')*)>|([^<]+)"""
_TOKENS = re.compile(_TOKEN)
_ATTRIBUTE = re.compile(
    r"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"""
)


class _TextBuilder:
    """Collects text and line breaks from the tag and text events of a fragment."""

    __slots__ = ("anchor", "link_text", "out", "pending", "preformatted", "skipping")

    def __init__(self, link_text: LinkText | None) -> None:
        self.link_text = link_text
        self.out: list[str] = []
        #: newlines owed before the next text (0, 1 or 2 from blocks; more from <br>s)
        self.pending = 0
        self.skipping = 0
        self.preformatted = 0
        #: the link being read: (href, classes, its text parts)
        self.anchor: tuple[str, frozenset[str], list[str]] | None = None

    # ------------------------------------------------------------ output

    def _text(self, text: str) -> None:
        if not self.preformatted:
            text = _WHITESPACE.sub(" ", text)
            if self.pending or not self.out or self.out[-1].endswith("\n"):
                text = text.lstrip(" ")
        if not text:
            return
        if self.pending and self.out:
            self.out[-1] = self.out[-1].rstrip(" ")
            self.out.append("\n" * self.pending)
        self.pending = 0
        self.out.append(text)

    def _break(self, newlines: int) -> None:
        if self.out:
            self.pending = max(self.pending, newlines)

    # ------------------------------------------------------------ parser events

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            if self.anchor is not None:
                self.anchor[2].append(" ")
            elif self.out:
                self.pending += 1
        elif tag == "a":
            if self.anchor is not None:
                self._close_anchor()
            values = dict(attrs)
            classes = frozenset((values.get("class") or "").split())
            self.anchor = (values.get("href") or "", classes, [])
        elif tag in _PARAGRAPHS:
            if self.anchor is not None:
                self._close_anchor()
            self._break(2)
            if tag == "pre":
                self.preformatted += 1
        elif tag in _LINES:
            self._break(1)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "a":
            self._close_anchor()
        elif tag in _PARAGRAPHS:
            if self.anchor is not None:
                self._close_anchor()
            self._break(2)
            if tag == "pre":
                self.preformatted = max(0, self.preformatted - 1)
        elif tag in _LINES:
            self._break(1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.anchor is not None:
            self.anchor[2].append(data)
        else:
            self._text(data)

    def _close_anchor(self) -> None:
        if self.anchor is None:
            return
        href, classes, parts = self.anchor
        self.anchor = None
        visible = _WHITESPACE.sub(" ", "".join(parts)).strip()
        replacement = self.link_text(href, visible, classes) if self.link_text else None
        if replacement is None:
            replacement = _default_link_text(href, visible)
        self._text(replacement)

    def result(self) -> str:
        """The text collected so far, once the input is fully fed."""
        self._close_anchor()
        return "".join(self.out).rstrip()


class _Parser(HTMLParser):
    """:mod:`html.parser` handing its events to a :class:`_TextBuilder`."""

    def __init__(self, builder: _TextBuilder) -> None:
        super().__init__(convert_charrefs=True)
        self.handle_starttag = builder.handle_starttag  # type: ignore[method-assign]
        self.handle_endtag = builder.handle_endtag  # type: ignore[method-assign]
        self.handle_data = builder.handle_data  # type: ignore[method-assign]


def _default_link_text(href: str, visible: str) -> str:
    """The visible text, or the href when the text is empty or the href cut short."""
    if not visible:
        return href
    for ellipsis in _ELLIPSES:
        if visible.endswith(ellipsis) and href:
            shown = visible[: -len(ellipsis)]
            bare = href.split("://", 1)[-1]
            if href.startswith(shown) or bare.startswith(shown) or bare.startswith("www." + shown):
                return href
    return visible


def html_to_text(fragment: str | None, *, link_text: LinkText | None = None) -> str:
    """Plain text of an HTML fragment; ``""`` for ``None``.

    :param link_text: rewrites links, see :data:`LinkText`.
    :returns: the text, with paragraphs separated by a blank line and no leading or
        trailing whitespace.
    """
    if not fragment:
        return ""
    if "<" not in fragment:
        # plain text (some servers send no markup at all): keep its line breaks
        return html.unescape(fragment).strip()
    if _may_be_tidy(fragment):
        builder = _TextBuilder(link_text)
        # every "<" must have started a tag token (one with a "<" in a quoted
        # attribute, or a stray "<" findall stepped over, makes the counts differ)
        if _feed_tidy(builder, _TOKENS.findall(fragment)) == fragment.count("<"):
            return builder.result()
    builder = _TextBuilder(link_text)
    try:
        parser = _Parser(builder)
        parser.feed(fragment)
        parser.close()
    except Exception:  # the parser's last-resort assertions: strip tags instead
        return _WHITESPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()
    return builder.result()


def _may_be_tidy(fragment: str) -> bool:
    """Whether ``fragment`` can be tidy markup: no comments, declarations or scripts.

    Tidy markup (every ``<`` starts a plain tag) is what Mastodon's sanitiser and
    Hacker News send. It is tokenised with one regular expression, several times
    faster than :mod:`html.parser`; the events are the same, so the text is too.
    """
    if "<!" in fragment or "<?" in fragment:
        return False
    lowered = fragment.lower()
    return "<script" not in lowered and "<style" not in lowered and "<template" not in lowered


#: the tags :class:`_TextBuilder` acts on; others (span, b, i, …) only hold text
_MEANINGFUL = _SKIPPED | _PARAGRAPHS | _LINES | {"a", "br"}


def _feed_tidy(builder: _TextBuilder, tokens: list[tuple[str, str, str, str]]) -> int:
    """Drive ``builder`` with the tokens of tidy markup, as the parser would.

    :returns: how many tag tokens there were.
    """
    tags = 0
    unescape = html.unescape
    data_event, start_event, end_event = (
        builder.handle_data,
        builder.handle_starttag,
        builder.handle_endtag,
    )
    for closing, tag, attributes, data in tokens:
        if data:
            data_event(unescape(data) if "&" in data else data)
            continue
        tags += 1
        if not tag.islower():
            tag = tag.lower()
        if tag not in _MEANINGFUL:
            continue
        if closing:
            end_event(tag)
            continue
        pairs: list[tuple[str, str | None]] = []
        if tag == "a" and attributes:
            for name, double, single, bare in _ATTRIBUTE.findall(attributes):
                value = double or single or bare
                pairs.append((name.lower(), unescape(value) if "&" in value else value))
        start_event(tag, pairs)
        if attributes.endswith("/"):
            end_event(tag)
    return tags
