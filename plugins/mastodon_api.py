"""Mastodon's REST API as a source (``type = "mastodon-api"``), on any instance.

Streams: hashtag timelines, status searches and an account's statuses *with its
replies* (what brand responsiveness needs), and optionally each thread's context.
Statuses are parsed by the ``mastodon`` file format's parser, so an API post and an
imported one are the same post. See ``docs/sources/mastodon-api.md``.

Paging: the first run walks back from the newest status (``max_id``, following the
``Link: rel="next"`` header) for at most ``max_pages`` pages; later runs walk forward
from the newest status seen (``min_id``). Each stream's cursor is the newest id
committed (``{"min_id"}``), or, while the first walk back is under way, the newest id
and the oldest one reached (``{"newest", "max_id"}``), so an interrupted first run
picks up where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlparse

from hubbub import hookimpl
from hubbub.api_source import ApiOptions, ApiSource, Page, file_parser, id_key
from hubbub.errors import SourceError
from hubbub.posts import Reject
from pydantic import Field, field_validator

if TYPE_CHECKING:
    from hubbub.http import HttpClient


class MastodonApiOptions(ApiOptions):
    """``[[sources]] type = "mastodon-api"``."""

    #: the instance's base URL
    instance: str = "https://mastodon.social"
    #: hashtags whose public timelines to follow (without ``#``)
    hashtags: list[str] = Field(default_factory=list)
    #: status searches (``/api/v2/search``; most instances need a token for full text)
    searches: list[str] = Field(default_factory=list)
    #: accounts (``user`` or ``user@instance``) whose statuses, replies included, to follow
    accounts: list[str] = Field(default_factory=list)
    #: also fetch the context (ancestors and replies) of each status that is part of a thread
    threads: bool = False
    #: leave out an account's boosts
    exclude_reblogs: bool = False
    #: statuses per page (Mastodon allows 40)
    limit: int = Field(40, ge=1, le=40)
    #: environment variable with an access token (optional; sent when set)
    token_env: str = "MASTODON_TOKEN"

    @field_validator("instance")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("instance must be a URL such as https://mastodon.social")
        return value.rstrip("/")

    @field_validator("hashtags")
    @classmethod
    def _no_hash(cls, value: list[str]) -> list[str]:
        return [tag.lstrip("#") for tag in value]

    @field_validator("accounts")
    @classmethod
    def _no_at(cls, value: list[str]) -> list[str]:
        return [acct.lstrip("@") for acct in value]


class MastodonApiSource(ApiSource):
    """Statuses from a Mastodon instance: hashtags, searches, accounts, thread context."""

    name = "mastodon-api"
    description = "Mastodon REST API: hashtag timelines, searches, account statuses, threads"
    Options = MastodonApiOptions

    def __init__(self, options: Any = None, *, key: str = "") -> None:
        super().__init__(options, key=key)
        from hubbub.plugins.mastodon import MastodonSource

        self._parser_class = MastodonSource

    @property
    def opts(self) -> MastodonApiOptions:
        """The validated options."""
        return self.options  # type: ignore[return-value]

    def streams(self) -> list[str]:
        """``tag:NAME``, ``search:QUERY`` and ``account:ACCT`` for each configured one."""
        opts = self.opts
        return (
            [f"tag:{tag}" for tag in opts.hashtags]
            + [f"search:{query}" for query in opts.searches]
            + [f"account:{acct}" for acct in opts.accounts]
        )

    def credentials(self) -> dict[str, str]:
        """The access token's variable (empty when unset)."""
        return {self.opts.token_env: self.env(self.opts.token_env)}

    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer`` when a token is set."""
        token = self.env(self.opts.token_env)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def before_read(self) -> None:
        """A fresh parser per read (its clock rejects dates in the future)."""
        self._parser = file_parser(self._parser_class, self.key)

    def pages(
        self, stream: str, cursor: dict[str, Any] | None, client: HttpClient
    ) -> Iterator[Page]:
        """The pages of one hashtag, search or account stream after ``cursor``."""
        kind, _, value = stream.partition(":")
        base = self.opts.instance
        if kind == "tag":
            url, params = f"{base}/api/v1/timelines/tag/{quote(value, safe='')}", {}
            statuses_of = _as_list
        elif kind == "search":
            url = f"{base}/api/v2/search"
            params = {"q": value, "type": "statuses", "resolve": "false"}
            statuses_of = _search_statuses
        else:
            account_id = self._account_id(client, value)
            url = f"{base}/api/v1/accounts/{account_id}/statuses"
            params = {"exclude_replies": "false"}
            if self.opts.exclude_reblogs:
                params["exclude_reblogs"] = "true"
            statuses_of = _as_list
        yield from self._walk(client, url, params, cursor, statuses_of)

    def _account_id(self, client: HttpClient, acct: str) -> str:
        response = client.get(
            f"{self.opts.instance}/api/v1/accounts/lookup", params={"acct": acct}, ok=(404,)
        )
        if response.status_code == 404:
            raise SourceError(f"{self.key}: no account {acct!r} on {self.opts.instance}")
        body = client.decode_json(response)
        if not isinstance(body, dict) or body.get("id") is None:
            raise SourceError(f"{self.key}: unexpected account lookup response for {acct!r}")
        return str(body["id"])

    def _walk(
        self,
        client: HttpClient,
        url: str,
        params: dict[str, str],
        cursor: dict[str, Any] | None,
        statuses_of: Any,
    ) -> Iterator[Page]:
        limit = self.opts.limit
        budget = self.opts.max_pages
        cursor = cursor or {}
        min_id = cursor.get("min_id")
        if min_id is None:  # the first run, or its interrupted walk back
            newest, max_id = cursor.get("newest"), cursor.get("max_id")
            while budget > 0:
                budget -= 1
                query = {**params, "limit": str(limit)}
                if max_id:
                    query["max_id"] = max_id
                response = client.get(url, params=query)
                body = client.decode_json(response)
                statuses, ids = _ids(statuses_of(body))
                if not ids:
                    break
                newest = newest or max(ids, key=id_key)
                max_id = _link_param(response, "next", "max_id") or min(ids, key=id_key)
                done = budget == 0 or _walk_ends(response, "next", len(statuses), limit)
                point = {"min_id": newest} if done else {"newest": newest, "max_id": max_id}
                yield Page(self._results(client, body, statuses, url), point)
                if done:
                    break
            if newest is None:
                return
            min_id = newest
            yield Page([], {"min_id": min_id})
        while budget > 0:
            budget -= 1
            response = client.get(url, params={**params, "limit": str(limit), "min_id": min_id})
            body = client.decode_json(response)
            statuses, ids = _ids(statuses_of(body))
            if not ids:
                return
            min_id = max(ids, key=id_key)
            yield Page(self._results(client, body, statuses, url), {"min_id": min_id})
            if len(statuses) < limit:
                return

    def _results(self, client: HttpClient, body: Any, statuses: list[Any], url: str) -> list[Any]:
        where = url.removeprefix(self.opts.instance)
        results = self.parse_with(self._parser.parse, body, f"GET {where}")
        if self.opts.threads:
            for status in statuses:
                if _in_thread(status):
                    results += self._context(client, str(status["id"]))
        return results

    def _context(self, client: HttpClient, status_id: str) -> list[Any]:
        where = f"GET /api/v1/statuses/{status_id}/context"
        try:
            body = client.get_json(f"{self.opts.instance}/api/v1/statuses/{status_id}/context")
        except SourceError as error:
            from hubbub.http import CredentialError

            if isinstance(error, CredentialError):
                raise
            return [Reject(where, str(error).removeprefix(f"{self.key}: "))]
        return self.parse_with(self._parser.parse, body, where)


def _as_list(body: Any) -> list[Any]:
    if not isinstance(body, list):
        raise SourceError(f"expected a list of statuses, got {type(body).__name__}")
    return body


def _search_statuses(body: Any) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("statuses"), list):
        raise SourceError("expected a search response with a statuses list")
    return body["statuses"]


def _ids(statuses: list[Any]) -> tuple[list[Any], list[str]]:
    ids = [
        str(status["id"])
        for status in statuses
        if isinstance(status, dict) and status.get("id") is not None
    ]
    return statuses, ids


def _in_thread(status: Any) -> bool:
    if not isinstance(status, dict) or status.get("id") is None:
        return False
    replies = status.get("replies_count")
    return status.get("in_reply_to_id") is not None or (isinstance(replies, int) and replies > 0)


def _link_param(response: Any, rel: str, name: str) -> str | None:
    link = response.links.get(rel)
    if not link or "url" not in link:
        return None
    values = parse_qs(urlparse(link["url"]).query).get(name)
    return values[0] if values else None


def _walk_ends(response: Any, rel: str, count: int, limit: int) -> bool:
    """No further page: the server sent Link headers without ``rel``, or a short page."""
    if response.headers.get("link"):
        return rel not in response.links
    return count < limit


@hookimpl
def register_sources(register):
    """Register the Mastodon API source."""
    register(MastodonApiSource)
