"""The shared HTTP client against a loopback server: retries, rate limits, credentials, secrets."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from hubbub.errors import SourceError
from hubbub.http import USER_AGENT, CredentialError, HttpClient, parse_wait, redact
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """The loopback server listens on 127.0.0.1 only."""
    return ("127.0.0.1", 0)


@pytest.fixture
def sleeps() -> list[float]:
    """Waits the client asked for (it never really sleeps in tests)."""
    return []


def client(sleeps: list[float], **kwargs) -> HttpClient:
    kwargs.setdefault("retries", 3)
    return HttpClient("test-source", sleep=sleeps.append, random=lambda: 0.5, **kwargs)


def test_user_agent_and_json(httpserver: HTTPServer, sleeps: list[float]) -> None:
    httpserver.expect_request("/ok", headers={"User-Agent": USER_AGENT}).respond_with_json({"a": 1})
    with client(sleeps) as http:
        assert http.get_json(httpserver.url_for("/ok")) == {"a": 1}
    assert sleeps == []
    assert (
        USER_AGENT.startswith("hubbub/")
        and "+https://github.com/hubbub-social/hubbub" in USER_AGENT
    )


def test_503_is_retried_with_exponential_backoff(
    httpserver: HTTPServer, sleeps: list[float]
) -> None:
    for _ in range(3):
        httpserver.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    httpserver.expect_oneshot_request("/flaky").respond_with_json([1])
    with client(sleeps, backoff=1.0) as http:
        assert http.get_json(httpserver.url_for("/flaky")) == [1]
    # full jitter with random() = 0.5: half of 1, 2, 4 seconds
    assert sleeps == [0.5, 1.0, 2.0]


def test_gives_up_after_the_retries(httpserver: HTTPServer, sleeps: list[float]) -> None:
    httpserver.expect_request("/down").respond_with_data("no", status=502)
    with client(sleeps, retries=2) as http, pytest.raises(SourceError) as caught:
        http.get(httpserver.url_for("/down"))
    assert "HTTP 502" in str(caught.value) and "gave up after 3 attempts" in str(caught.value)
    assert str(caught.value).startswith("test-source: ")


def test_429_honours_retry_after_seconds(httpserver: HTTPServer, sleeps: list[float]) -> None:
    httpserver.expect_oneshot_request("/limited").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_oneshot_request("/limited").respond_with_json({"ok": True})
    with client(sleeps) as http:
        assert http.get_json(httpserver.url_for("/limited")) == {"ok": True}
    assert sleeps == [7.0]


def test_429_honours_an_http_date_and_a_rate_limit_reset(
    httpserver: HTTPServer, sleeps: list[float]
) -> None:
    now = 1_700_000_000.0
    date = format_datetime(datetime.fromtimestamp(now + 30, UTC), usegmt=True)
    httpserver.expect_oneshot_request("/d").respond_with_data(
        "", status=429, headers={"Retry-After": date}
    )
    httpserver.expect_oneshot_request("/d").respond_with_data(
        "", status=429, headers={"X-RateLimit-Reset": str(int(now + 12))}
    )
    httpserver.expect_oneshot_request("/d").respond_with_json([])
    with client(sleeps, clock=lambda: now) as http:
        http.get(httpserver.url_for("/d"))
    assert sleeps == [30.0, 12.0]


def test_a_wait_longer_than_max_wait_ends_the_source(
    httpserver: HTTPServer, sleeps: list[float]
) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    with client(sleeps, max_wait=60) as http, pytest.raises(SourceError, match="run again later"):
        http.get(httpserver.url_for("/x"))
    assert sleeps == []


def test_no_requests_remaining_pauses_before_the_next(
    httpserver: HTTPServer, sleeps: list[float]
) -> None:
    now = 1_700_000_000.0
    httpserver.expect_request("/r").respond_with_json(
        [], headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2023-11-14T22:13:40Z"}
    )
    with client(sleeps, clock=lambda: now) as http:
        http.get(httpserver.url_for("/r"))
        assert sleeps == []
        http.get(httpserver.url_for("/r"))
    assert sleeps == [20.0]


def test_slow_answer_times_out_and_is_retried(sleeps: list[float]) -> None:
    def slow(request):
        time.sleep(0.6)
        return Response("[]", content_type="application/json")

    server = HTTPServer(host="127.0.0.1", threaded=True)  # the retry must not queue behind
    server.start()
    try:
        server.expect_oneshot_request("/slow").respond_with_handler(slow)
        server.expect_oneshot_request("/slow").respond_with_json(["fast"])
        with client(sleeps, timeout=0.2) as http:
            assert http.get_json(server.url_for("/slow")) == ["fast"]
    finally:
        server.clear()
        server.stop()
    assert len(sleeps) == 1


def test_connection_refused_is_an_error_after_retries(sleeps: list[float]) -> None:
    with client(sleeps, retries=1) as http, pytest.raises(SourceError, match="cannot connect"):
        http.get("http://127.0.0.1:9/nothing")
    assert len(sleeps) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_401_403_name_the_credential_never_its_value(
    httpserver: HTTPServer, sleeps: list[float], status: int
) -> None:
    secret = "s3cr3t-token-value-123"
    httpserver.expect_request("/auth").respond_with_data(f"bad token {secret}", status=status)
    http = client(
        sleeps,
        headers={"Authorization": f"Bearer {secret}"},
        credentials={"MY_TOKEN": secret},
    )
    with pytest.raises(CredentialError) as caught:
        http.get(httpserver.url_for("/auth"), params={"access_token": secret})
    text = str(caught.value)
    assert f"HTTP {status}" in text and "MY_TOKEN" in text
    assert secret not in text and "\n" not in text
    assert sleeps == []  # not retried


def test_missing_credential_is_named(httpserver: HTTPServer, sleeps: list[float]) -> None:
    httpserver.expect_request("/auth").respond_with_data("", status=401)
    http = client(sleeps, credentials={"MY_TOKEN": ""})
    with pytest.raises(CredentialError, match="set MY_TOKEN"):
        http.get(httpserver.url_for("/auth"))


def test_malformed_json_is_a_source_error(httpserver: HTTPServer, sleeps: list[float]) -> None:
    httpserver.expect_request("/bad").respond_with_data(
        "{not json", content_type="application/json"
    )
    with client(sleeps) as http, pytest.raises(SourceError, match="malformed JSON"):
        http.get_json(httpserver.url_for("/bad"))


def test_other_4xx_is_not_retried(httpserver: HTTPServer, sleeps: list[float]) -> None:
    httpserver.expect_request("/gone").respond_with_data("Record not found", status=404)
    with client(sleeps) as http, pytest.raises(SourceError, match=r"HTTP 404.*Record not found"):
        http.get(httpserver.url_for("/gone"))
    assert sleeps == []


def test_redact_and_parse_wait() -> None:
    assert redact("token abcdefgh in https://x/?access_token=zzz&a=1", ["abcdefgh"]) == (
        "token *** in https://x/?access_token=***&a=1"
    )
    assert parse_wait("5", now=0) == 5
    assert parse_wait("1700000010", now=1_700_000_000) == 10
    assert parse_wait("2023-11-14T22:13:30.000Z", now=1_700_000_000) == 10
    assert parse_wait("soon", now=0) is None
