"""Reddit listings as a source (``type = "reddit-api"``): public JSON or OAuth.

Streams: a subreddit's newest posts (``/r/NAME/new``), searches (within subreddits or
all of Reddit, newest first) and, with ``comments = true``, the comment tree of each
post read (``/comments/ID``). Responses are parsed by the ``reddit`` file format's
parser.

Without credentials the source reads the public ``.json`` listings of ``base_url``.
With ``REDDIT_CLIENT_ID`` and ``REDDIT_CLIENT_SECRET`` set (the names are options) it
gets an application-only OAuth token (``client_credentials``) and reads
``oauth_url``.

Paging follows ``after`` back in time and stops at the newest post committed by the
last run (its ``created_utc``); while a run pages, the stream's cursor holds the
``after`` token, so an interrupted run resumes there. See ``docs/sources/reddit-api.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hubbub import hookimpl
from hubbub.api_source import ApiOptions, ApiSource, Page, file_parser
from hubbub.errors import SourceError
from hubbub.posts import Reject
from pydantic import Field, field_validator

if TYPE_CHECKING:
    from hubbub.http import HttpClient


class RedditApiOptions(ApiOptions):
    """``[[sources]] type = "reddit-api"``."""

    #: subreddits (without ``r/``) whose newest posts to follow
    subreddits: list[str] = Field(default_factory=list)
    #: searches; with ``search_subreddits`` each is restricted to those subreddits
    searches: list[str] = Field(default_factory=list)
    search_subreddits: list[str] = Field(default_factory=list)
    #: also fetch the comment tree of each post read
    comments: bool = False
    #: calls to ``/api/morechildren`` per post for the comments behind "more" stubs
    #: (100 comments a call; 0: leave the stubs unread)
    more_calls: int = Field(10, ge=0, le=1000)
    #: things per page (Reddit allows 100)
    limit: int = Field(100, ge=1, le=100)
    #: where public JSON is read, where OAuth requests go, and where tokens come from
    base_url: str = "https://www.reddit.com"
    oauth_url: str = "https://oauth.reddit.com"
    token_url: str = "https://www.reddit.com/api/v1/access_token"
    #: environment variables with an OAuth app's id and secret (optional)
    client_id_env: str = "REDDIT_CLIENT_ID"
    client_secret_env: str = "REDDIT_CLIENT_SECRET"

    @field_validator("base_url", "oauth_url", "token_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("subreddits", "search_subreddits")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        return [name.removeprefix("/").removeprefix("r/") for name in value]


class RedditApiSource(ApiSource):
    """Reddit posts and comments: subreddit listings, searches, comment trees."""

    name = "reddit-api"
    description = "Reddit: subreddit new/search listings and comment trees (public or OAuth)"
    Options = RedditApiOptions

    @property
    def opts(self) -> RedditApiOptions:
        """The validated options."""
        return self.options  # type: ignore[return-value]

    def streams(self) -> list[str]:
        """``r:NAME`` and ``search:QUERY`` for each configured one."""
        return [f"r:{name}" for name in self.opts.subreddits] + [
            f"search:{query}" for query in self.opts.searches
        ]

    def credentials(self) -> dict[str, str]:
        """The OAuth app's variables with their values."""
        names = (self.opts.client_id_env, self.opts.client_secret_env)
        return {name: self.env(name) for name in names}

    def before_read(self) -> None:
        """Both OAuth variables or neither; a fresh parser."""
        from hubbub.plugins.reddit import RedditSource

        values = self.credentials()
        if any(values.values()) and not all(values.values()):
            self.require_env(*values)
        self._parser = file_parser(RedditSource, self.key)
        self._base, self._suffix = self.opts.base_url, ".json"

    def open_session(self, client: HttpClient) -> None:
        """Get an application-only OAuth token when the app's credentials are set."""
        import base64

        values = self.credentials()
        if not all(values.values()):
            return
        pair = f"{values[self.opts.client_id_env]}:{values[self.opts.client_secret_env]}"
        basic = base64.b64encode(pair.encode()).decode()
        client.add_secret(basic)
        body = client.decode_json(
            client.request(
                "POST",
                self.opts.token_url,
                data={"grant_type": "client_credentials"},
                headers={"Authorization": f"Basic {basic}"},
            )
        )
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str):
            raise SourceError(f"{self.key}: the token endpoint answered without an access_token")
        client.add_secret(token)
        client.set_header("Authorization", f"Bearer {token}")
        self._base, self._suffix = self.opts.oauth_url, ""

    def pages(
        self, stream: str, cursor: dict[str, Any] | None, client: HttpClient
    ) -> Iterator[Page]:
        """Listing pages newest first, back to the newest post of the last run."""
        kind, _, value = stream.partition(":")
        params = {"limit": str(self.opts.limit), "raw_json": "1"}
        if kind == "r":
            path = f"/r/{value}/new"
        else:
            subs = "+".join(self.opts.search_subreddits)
            path = f"/r/{subs}/search" if subs else "/search"
            params |= {"q": value, "sort": "new", "type": "link"}
            if subs:
                params["restrict_sr"] = "1"
        cursor = cursor or {}
        since = float(cursor.get("since", 0))
        after = cursor.get("after")
        newest = float(cursor.get("pending", since))
        for number in range(self.opts.max_pages):
            query = {**params, **({"after": after} if after else {})}
            body = client.get_json(f"{self._base}{path}{self._suffix}", params=query)
            children = _children(body)
            times = [
                float(child["data"]["created_utc"])
                for child in children
                if isinstance(child, dict)
                and isinstance(child.get("data"), dict)
                and isinstance(child["data"].get("created_utc"), int | float)
            ]
            newest = max([newest, *times])
            results = self.parse_with(self._parser.parse, body, f"{path} page {number + 1}")
            if self.opts.comments:
                for child in children:
                    results += self._comments(client, child)
            after = body["data"].get("after")
            known = since > 0 and any(time <= since for time in times)
            if not children or not after or known or number + 1 == self.opts.max_pages:
                yield Page(results, {"since": newest} if newest else None)
                return
            yield Page(results, {"since": since, "after": after, "pending": newest})

    def _comments(self, client: HttpClient, child: Any) -> list[Any]:
        data = child.get("data") if isinstance(child, dict) else None
        if child.get("kind") != "t3" or not isinstance(data, dict) or not data.get("num_comments"):
            return []
        path = f"/comments/{data.get('id')}"
        try:
            body = client.get_json(f"{self._base}{path}{self._suffix}", params={"raw_json": "1"})
        except SourceError as error:
            from hubbub.http import CredentialError

            if isinstance(error, CredentialError):
                raise
            return [Reject(f"GET {path}", str(error).removeprefix(f"{self.key}: "))]
        results = self.parse_with(self._parser.parse, body, f"GET {path}")
        return results + self._more_comments(client, f"t3_{data.get('id')}", _more_stubs(body))

    def _more_comments(self, client: HttpClient, link: str, stubs: list[str]) -> list[Any]:
        """The comments behind a tree's "more" stubs (``/api/morechildren``), 100 ids a call.

        Their answers can hold deeper stubs, which are expanded too, up to
        ``more_calls`` calls per post; what is left then is not read.
        """
        results: list[Any] = []
        pending, seen, calls = list(stubs), set(stubs), 0
        while pending and calls < self.opts.more_calls:
            batch, pending = pending[:100], pending[100:]
            calls += 1
            where = f"GET /api/morechildren ({link}, {len(batch)} comments)"
            try:
                body = client.get_json(
                    f"{self._base}/api/morechildren{self._suffix}",
                    params={
                        "api_type": "json",
                        "link_id": link,
                        "children": ",".join(batch),
                        "limit_children": "false",
                        "raw_json": "1",
                    },
                )
            except SourceError as error:
                from hubbub.http import CredentialError

                if isinstance(error, CredentialError):
                    raise
                results.append(Reject(where, str(error).removeprefix(f"{self.key}: ")))
                continue
            things = _more_things(body)
            if things is None:
                results.append(Reject(where, "expected {json: {data: {things: [...]}}}"))
                continue
            listing = {"kind": "Listing", "data": {"children": things}}
            results += self.parse_with(self._parser.parse, listing, where)
            deeper = [item for item in _more_stubs(listing) if item not in seen]
            seen.update(deeper)
            pending += deeper
        return results


def _more_stubs(body: Any) -> list[str]:
    """The comment ids behind the "more" stubs anywhere in a comment tree (or listing)."""
    found: list[str] = []
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            data = node.get("data")
            if node.get("kind") == "more" and isinstance(data, dict):
                found += [c for c in data.get("children") or [] if isinstance(c, str) and c]
            elif isinstance(data, dict):
                children = data.get("children")
                if isinstance(children, list):
                    stack.extend(reversed(children))
                if isinstance(data.get("replies"), dict):
                    stack.append(data["replies"])
    return found


def _more_things(body: Any) -> list[Any] | None:
    """The ``things`` of a ``/api/morechildren`` answer (``None`` for another shape)."""
    json_part = body.get("json") if isinstance(body, dict) else None
    data = json_part.get("data") if isinstance(json_part, dict) else None
    things = data.get("things") if isinstance(data, dict) else None
    return things if isinstance(things, list) else None


def _children(body: Any) -> list[Any]:
    if not isinstance(body, dict) or body.get("kind") != "Listing":
        raise SourceError("expected a Reddit Listing")
    data = body.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("children"), list):
        raise SourceError("expected a Reddit Listing with data.children")
    return data["children"]


@hookimpl
def register_sources(register):
    """Register the Reddit API source."""
    register(RedditApiSource)
