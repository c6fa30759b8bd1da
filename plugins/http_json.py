"""Any HTTP JSON API as a source (``type = "http-json"``), configured in ``hubbub.toml``.

A URL with query parameters, where the items are in the response (``items``, a dotted
path), how an item's keys map onto the native fields (``fields``), and how to reach
the next page (``pagination``: a next link in the body or the ``Link`` header, a
cursor token in the body sent back as a parameter, or a page number). Each item is
turned into a post by the native record parser (the same rules as ``hubbub import``).

With ``since_param`` and ``since_field``, a run sends the largest ``since_field`` value
committed so far as ``since_param``, so later runs ask only for what is new. While a
run pages, its cursor holds where the next page is, so an interrupted run resumes
there. See ``docs/sources/http-json.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from hubbub import hookimpl
from hubbub.api_source import ApiOptions, ApiSource, Page
from hubbub.errors import RecordError, SourceError
from hubbub.posts import Post, Reject
from pydantic import Field, field_validator, model_validator

if TYPE_CHECKING:
    from hubbub.http import HttpClient


class HttpJsonOptions(ApiOptions):
    """``[[sources]] type = "http-json"``."""

    #: the first page's URL
    url: str
    #: query parameters sent with every request
    params: dict[str, str] = Field(default_factory=dict)
    #: request header → environment variable holding its value (a secret, never in the file)
    headers_env: dict[str, str] = Field(default_factory=dict)
    #: query parameter → environment variable holding its value (e.g. an API key)
    params_env: dict[str, str] = Field(default_factory=dict)
    #: dotted path to the list of items in a response ("" when the response is the list)
    items: str = ""
    #: native field → dotted path in an item (fields not named are read by their own name)
    fields: dict[str, str] = Field(default_factory=dict)
    #: platform recorded for the posts
    platform: str = "web"
    #: how to get the next page
    pagination: Literal["none", "next", "cursor", "page"] = "none"
    #: "next": dotted path to the next page's URL in the body ("" : the Link header)
    next_path: str = ""
    #: "cursor": dotted path to the next cursor in the body, and the parameter that sends it
    cursor_path: str = ""
    cursor_param: str = "cursor"
    #: "page": the page-number parameter and the first page's number
    page_param: str = "page"
    first_page: int = 1
    #: incremental runs: send the largest committed ``since_field`` value as ``since_param``
    since_param: str | None = None
    since_field: str | None = None

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value

    @model_validator(mode="after")
    def _pagination_needs(self) -> HttpJsonOptions:
        if self.pagination == "cursor" and not self.cursor_path:
            raise ValueError('pagination = "cursor" needs cursor_path')
        if (self.since_param is None) != (self.since_field is None):
            raise ValueError("since_param and since_field go together")
        return self


def dig(value: Any, path: str) -> Any:
    """The value at dotted ``path`` in ``value`` (list indexes allowed); ``None`` if absent."""
    if not path:
        return value
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _later(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    try:
        return a if float(a) >= float(b) else b
    except (TypeError, ValueError):
        return a if str(a) >= str(b) else b


class HttpJsonSource(ApiSource):
    """Posts from a JSON API described in ``hubbub.toml``: URL, items, field mapping, paging."""

    name = "http-json"
    description = "Any JSON API: URL, item path, field mapping and pagination from hubbub.toml"
    Options = HttpJsonOptions

    @property
    def opts(self) -> HttpJsonOptions:
        """The validated options."""
        return self.options  # type: ignore[return-value]

    def credentials(self) -> dict[str, str]:
        """Every variable named by ``headers_env`` and ``params_env`` with its value."""
        names = [*self.opts.headers_env.values(), *self.opts.params_env.values()]
        return {name: self.env(name) for name in names}

    def before_read(self) -> None:
        """Every variable the options name must be set."""
        names = [*self.opts.headers_env.values(), *self.opts.params_env.values()]
        if names:
            self.require_env(*names)

    def headers(self) -> dict[str, str]:
        """Headers whose values come from the environment."""
        return {header: self.env(name) for header, name in self.opts.headers_env.items()}

    def pages(
        self, stream: str, cursor: dict[str, Any] | None, client: HttpClient
    ) -> Iterator[Page]:
        """Pages from the saved position (or the first page), up to ``max_pages``."""
        from hubbub.timeutil import utcnow

        opts = self.opts
        now = utcnow()
        cursor = cursor or {}
        since, pending = cursor.get("since"), cursor.get("pending")
        position = cursor.get("next")
        base = {**opts.params, **{p: self.env(n) for p, n in opts.params_env.items()}}
        if since is not None and opts.since_param:
            base[opts.since_param] = str(since)
        for number in range(opts.max_pages):
            url, base_params = opts.url, dict(base)
            params: dict[str, str] | None = base_params
            if position is not None:
                if opts.pagination == "next":
                    url, params = str(position), None  # the link holds the query
                elif opts.pagination == "cursor":
                    base_params[opts.cursor_param] = str(position)
                elif opts.pagination == "page":
                    base_params[opts.page_param] = str(position)
            elif opts.pagination == "page":
                base_params[opts.page_param] = str(opts.first_page)
                position = opts.first_page
            response = client.get(url, params=params)
            body = client.decode_json(response)
            items = dig(body, opts.items)
            if not isinstance(items, list):
                raise SourceError(f"no list of items at {opts.items or 'the top level'!r}")
            results: list[Post | Reject] = []
            for index, item in enumerate(items, 1):
                results.append(self._post(item, f"page {number + 1} item {index}", now))
                if opts.since_field:
                    pending = _later(pending, dig(item, opts.since_field))
            following = self._next(response, body, position, items)
            if following is None or number + 1 == opts.max_pages:
                done = {"since": _later(since, pending)} if opts.since_field else None
                if done and done["since"] is None:
                    done = None
                yield Page(results, done)
                return
            yield Page(results, {"next": following, "since": since, "pending": pending})
            position = following

    def _next(self, response: Any, body: Any, position: Any, items: list[Any]) -> Any:
        opts = self.opts
        if opts.pagination == "none" or not items:
            return None
        if opts.pagination == "page":
            return int(position) + 1
        if opts.pagination == "cursor":
            token = dig(body, opts.cursor_path)
            return token if token not in (None, "", position) else None
        if opts.next_path:
            link = dig(body, opts.next_path)
        else:
            link = response.links.get("next", {}).get("url")
        return link if isinstance(link, str) and link and link != position else None

    def _post(self, item: Any, position: str, now: Any) -> Post | Reject:
        from hubbub.json_source import dumps
        from hubbub.records import post_from_record

        raw = dumps(item)
        if not isinstance(item, dict):
            return Reject(
                position, f"expected a JSON object, got {type(item).__name__}", raw[:2000]
            )
        record = {key: value for key, value in item.items() if "." not in key}
        for field, path in self.opts.fields.items():
            record[field] = dig(item, path)
        try:
            return post_from_record(
                record, raw=raw, source=self.key, platform=self.opts.platform, now=now
            )
        except RecordError as error:
            return Reject(position, str(error), raw[:2000])


@hookimpl
def register_sources(register):
    """Register the generic HTTP JSON source."""
    register(HttpJsonSource)
