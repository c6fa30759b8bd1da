"""The bundled notifiers against loopback servers (a pytest-httpserver webhook, an aiosmtpd
SMTP server), the log file, delivery retries, and notifier registration."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from datetime import datetime
from email import message_from_bytes
from pathlib import Path
from typing import Any

import orjson
import pytest
from hubbub import hookimpl
from hubbub.alerts import Alert
from hubbub.errors import ConfigError, SourceError
from hubbub.kinds import Notifier
from hubbub.plugin_host import PluginHost
from hubbub.plugins.notifiers import LogNotifier, SmtpNotifier, WebhookNotifier
from hubbub.project import Project
from hubbub.watch import build_notifiers, deliver
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """The loopback server listens on 127.0.0.1 only."""
    return ("127.0.0.1", 0)


@pytest.fixture
def alert() -> Alert:
    return Alert(
        rule="baggage-burst",
        kind="spike",
        subject="baggage",
        fired_at=datetime(2026, 3, 2, 13, 0),
        window_start=datetime(2026, 3, 2, 12, 0),
        window_end=datetime(2026, 3, 2, 13, 0),
        message="Spike on topic baggage: 33 posts in the last 1h, 11.0x the baseline mean of 3.0",
        details={
            "count": 33,
            "ratio": 11.0,
            "z": 17.3,
            "examples": [
                {
                    "id": "p1",
                    "author": "ann",
                    "text": "lost bag\nagain #baggage",
                    "url": "https://e.x/1",
                }
            ],
        },
        example_post_ids=["p1"],
        id=7,
    )


def webhook(**options: Any) -> WebhookNotifier:
    notifier = WebhookNotifier(WebhookNotifier.parse_options(options, "test"), key="ops")
    notifier.sleep = lambda seconds: None
    return notifier


# ---------------------------------------------------------------- webhook


def test_webhook_posts_the_alert_as_json(httpserver: HTTPServer, alert: Alert) -> None:
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    webhook(url=httpserver.url_for("/hook")).send(alert)
    [(request, _response)] = httpserver.log
    assert request.headers["Content-Type"] == "application/json"
    assert orjson.loads(request.get_data()) == {
        "id": 7,
        "rule": "baggage-burst",
        "kind": "spike",
        "subject": "baggage",
        "fired_at": "2026-03-02T13:00:00Z",
        "window_start": "2026-03-02T12:00:00Z",
        "window_end": "2026-03-02T13:00:00Z",
        "message": alert.message,
        "details": alert.details,
        "example_post_ids": ["p1"],
    }


def test_webhook_slack_format_sends_only_text(httpserver: HTTPServer, alert: Alert) -> None:
    httpserver.expect_oneshot_request("/slack", method="POST").respond_with_data("ok")
    webhook(url=httpserver.url_for("/slack"), format="slack").send(alert)
    [(request, _response)] = httpserver.log
    payload = orjson.loads(request.get_data())
    assert list(payload) == ["text"]
    assert payload["text"] == (
        f"hubbub alert [baggage-burst] {alert.message}\n"
        "- @ann: lost bag again #baggage https://e.x/1"
    )


def test_webhook_secrets_come_from_the_environment(
    httpserver: HTTPServer, alert: Alert, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_path = "/services/T000/B000/XXXXSECRETXXXX"
    monkeypatch.setenv("HOOK_URL", httpserver.url_for(secret_path))
    monkeypatch.setenv("HOOK_TOKEN", "Bearer s3cr3t-token-value")
    httpserver.expect_oneshot_request(
        secret_path, method="POST", headers={"Authorization": "Bearer s3cr3t-token-value"}
    ).respond_with_data("ok")
    notifier = webhook(url_env="HOOK_URL", headers_env={"Authorization": "HOOK_TOKEN"})
    notifier.send(alert)
    assert len(httpserver.log) == 1
    # a failure never shows the secret URL
    httpserver.clear()
    httpserver.expect_request(secret_path).respond_with_data("no", status=404)
    with pytest.raises(SourceError) as caught:
        notifier.send(alert)
    assert "XXXXSECRETXXXX" not in str(caught.value) and "HTTP 404" in str(caught.value)
    monkeypatch.delenv("HOOK_TOKEN")
    with pytest.raises(ConfigError, match="notifier ops: set the environment variable HOOK_TOKEN"):
        notifier.send(alert)


def test_webhook_retries_server_errors_with_backoff(httpserver: HTTPServer, alert: Alert) -> None:
    calls: list[int] = []

    def flaky(request: Request) -> Response:
        calls.append(1)
        return Response("busy", status=503 if len(calls) < 3 else 200)

    httpserver.expect_request("/hook").respond_with_handler(flaky)
    waits: list[float] = []
    notifier = webhook(url=httpserver.url_for("/hook"), retries=3, backoff=2.0)
    notifier.sleep = waits.append
    notifier.send(alert)
    assert len(calls) == 3 and len(waits) == 2  # two failures, two waits, then delivered
    assert all(0 <= wait <= 2.0 * 2**n for n, wait in enumerate(waits))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, "give exactly one of url and url_env"),
        ({"url": "ftp://x"}, "url: url must start with http:// or https://"),
        ({"url": "http://x", "format": "teams"}, "format: Input should be 'json' or 'slack'"),
        ({"url": "http://x", "retry": 3}, "retry: unknown key"),
    ],
)
def test_webhook_options_are_validated(options: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        WebhookNotifier.parse_options(options, "notifiers[0] (ops)")


# ---------------------------------------------------------------- smtp


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox, list[tuple[str, str]]]]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    inbox = Inbox()
    logins: list[tuple[str, str]] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        if isinstance(data, LoginPassword):
            logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=data.password == b"hunter22", handled=False)
        return AuthResult(success=False, handled=False)

    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield port, inbox, logins
    finally:
        controller.stop()


def test_smtp_emails_the_alert(smtp_server: Any, alert: Alert) -> None:
    port, inbox, _logins = smtp_server
    options = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "hubbub@example.org",
        "to": ["ops@example.org", "pm@example.org"],
    }
    SmtpNotifier(SmtpNotifier.parse_options(options, "test"), key="mail").send(alert)
    [(sender, recipients, content)] = inbox.messages
    assert sender == "hubbub@example.org"
    assert recipients == ["ops@example.org", "pm@example.org"]
    mail = message_from_bytes(content)
    assert mail["Subject"] == "[hubbub] baggage-burst: baggage"
    body = mail.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert body.startswith(f"hubbub alert [baggage-burst] {alert.message}\n- @ann: lost bag")
    assert '"example_post_ids": [\n    "p1"\n  ]' in body


def test_smtp_logs_in_with_the_password_from_the_environment(
    smtp_server: Any, alert: Alert, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, inbox, logins = smtp_server
    options = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "hubbub@example.org",
        "to": ["ops@example.org"],
        "username": "hubbub",
        "password_env": "HUBBUB_SMTP_PASSWORD",
        "timeout": 5,
    }
    notifier = SmtpNotifier(SmtpNotifier.parse_options(options, "test"), key="mail")
    with pytest.raises(
        ConfigError, match="notifier mail: set the environment variable HUBBUB_SMTP_PASSWORD"
    ):
        notifier.send(alert)
    monkeypatch.setenv("HUBBUB_SMTP_PASSWORD", "hunter22")
    notifier.send(alert)
    assert logins == [("hubbub", "hunter22")] and len(inbox.messages) == 1
    monkeypatch.setenv("HUBBUB_SMTP_PASSWORD", "wrong")
    import smtplib

    with pytest.raises(smtplib.SMTPAuthenticationError):
        notifier.send(alert)
    assert len(inbox.messages) == 1


def test_smtp_options_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"to: .*at least 1 item"):
        SmtpNotifier.parse_options({"sender": "a@b", "to": []}, "n")
    with pytest.raises(ConfigError, match="username and password_env go together"):
        SmtpNotifier.parse_options({"sender": "a@b", "to": ["c@d"], "username": "u"}, "n")


# ---------------------------------------------------------------- log


def test_log_appends_one_json_line_per_alert(tmp_path: Path, alert: Alert) -> None:
    path = tmp_path / "logs" / "alerts.jsonl"
    notifier = LogNotifier(LogNotifier.parse_options({"path": str(path)}, "n"), key="file")
    notifier.send(alert)
    alert.id = 8
    notifier.send(alert)
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert [row["id"] for row in rows] == [7, 8]
    assert rows[0]["details"]["count"] == 33 and rows[0]["fired_at"] == "2026-03-02T13:00:00Z"


def test_build_notifiers_resolves_paths_and_validates(make_project: Callable[..., Project]) -> None:
    project = make_project(
        "a",
        extra='[[notifiers]]\nname = "file"\ntype = "log"\npath = "out/alerts.jsonl"\n'
        '[[notifiers]]\nname = "ops"\ntype = "webhook"\nurl = "http://127.0.0.1:9/x"\n',
    )
    built = build_notifiers(project, PluginHost(load_entry_points=False))
    assert list(built) == ["file", "ops"]
    assert built["file"].options.path == str(project.directory / "out" / "alerts.jsonl")
    assert built["ops"].key == "ops"
    bad = make_project("b", extra='[[notifiers]]\nname = "ops"\ntype = "webhook"\nurl = "x"\n')
    with pytest.raises(
        ConfigError, match=r"hubbub\.toml: notifiers\[0\] \(ops\): url: url must start"
    ):
        build_notifiers(bad, PluginHost(load_entry_points=False))


# ---------------------------------------------------------------- delivery and registration


class Broken(Notifier):
    name = "broken"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tries = 0

    def send(self, alert: Alert) -> None:
        self.tries += 1
        raise OSError("connection refused")


def test_deliver_retries_with_backoff_then_reports_the_failure(
    alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Broken(key="pager")
    waits: list[float] = []
    with caplog.at_level(logging.WARNING, logger="hubbub.watch"):
        outcome = deliver(notifier, alert, sleep=waits.append, backoff=0.5)
    assert notifier.tries == 3 and waits == [0.5, 1.0]
    assert outcome == "failed after 3 attempts: OSError('connection refused')"
    messages = [record.getMessage() for record in caplog.records]
    assert (
        "notifier pager: attempt 1 of 3 failed for alert 7: OSError('connection refused')"
        in messages
    )
    assert "notifier pager: gave up on alert 7 after 3 attempts" in messages


def test_deliver_calls_a_self_retrying_notifier_once(httpserver: HTTPServer, alert: Alert) -> None:
    httpserver.expect_request("/down").respond_with_data("down", status=500)
    notifier = webhook(url=httpserver.url_for("/down"), retries=1)
    outcome = deliver(notifier, alert, sleep=lambda seconds: None)
    assert len(httpserver.log) == 2  # the client's own try and retry, not 3 x 2
    assert outcome.startswith("failed after 1 attempt: notifier ops: HTTP 500")


class NotifierPlugin:
    """A third-party plugin registering one good and one invalid notifier."""

    @hookimpl
    def register_notifiers(self, register: Callable[..., None]) -> None:
        register(Broken)
        register(object)


def test_notifiers_are_registered_through_the_hook() -> None:
    host = PluginHost(load_entry_points=False, extra=[("extra", NotifierPlugin())])
    assert {"webhook", "smtp", "log", "broken"} <= set(host.notifiers())
    assert host.notifiers()["broken"].plugin == "extra"
    assert host.info["notifiers"].registered == [
        "notifier:webhook",
        "notifier:smtp",
        "notifier:log",
    ]
    [error] = host.errors["extra"]
    assert "expected a subclass of hubbub.Notifier" in error
