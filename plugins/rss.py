"""RSS, Atom and JSON Feed as a source (``type = "rss"``).

Each feed is fetched with ``If-None-Match`` / ``If-Modified-Since`` from the ETag and
Last-Modified it last answered, so a feed that has not changed costs one 304 and
yields nothing. RSS and Atom are read by feedparser; JSON Feed (1.0 and 1.1) is read
here. An entry becomes a post with platform ``rss``: its id (or link) is the post id,
its title and summary (or content) the text. A feed that cannot be parsed at all is an
error for that feed; an entry without an id or a date is a reject. See
``docs/sources/rss.md``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from hubbub import hookimpl
from hubbub.api_source import ApiOptions, ApiSource, Page
from hubbub.errors import RecordError, SourceError
from hubbub.posts import Post, Reject
from pydantic import Field, field_validator

if TYPE_CHECKING:
    from hubbub.http import HttpClient


class RssOptions(ApiOptions):
    """``[[sources]] type = "rss"``."""

    #: feed URLs (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1)
    feeds: list[str] = Field(min_length=1)

    @field_validator("feeds")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return value


class RssSource(ApiSource):
    """Entries of RSS, Atom and JSON feeds, fetched only when a feed has changed."""

    name = "rss"
    description = "RSS / Atom / JSON Feed entries, with ETag and Last-Modified"
    Options = RssOptions

    def streams(self) -> list[str]:
        """One stream per feed URL."""
        return list(self.options.feeds)  # type: ignore[attr-defined]

    def pages(
        self, stream: str, cursor: dict[str, Any] | None, client: HttpClient
    ) -> Iterator[Page]:
        """The feed's entries as one page, or none when it answers 304 Not Modified."""
        cursor = cursor or {}
        headers = {
            "Accept": "application/atom+xml, application/rss+xml, application/feed+json, "
            "application/json;q=0.9, application/xml;q=0.8, */*;q=0.5"
        }
        if cursor.get("etag"):
            headers["If-None-Match"] = cursor["etag"]
        if cursor.get("modified"):
            headers["If-Modified-Since"] = cursor["modified"]
        response = client.get(stream, headers=headers, ok=(304,))
        if response.status_code == 304:
            return
        point = {
            name: value
            for name, value in (
                ("etag", response.headers.get("etag")),
                ("modified", response.headers.get("last-modified")),
            )
            if value
        }
        content_type = response.headers.get("content-type", "")
        body = response.content
        if "json" in content_type or body.lstrip()[:1] == b"{":
            entries = _json_feed_entries(client.decode_json(response))
        else:
            entries = _xml_feed_entries(body, stream, content_type)
        results: list[Post | Reject] = []
        for number, entry in enumerate(entries, 1):
            try:
                results.append(self._post(entry, stream))
            except RecordError as error:
                from hubbub.json_source import dumps

                results.append(Reject(f"{stream} entry {number}", str(error), dumps(entry)[:2000]))
        yield Page(results, point or None)

    def _post(self, entry: dict[str, Any], feed_url: str) -> Post:
        from hubbub.json_source import dumps
        from hubbub.records import extract_hashtags, extract_mentions

        external_id = entry.get("id") or entry.get("url")
        if not external_id:
            raise RecordError("entry has no id and no link")
        created = entry.get("created_at")
        if created is None:
            raise RecordError("entry has no published or updated date")
        text = "\n\n".join(part for part in (entry.get("title"), entry.get("text")) if part)
        return Post(
            platform="rss",
            external_id=str(external_id),
            author=entry.get("author") or entry.get("feed_title") or urlparse(feed_url).netloc,
            author_name=entry.get("author_name"),
            text=text,
            created_at=created,
            source=self.key,
            url=entry.get("url"),
            lang=entry.get("lang"),
            hashtags=entry.get("tags") or (extract_hashtags(text) if "#" in text else []),
            mentions=extract_mentions(text) if "@" in text else [],
            raw=dumps(entry.get("raw", entry)),
        )


def _html_text(value: Any) -> str:
    from hubbub.html_text import html_to_text

    return html_to_text(value) if isinstance(value, str) else ""


def _xml_feed_entries(body: bytes, url: str, content_type: str) -> list[dict[str, Any]]:
    import feedparser

    parsed = feedparser.parse(
        body, response_headers={"content-location": url, "content-type": content_type}
    )
    if parsed.bozo and not parsed.entries:
        reason = getattr(parsed, "bozo_exception", None) or "not a feed"
        raise SourceError(f"malformed feed ({reason})")
    if not parsed.version and not parsed.entries:
        raise SourceError("not an RSS, Atom or JSON feed")
    feed_title = parsed.feed.get("title")
    lang = parsed.feed.get("language")
    entries = []
    for entry in parsed.entries:
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        content = entry.get("content")
        html = content[0].get("value") if content else entry.get("summary")
        entries.append(
            {
                "id": entry.get("id"),
                "url": entry.get("link"),
                "title": _html_text(entry.get("title")),
                "text": _html_text(html),
                "author": entry.get("author"),
                "author_name": entry.get("author"),
                "feed_title": feed_title,
                "lang": (lang or "").lower()[:2] or None,
                "tags": [tag.get("term") for tag in entry.get("tags", []) if tag.get("term")],
                "created_at": (
                    datetime.fromtimestamp(calendar.timegm(when), UTC).replace(tzinfo=None)
                    if when
                    else None
                ),
                "raw": {key: _plain(value) for key, value in entry.items()},
            }
        )
    return entries


def _plain(value: Any) -> Any:
    """A feedparser value as JSON-ready data (its time tuples as lists)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def _json_feed_entries(body: Any) -> list[dict[str, Any]]:
    from hubbub.records import parse_timestamp

    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise SourceError("not a JSON Feed (no items list)")
    feed_title = body.get("title") if isinstance(body.get("title"), str) else None
    feed_authors = body.get("authors") or (
        [body["author"]] if isinstance(body.get("author"), dict) else []
    )
    entries = []
    for item in body["items"]:
        if not isinstance(item, dict):
            entries.append({"raw": item})
            continue
        authors = (
            item.get("authors")
            or ([item["author"]] if isinstance(item.get("author"), dict) else [])
            or feed_authors
        )
        name = authors[0].get("name") if authors and isinstance(authors[0], dict) else None
        when = item.get("date_published") or item.get("date_modified")
        try:
            created = parse_timestamp(when) if when else None
        except RecordError:
            created = None
        text = item.get("content_text") or _html_text(
            item.get("content_html") or item.get("summary")
        )
        entries.append(
            {
                "id": item.get("id"),
                "url": item.get("url"),
                "title": item.get("title") if isinstance(item.get("title"), str) else None,
                "text": text if isinstance(text, str) else "",
                "author": name,
                "author_name": name,
                "feed_title": feed_title,
                "lang": item.get("language") or body.get("language"),
                "tags": [tag for tag in item.get("tags") or [] if isinstance(tag, str)],
                "created_at": created,
                "raw": item,
            }
        )
    return entries


@hookimpl
def register_sources(register):
    """Register the feed source."""
    register(RssSource)
