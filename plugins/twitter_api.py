"""Twitter/X API v2 as a source (``type = "twitter-api"``): recent search and user timelines.

Needs an app's bearer token in ``TWITTER_BEARER_TOKEN`` (the variable's name is an
option). Pages (``{data, includes, meta}``) are parsed by the ``twitter-v2`` file
format's parser, so authors, replies, quotes and retweets come out as in an import.

Paging follows ``meta.next_token`` back in time; a run asks only for tweets newer
than the newest committed by the last run (``since_id``, from ``meta.newest_id``).
While a run pages, the stream's cursor holds the page token, so an interrupted run
resumes there. See ``docs/sources/twitter-api.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hubbub import hookimpl
from hubbub.api_source import ApiOptions, ApiSource, Page, file_parser, id_key
from hubbub.errors import SourceError
from pydantic import Field, field_validator

if TYPE_CHECKING:
    from hubbub.http import HttpClient

TWEET_FIELDS = (
    "author_id,conversation_id,created_at,entities,in_reply_to_user_id,lang,"
    "public_metrics,referenced_tweets"
)
EXPANSIONS = "author_id,referenced_tweets.id,referenced_tweets.id.author_id,in_reply_to_user_id"
USER_FIELDS = "name,username,public_metrics"


class TwitterApiOptions(ApiOptions):
    """``[[sources]] type = "twitter-api"``."""

    #: recent-search queries (the last 7 days; X's query syntax)
    searches: list[str] = Field(default_factory=list)
    #: usernames whose tweets (replies included) to follow
    users: list[str] = Field(default_factory=list)
    #: tweets per page (search allows 10–100, timelines 5–100)
    max_results: int = Field(100, ge=10, le=100)
    #: the API's base URL
    base_url: str = "https://api.twitter.com/2"
    #: environment variable with the app's bearer token
    bearer_token_env: str = "TWITTER_BEARER_TOKEN"

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("users")
    @classmethod
    def _no_at(cls, value: list[str]) -> list[str]:
        return [name.lstrip("@") for name in value]


class TwitterApiSource(ApiSource):
    """Tweets from X API v2: recent search and user timelines."""

    name = "twitter-api"
    description = "Twitter/X API v2: recent search and user timelines (bearer token)"
    Options = TwitterApiOptions

    @property
    def opts(self) -> TwitterApiOptions:
        """The validated options."""
        return self.options  # type: ignore[return-value]

    def streams(self) -> list[str]:
        """``search:QUERY`` and ``user:NAME`` for each configured one."""
        return [f"search:{q}" for q in self.opts.searches] + [
            f"user:{name}" for name in self.opts.users
        ]

    def credentials(self) -> dict[str, str]:
        """The bearer token's variable with its value."""
        return {self.opts.bearer_token_env: self.env(self.opts.bearer_token_env)}

    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer`` from the environment."""
        token = self.env(self.opts.bearer_token_env)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def before_read(self) -> None:
        """The bearer token must be set; a fresh parser."""
        from hubbub.plugins.twitter import TwitterV2Source

        self.require_env(self.opts.bearer_token_env)
        self._parser = file_parser(TwitterV2Source, self.key)

    def pages(
        self, stream: str, cursor: dict[str, Any] | None, client: HttpClient
    ) -> Iterator[Page]:
        """Pages newer than the last run's newest tweet, following ``next_token``."""
        kind, _, value = stream.partition(":")
        base = self.opts.base_url
        params = {
            "max_results": str(self.opts.max_results),
            "tweet.fields": TWEET_FIELDS,
            "expansions": EXPANSIONS,
            "user.fields": USER_FIELDS,
        }
        if kind == "search":
            url, token_param = f"{base}/tweets/search/recent", "next_token"
            params["query"] = value
        else:
            url, token_param = (
                f"{base}/users/{self._user_id(client, value)}/tweets",
                "pagination_token",
            )
        cursor = cursor or {}
        since_id, token = cursor.get("since_id"), cursor.get("next_token")
        newest = cursor.get("pending") or since_id
        if since_id:
            params["since_id"] = since_id
        for number in range(self.opts.max_pages):
            query = {**params, **({token_param: token} if token else {})}
            body = client.get_json(url, params=query)
            if not isinstance(body, dict) or not isinstance(body.get("meta"), dict):
                raise SourceError("expected an API v2 response with meta")
            meta = body["meta"]
            if meta.get("newest_id"):
                newest = max((i for i in (newest, str(meta["newest_id"])) if i), key=id_key)
            token = meta.get("next_token") if isinstance(meta.get("next_token"), str) else None
            results = (
                self.parse_with(self._parser.parse, body, f"{kind} page {number + 1}")
                if body.get("data")
                else []
            )
            if not token or number + 1 == self.opts.max_pages:
                yield Page(results, {"since_id": newest} if newest else None)
                return
            yield Page(results, {"since_id": since_id, "next_token": token, "pending": newest})

    def _user_id(self, client: HttpClient, username: str) -> str:
        body = client.get_json(f"{self.opts.base_url}/users/by/username/{username}")
        user = body.get("data") if isinstance(body, dict) else None
        if not isinstance(user, dict) or not user.get("id"):
            raise SourceError(f"no user {username!r}")
        return str(user["id"])


@hookimpl
def register_sources(register):
    """Register the Twitter/X API source."""
    register(TwitterApiSource)
