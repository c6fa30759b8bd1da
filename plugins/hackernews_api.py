"""Hacker News through the Algolia search API as a source (``type = "hackernews-api"``).

Each query is searched newest first (``/api/v1/search_by_date``); hits are parsed by the
``hackernews`` file format's parser. A run asks only for items created after the newest
one committed (``numericFilters=created_at_i>N``). While a run pages, it also fixes the
upper bound at the newest item of its first page, so items arriving mid-run do not
shift the pages; an interrupted run resumes at the page it stopped on. See
``docs/sources/hackernews-api.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hubbub import hookimpl
from hubbub.api_source import ApiOptions, ApiSource, Page, file_parser
from hubbub.errors import SourceError
from pydantic import Field, field_validator

if TYPE_CHECKING:
    from hubbub.http import HttpClient


class HackerNewsApiOptions(ApiOptions):
    """``[[sources]] type = "hackernews-api"``."""

    #: the Algolia HN API base URL
    base_url: str = "https://hn.algolia.com/api/v1"
    #: search queries (each a stream)
    queries: list[str] = Field(min_length=1)
    #: Algolia tags filter: stories and comments by default
    tags: str = "(story,comment)"
    #: hits per page (Algolia allows up to 1000)
    hits_per_page: int = Field(100, ge=1, le=1000)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL")
        return value.rstrip("/")


class HackerNewsApiSource(ApiSource):
    """Hacker News stories and comments matching queries, from the Algolia API."""

    name = "hackernews-api"
    description = "Hacker News stories and comments via the Algolia search API"
    Options = HackerNewsApiOptions

    def streams(self) -> list[str]:
        """One stream per query."""
        return list(self.options.queries)  # type: ignore[attr-defined]

    def before_read(self) -> None:
        """The file format's parser, fresh for this read."""
        from hubbub.plugins.hackernews import HackerNewsSource

        self._parser = file_parser(HackerNewsSource, self.key)

    def pages(
        self, stream: str, cursor: dict[str, Any] | None, client: HttpClient
    ) -> Iterator[Page]:
        """Pages of hits newer than the newest committed, newest first."""
        opts: HackerNewsApiOptions = self.options  # type: ignore[assignment]
        cursor = cursor or {}
        since = int(cursor.get("since", 0))
        until = cursor.get("until")
        page = int(cursor.get("page", 0))
        newest = int(cursor.get("pending", since))
        for _ in range(opts.max_pages):
            filters = [f"created_at_i>{since}"]
            if until is not None:
                filters.append(f"created_at_i<={until}")
            body = client.get_json(
                f"{opts.base_url}/search_by_date",
                params={
                    "query": stream,
                    "tags": opts.tags,
                    "numericFilters": ",".join(filters),
                    "hitsPerPage": str(opts.hits_per_page),
                    "page": str(page),
                },
            )
            if not isinstance(body, dict) or not isinstance(body.get("hits"), list):
                raise SourceError("expected a search response with a hits list")
            hits = body["hits"]
            times = [
                hit["created_at_i"]
                for hit in hits
                if isinstance(hit, dict) and isinstance(hit.get("created_at_i"), int)
            ]
            newest = max([newest, *times])
            if until is None and times:
                until = max(times)
            results = self.parse_with(self._parser.parse, body, f"{stream!r} page {page}")
            pages = body.get("nbPages")
            last = not hits or not isinstance(pages, int) or page + 1 >= pages
            if last:
                yield Page(results, {"since": newest})
                return
            page += 1
            yield Page(results, {"since": since, "until": until, "page": page, "pending": newest})
        # max_pages reached: what was not read yet is left (the next run starts from the newest)
        yield Page([], {"since": newest})


@hookimpl
def register_sources(register):
    """Register the Hacker News API source."""
    register(HackerNewsApiSource)
