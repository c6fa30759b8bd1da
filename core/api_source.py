"""A base for sources that page through a web API.

An :class:`ApiSource` reads one or more *streams* (a hashtag, a search, an account,
a feed), each with its own cursor, and each as a sequence of :class:`Page`\\ s. A page
carries the posts and rejects parsed from one response and the stream's cursor *after*
that page. The cursor that :meth:`ApiSource.checkpoint` returns advances to a page's
cursor only once the page's last result has been handed over, so the ingest loop
never commits a cursor past posts it has not stored: an interrupted run fetches the
page again, and the store drops the posts it already has.

A stream that fails (an HTTP error after retries, a malformed response) is recorded in
:attr:`ApiSource.errors` and the next stream goes on; a 401 or 403 (or a credential
that is not set) is recorded too and ends the whole source, since every stream would
fail the same way, while what was read before it is still committed.
"""

from __future__ import annotations

import os
from abc import abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from hubbub.errors import RecordError, SourceError
from hubbub.kinds import Options, Source
from hubbub.posts import Post, Reject
from pydantic import Field

if TYPE_CHECKING:
    from hubbub.http import HttpClient


class ApiOptions(Options):
    """Options every API source takes."""

    #: seconds to wait for a connection and for each read
    timeout: float = Field(20.0, gt=0)
    #: how many times a request is retried after a timeout, connection error, 429 or 5xx
    retries: int = Field(4, ge=0)
    #: the longest wait (seconds) a rate limit may impose before the source gives up
    max_wait: float = Field(900.0, ge=0)
    #: the most pages one stream reads in one run
    max_pages: int = Field(10, ge=1)


@dataclass
class Page:
    """The results of one response and the stream's cursor after them."""

    results: list[Post | Reject]
    cursor: dict[str, Any] | None


class ApiSource(Source):
    """A source that reads streams of pages from an API through :class:`~hubbub.http.HttpClient`."""

    Options: ClassVar[type[Options]] = ApiOptions
    #: injected by tests: keyword arguments for every :class:`HttpClient` this source makes
    client_defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, options: Options | None = None, *, key: str = "") -> None:
        super().__init__(options, key=key)
        self._state: dict[str, Any] = {}
        #: one line per stream that failed in the last read
        self.errors: list[str] = []
        #: keyword arguments for this instance's :class:`HttpClient` (e.g. an httpx transport)
        self.client_overrides: dict[str, Any] = {}

    # ------------------------------------------------------------ for subclasses

    def streams(self) -> list[str]:
        """The names of the streams to read, in order (each keeps its own cursor)."""
        return ["default"]

    @abstractmethod
    def pages(
        self, stream: str, cursor: dict[str, Any] | None, client: HttpClient
    ) -> Iterator[Page]:
        """Yield the pages of ``stream`` that follow ``cursor`` (``None``: the first run)."""

    def credentials(self) -> dict[str, str]:
        """Environment variable name → value for the credentials this source sends."""
        return {}

    def headers(self) -> dict[str, str]:
        """Extra headers for every request."""
        return {}

    # ------------------------------------------------------------ helpers

    @staticmethod
    def env(name: str) -> str:
        """The value of environment variable ``name`` (empty when unset)."""
        return os.environ.get(name, "").strip()

    def require_env(self, *names: str) -> dict[str, str]:
        """The values of ``names``; a :class:`SourceError` naming those that are unset."""
        from hubbub.http import CredentialError

        values = {name: self.env(name) for name in names}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise CredentialError(
                f"{self.key}: set the environment variable {' and '.join(missing)}"
            )
        return values

    def make_client(self) -> HttpClient:
        """An :class:`HttpClient` configured from the options and credentials."""
        from hubbub.http import HttpClient

        options: ApiOptions = self.options  # type: ignore[assignment]
        settings: dict[str, Any] = {
            "timeout": options.timeout,
            "retries": options.retries,
            "max_wait": options.max_wait,
            "headers": self.headers(),
            "credentials": self.credentials(),
        }
        settings.update(self.client_defaults)
        settings.update(self.client_overrides)
        return HttpClient(self.key, **settings)

    @staticmethod
    def parse_with(
        parse: Any, value: Any, position: str, *, raw_for_reject: str | None = None
    ) -> list[Post | Reject]:
        """``parse(value)`` as a list; an unusable response becomes one reject at ``position``."""
        from hubbub.json_source import dumps

        try:
            results = list(parse(value))
        except (RecordError, KeyError, TypeError, ValueError, AttributeError) as error:
            reason = str(error) if isinstance(error, RecordError) else f"unexpected shape: {error}"
            return [Reject(position, reason, raw_for_reject or dumps(value)[:2000])]
        for result in results:
            if isinstance(result, Reject):
                result.position = f"{position} {result.position}".strip()
        return results

    # ------------------------------------------------------------ the Source contract

    def read(self, cursor: dict[str, Any] | None) -> Iterator[Post | Reject]:
        """Read every stream from its saved cursor; failures go to :attr:`errors`.

        A failed stream is recorded and the next one read. A missing or refused
        credential (:class:`~hubbub.http.CredentialError`) is recorded and ends the
        read, normally, so that what was read before it is still committed.
        """
        from hubbub.http import CredentialError

        saved = (cursor or {}).get("streams")
        self._state = dict(saved) if isinstance(saved, dict) else {}
        self.errors = []
        try:
            self.before_read()
        except CredentialError as error:
            self.errors.append(str(error))
            return
        client = self.make_client()
        try:
            self.open_session(client)
            for stream in self.streams():
                try:
                    yield from self._read_stream(stream, client)
                except CredentialError:
                    raise
                except SourceError as error:
                    text = str(error)
                    if not text.startswith(f"{self.key}: "):
                        text = f"{self.key}: {stream}: {text}"
                    self.errors.append(text)
        except CredentialError as error:
            self.errors.append(str(error))
        finally:
            client.close()

    def before_read(self) -> None:
        """Check what must hold before any request (e.g. required credentials)."""

    def open_session(self, client: HttpClient) -> None:
        """Log in or otherwise prepare ``client`` before the streams are read."""

    def _read_stream(self, stream: str, client: HttpClient) -> Iterator[Post | Reject]:
        for page in self.pages(stream, self._state.get(stream), client):
            results: Iterable[Post | Reject] = page.results
            last = len(page.results) - 1
            if last < 0:
                self._advance(stream, page.cursor)
                continue
            for index, result in enumerate(results):
                if index == last:  # the page is handed over whole: its cursor applies
                    self._advance(stream, page.cursor)
                yield result

    def _advance(self, stream: str, cursor: dict[str, Any] | None) -> None:
        state = dict(self._state)
        if cursor is None:
            state.pop(stream, None)
        else:
            state[stream] = cursor
        self._state = state

    def checkpoint(self) -> dict[str, Any] | None:
        """Every stream's cursor after the last page handed over whole."""
        return {"streams": self._state}


def id_key(value: Any) -> tuple[int, str]:
    """Sort key for numeric-string ids (Mastodon, Twitter): longer is larger."""
    text = str(value)
    return (len(text), text)


def file_parser(cls: type[Any], key: str) -> Any:
    """An instance of the file source ``cls`` used only for its ``parse`` (shared parsing).

    The API sources parse the platforms' JSON with the same code as ``hubbub import``.
    """
    from hubbub.timeutil import utcnow

    parser = cls(cls.Options(path="-"), key=key)
    parser._now = utcnow()
    return parser
