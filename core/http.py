"""The one HTTP client every API source uses: timeouts, retries, rate limits, secrets.

- **Timeouts** on connect and read (``timeout`` seconds each).
- **Retries** with exponential backoff and full jitter on timeouts, connection errors,
  429 and 5xx, at most ``retries`` times. A ``Retry-After`` header (seconds or an HTTP
  date) or a rate-limit reset header (``X-RateLimit-Reset``, ``ratelimit-reset``,
  ``x-rate-limit-reset``: epoch seconds, seconds to wait, or an ISO 8601 time) sets the
  wait instead; a wait longer than ``max_wait`` ends the source with an error rather
  than hanging the run. A response saying no requests remain waits for the reset before
  the next request.
- **Credentials**: a 401 or 403 ends the source with one line that names the
  environment variable holding the missing or wrong credential, never its value.
- **Secrets** given to the client are replaced by ``***`` in every message it raises.

``sleep`` and ``random`` are injectable, so tests never wait. httpx is imported when a
client is made, not when this module is.
"""

from __future__ import annotations

import email.utils
import functools
import random as _random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hubbub import __version__
from hubbub.errors import SourceError

if TYPE_CHECKING:
    import ssl

    import httpx

USER_AGENT = f"hubbub/{__version__} (+https://github.com/hubbub-social/hubbub)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RESET_HEADERS = ("retry-after", "x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset")
REMAINING_HEADERS = ("x-ratelimit-remaining", "ratelimit-remaining", "x-rate-limit-remaining")


class CredentialError(SourceError):
    """A credential is missing or was refused (401/403): the message names its variable."""


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (of 4 characters or more) replaced by ``***``."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "***")
    return re.sub(
        r"(?i)((?:access_token|token|api_key|apikey|password|secret)=)[^&\s]+", r"\1***", text
    )


def parse_wait(value: str, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` or rate-limit reset header value.

    Accepts a number of seconds, epoch seconds (a number past the year 2001), an HTTP
    date or an ISO 8601 time; ``None`` if the value is none of these.
    """
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        return max(0.0, number - now) if number > 1e9 else max(0.0, number)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every client (httpx's default one): building it loads the CA
    bundle, about 75 ms.

    A watch loop makes a client per source per poll; sharing the context keeps a poll
    of a quiet source cheap.
    """
    import httpx

    return httpx.create_ssl_context()


class HttpClient:
    """A polite, retrying HTTP client for one source.

    :param source: the source's name, used in error messages.
    :param credentials: environment variable name → its value, for the credentials this
        source sends; values are redacted from messages, names are shown on 401/403.
    :param headers: extra request headers (e.g. ``Authorization``).
    :param transport: an httpx transport (tests).
    """

    def __init__(
        self,
        source: str,
        *,
        timeout: float = 20.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_wait: float = 900.0,
        headers: Mapping[str, str] | None = None,
        credentials: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
        clock: Callable[[], float] = time.time,
        transport: Any = None,
    ) -> None:
        import httpx

        self.source = source
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.credentials = dict(credentials or {})
        self.sleep = sleep
        self.random = random
        self.clock = clock
        self._pause_until = 0.0
        self._secrets = [value for value in self.credentials.values() if value]
        self._secrets += [value for value in (headers or {}).values() if value and len(value) > 12]
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            verify=_ssl_context(),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            follow_redirects=True,
            transport=transport,
        )

    def add_secret(self, value: str) -> None:
        """Redact ``value`` (e.g. a session token obtained at run time) from messages."""
        if value:
            self._secrets.append(value)

    def set_header(self, name: str, value: str) -> None:
        """Send ``name: value`` with every later request."""
        self._client.headers[name] = value

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _error(self, text: str, kind: type[SourceError] = SourceError) -> SourceError:
        return kind(redact(f"{self.source}: {text}", self._secrets))

    def _credential_hint(self) -> str:
        if not self.credentials:
            return "this endpoint needs credentials the source does not send"
        missing = [name for name, value in self.credentials.items() if not value]
        if missing:
            return f"set {' or '.join(missing)}"
        return f"check {', '.join(self.credentials)} (rejected by the server)"

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        ok: Iterable[int] = (),
    ) -> httpx.Response:
        """Send a request with retries; return a 2xx (or ``ok``) response or raise :class:`SourceError`."""
        import httpx

        accepted = set(ok)
        attempt = 0
        while True:
            pause = self._pause_until - self.clock()
            if pause > 0:
                self._wait(pause, "rate limit reached")
                self._pause_until = 0.0
            where = redact(_strip_query(url), self._secrets)
            try:
                response = self._client.request(
                    method, url, params=params, json=json, data=data, headers=headers
                )
            except httpx.TimeoutException:
                problem, wait = f"timed out fetching {where}", None
            except httpx.TransportError as error:
                problem, wait = f"cannot connect to {where} ({type(error).__name__})", None
            else:
                self._note_rate_limit(response)
                status = response.status_code
                if 200 <= status < 300 or status in accepted:
                    return response
                if status in (401, 403):
                    hint = self._credential_hint()
                    raise self._error(f"HTTP {status} from {where}: {hint}", CredentialError)
                if status not in RETRY_STATUSES:
                    raise self._error(f"HTTP {status} from {where}{_detail(response)}")
                problem, wait = f"HTTP {status} from {where}", self._server_wait(response)
                self._pause_until = 0.0  # the retry's wait below covers the reset
            if attempt >= self.retries:
                tries = f"{attempt + 1} attempts" if attempt else "1 attempt"
                raise self._error(f"{problem} (gave up after {tries})")
            if wait is None:
                wait = self.random() * min(self.max_backoff, self.backoff * 2**attempt)
            self._wait(wait, problem)
            attempt += 1

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("GET", url, ...)``."""
        return self.request("GET", url, **kwargs)

    def get_json(self, url: str, **kwargs: Any) -> Any:
        """GET ``url`` and decode its JSON body; malformed JSON is a :class:`SourceError`."""
        return self.decode_json(self.get(url, **kwargs))

    def decode_json(self, response: httpx.Response) -> Any:
        """The JSON body of ``response``; malformed JSON is a :class:`SourceError`."""
        import orjson

        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as error:
            where = redact(_strip_query(str(response.request.url)), self._secrets)
            raise self._error(f"malformed JSON from {where} ({error})") from None

    def _wait(self, seconds: float, problem: str) -> None:
        if seconds > self.max_wait:
            raise self._error(
                f"{problem}; the server asks to wait {seconds:.0f} s, more than "
                f"max_wait ({self.max_wait:.0f} s): run again later"
            )
        self.sleep(seconds)

    def _server_wait(self, response: httpx.Response) -> float | None:
        now = self.clock()
        for name in RESET_HEADERS:
            value = response.headers.get(name)
            if value:
                wait = parse_wait(value, now)
                if wait is not None:
                    return wait
        return None

    def _note_rate_limit(self, response: httpx.Response) -> None:
        """When the server says no requests remain, pause the next request until the reset."""
        for name in REMAINING_HEADERS:
            value = response.headers.get(name)
            if value is not None and value.strip() in ("0", "0.0"):
                wait = self._server_wait(response)
                if wait:
                    self._pause_until = self.clock() + wait
                return


def _strip_query(url: str) -> str:
    return url.split("?", 1)[0]


def _detail(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return f": {text[:200]}" if text else ""
