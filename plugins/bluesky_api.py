"""Bluesky's XRPC API as a source (``type = "bluesky-api"``).

Streams: post searches (``app.bsky.feed.searchPosts``, newest first), author feeds
(``app.bsky.feed.getAuthorFeed``, replies included by default) and post threads
(``app.bsky.feed.getPostThread``). Responses are parsed by the ``bluesky`` file
format's parser.

With ``BLUESKY_HANDLE`` and ``BLUESKY_APP_PASSWORD`` set (the variable names are
options), the source logs in with ``com.atproto.server.createSession`` on ``service``
and sends its requests there; without them it reads the public AppView (``appview``),
where search may be refused.

Paging follows ``cursor`` back in time; a run stops at the newest post committed by
the last run (its ``indexedAt``, also sent to searchPosts as ``since``). While a run
pages, the stream's cursor holds the page token, so an interrupted run resumes
there. See ``docs/sources/bluesky-api.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from hubbub import hookimpl
from hubbub.api_source import ApiOptions, ApiSource, Page, file_parser
from hubbub.errors import SourceError
from pydantic import Field, field_validator

if TYPE_CHECKING:
    from hubbub.http import HttpClient


class BlueskyApiOptions(ApiOptions):
    """``[[sources]] type = "bluesky-api"``."""

    #: searches (``app.bsky.feed.searchPosts`` ``q``; Lucene-like syntax, ``from:``, ``#tag``)
    searches: list[str] = Field(default_factory=list)
    #: handles or DIDs whose feeds to follow
    authors: list[str] = Field(default_factory=list)
    #: ``at://`` URIs of posts whose whole threads to fetch on each run
    threads: list[str] = Field(default_factory=list)
    #: which of an author's posts: replies included by default
    author_filter: Literal[
        "posts_with_replies", "posts_no_replies", "posts_with_media", "posts_and_author_threads"
    ] = "posts_with_replies"
    #: posts per page (Bluesky allows 100)
    limit: int = Field(100, ge=1, le=100)
    #: the PDS to log in to and read through when credentials are set
    service: str = "https://bsky.social"
    #: the public AppView read without credentials
    appview: str = "https://public.api.bsky.app"
    #: environment variables with the account handle and an app password
    handle_env: str = "BLUESKY_HANDLE"
    password_env: str = "BLUESKY_APP_PASSWORD"

    @field_validator("service", "appview")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")


class BlueskyApiSource(ApiSource):
    """Bluesky posts: searches, author feeds with replies, threads."""

    name = "bluesky-api"
    description = "Bluesky API: searchPosts, author feeds, post threads (app-password login)"
    Options = BlueskyApiOptions

    @property
    def opts(self) -> BlueskyApiOptions:
        """The validated options."""
        return self.options  # type: ignore[return-value]

    def streams(self) -> list[str]:
        """``search:Q``, ``author:HANDLE`` and ``thread:URI`` for each configured one."""
        opts = self.opts
        return (
            [f"search:{q}" for q in opts.searches]
            + [f"author:{a.lstrip('@')}" for a in opts.authors]
            + [f"thread:{uri}" for uri in opts.threads]
        )

    def credentials(self) -> dict[str, str]:
        """The handle and app-password variables with their values."""
        return {name: self.env(name) for name in (self.opts.handle_env, self.opts.password_env)}

    def before_read(self) -> None:
        """Both credentials or neither; a fresh parser."""
        from hubbub.plugins.bluesky import BlueskySource

        values = self.credentials()
        if any(values.values()) and not all(values.values()):
            self.require_env(*values)
        self._parser = file_parser(BlueskySource, self.key)
        self._base = self.opts.appview

    def open_session(self, client: HttpClient) -> None:
        """Log in with the app password when it is set."""
        values = self.credentials()
        if not all(values.values()):
            return
        body = client.decode_json(
            client.request(
                "POST",
                f"{self.opts.service}/xrpc/com.atproto.server.createSession",
                json={
                    "identifier": values[self.opts.handle_env],
                    "password": values[self.opts.password_env],
                },
            )
        )
        token = body.get("accessJwt") if isinstance(body, dict) else None
        if not isinstance(token, str):
            raise SourceError(f"{self.key}: createSession answered without an accessJwt")
        client.add_secret(token)
        if isinstance(body.get("refreshJwt"), str):
            client.add_secret(body["refreshJwt"])
        client.set_header("Authorization", f"Bearer {token}")
        self._base = self.opts.service

    def pages(
        self, stream: str, cursor: dict[str, Any] | None, client: HttpClient
    ) -> Iterator[Page]:
        """The pages of one search, author feed or thread after ``cursor``."""
        kind, _, value = stream.partition(":")
        if kind == "thread":
            body = client.get_json(
                f"{self._base}/xrpc/app.bsky.feed.getPostThread", params={"uri": value}
            )
            yield Page(self.parse_with(self._parser.parse, body, "getPostThread"), None)
            return
        if kind == "search":
            method, params, key = (
                "app.bsky.feed.searchPosts",
                {"q": value, "sort": "latest"},
                "posts",
            )
        else:
            method = "app.bsky.feed.getAuthorFeed"
            params, key = {"actor": value, "filter": self.opts.author_filter}, "feed"
        cursor = cursor or {}
        since, token = cursor.get("since"), cursor.get("cursor")
        newest = cursor.get("pending") or since
        if kind == "search" and since:
            params["since"] = since
        for number in range(self.opts.max_pages):
            query = {**params, "limit": str(self.opts.limit)}
            if token:
                query["cursor"] = token
            body = client.get_json(f"{self._base}/xrpc/{method}", params=query)
            if not isinstance(body, dict) or not isinstance(body.get(key), list):
                raise SourceError(f"expected a {method} response with a {key} list")
            times = [_indexed_at(entry) for entry in body[key]]
            times = [time for time in times if time]
            newest = max([time for time in (newest, *times) if time], default=None)
            reached_known = bool(since) and any(time <= since for time in times)
            token = body.get("cursor") if isinstance(body.get("cursor"), str) else None
            results = self.parse_with(self._parser.parse, body, f"{method} page {number + 1}")
            if not body[key] or not token or reached_known or number + 1 == self.opts.max_pages:
                yield Page(results, {"since": newest} if newest else None)
                return
            yield Page(results, {"since": since, "cursor": token, "pending": newest})


def _indexed_at(entry: Any) -> str | None:
    """``indexedAt`` of a post view or a feed item's post."""
    if isinstance(entry, dict) and isinstance(entry.get("post"), dict):
        entry = entry["post"]
    value = entry.get("indexedAt") if isinstance(entry, dict) else None
    return value if isinstance(value, str) else None


@hookimpl
def register_sources(register):
    """Register the Bluesky API source."""
    register(BlueskyApiSource)
