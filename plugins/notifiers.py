"""Bundled notifiers: where ``hubbub watch`` sends alerts (``[[notifiers]]`` in ``hubbub.toml``).

* ``webhook`` — POSTs the alert as JSON (:meth:`hubbub.alerts.Alert.as_dict`), or with
  ``format = "slack"`` a Slack-compatible ``{"text": …}`` payload; through
  :class:`hubbub.http.HttpClient`, so timeouts, 429/5xx with backoff (honouring
  ``Retry-After``) and secret redaction are those of the API sources.
* ``smtp`` — an email over SMTP (stdlib :mod:`smtplib`), optionally with STARTTLS or
  TLS and a login whose password comes from an environment variable.
* ``log`` — appends one JSON line per alert to a file.

Payload shapes and examples are in ``docs/watch.md``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import orjson
from hubbub import hookimpl
from hubbub.errors import ConfigError
from hubbub.kinds import Notifier, Options
from pydantic import Field, field_validator, model_validator

if TYPE_CHECKING:
    from hubbub.alerts import Alert


def _env(name: str, where: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{where}: set the environment variable {name}")
    return value


def alert_text(alert: Alert, *, examples: int = 3) -> str:
    """The alert as a few lines of plain text: the message, then example posts."""
    lines = [f"hubbub alert [{alert.rule}] {alert.message}"]
    for example in (alert.details.get("examples") or [])[:examples]:
        author = example.get("author")
        text = " ".join(str(example.get("text") or "").split())[:200]
        link = f" {example['url']}" if example.get("url") else ""
        lines.append(f"- {'@' + author + ': ' if author else ''}{text}{link}")
    return "\n".join(lines)


# ---------------------------------------------------------------- webhook


class WebhookOptions(Options):
    """``[[notifiers]] type = "webhook"``."""

    #: where to POST (or ``url_env``: the variable holding it, for secret URLs such as Slack's)
    url: str | None = None
    url_env: str | None = None
    #: ``json``: the alert object; ``slack``: ``{"text": "…"}``
    format: Literal["json", "slack"] = "json"
    #: request header -> environment variable holding its value (e.g. Authorization)
    headers_env: dict[str, str] = Field(default_factory=dict)
    #: seconds to wait for a connection and for the answer
    timeout: float = Field(10.0, gt=0)
    #: retries after a timeout, connection error, 429 or 5xx (with backoff)
    retries: int = Field(3, ge=0)
    #: the first backoff in seconds (doubling, with jitter)
    backoff: float = Field(1.0, ge=0)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value

    @model_validator(mode="after")
    def _one_url(self) -> WebhookOptions:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of url and url_env")
        return self


class WebhookNotifier(Notifier):
    """POSTs each alert as JSON (or a Slack-compatible message) to a URL."""

    name = "webhook"
    description = "POST the alert as JSON (format = 'slack': a Slack-compatible message)"
    Options = WebhookOptions
    retries_itself = True

    @property
    def opts(self) -> WebhookOptions:
        """The validated options."""
        return self.options  # type: ignore[return-value]

    def payload(self, alert: Alert) -> dict[str, Any]:
        """What is POSTed for ``alert``."""
        if self.opts.format == "slack":
            return {"text": alert_text(alert)}
        return alert.as_dict()

    def send(self, alert: Alert) -> None:
        """POST the payload; :class:`hubbub.errors.SourceError` when it keeps failing."""
        from hubbub.http import HttpClient

        opts = self.opts
        where = f"notifier {self.key}"
        url = opts.url or _env(opts.url_env or "", where)
        credentials = {name: _env(name, where) for name in opts.headers_env.values()}
        if opts.url_env:
            credentials[opts.url_env] = url
        headers = {header: credentials[name] for header, name in opts.headers_env.items()}
        with HttpClient(
            where,
            timeout=opts.timeout,
            retries=opts.retries,
            backoff=opts.backoff,
            headers=headers,
            credentials=credentials,
            sleep=self.sleep or time.sleep,
        ) as client:
            client.request("POST", url, json=self.payload(alert))


# ---------------------------------------------------------------- smtp


class SmtpOptions(Options):
    """``[[notifiers]] type = "smtp"``."""

    host: str = "localhost"
    port: int = Field(25, gt=0, lt=65536)
    #: the From address
    sender: str
    #: the recipients
    to: list[str] = Field(min_length=1)
    #: log in as this user (the password is read from ``password_env``)
    username: str | None = None
    password_env: str | None = None
    #: upgrade the connection with STARTTLS, or connect over TLS from the start
    starttls: bool = False
    ssl: bool = False
    timeout: float = Field(10.0, gt=0)
    subject_prefix: str = "[hubbub]"

    @model_validator(mode="after")
    def _login(self) -> SmtpOptions:
        if (self.username is None) != (self.password_env is None):
            raise ValueError("username and password_env go together")
        if self.starttls and self.ssl:
            raise ValueError("choose one of starttls and ssl")
        return self


class SmtpNotifier(Notifier):
    """Emails each alert over SMTP."""

    name = "smtp"
    description = "Email the alert over SMTP (password from an environment variable)"
    Options = SmtpOptions

    @property
    def opts(self) -> SmtpOptions:
        """The validated options."""
        return self.options  # type: ignore[return-value]

    def message(self, alert: Alert) -> Any:
        """The :class:`email.message.EmailMessage` for ``alert``."""
        from email.message import EmailMessage

        opts = self.opts
        mail = EmailMessage()
        mail["Subject"] = f"{opts.subject_prefix} {alert.rule}: {alert.subject}".strip()
        mail["From"] = opts.sender
        mail["To"] = ", ".join(opts.to)
        details = orjson.dumps(alert.as_dict(), option=orjson.OPT_INDENT_2).decode()
        mail.set_content(f"{alert_text(alert)}\n\n{details}\n")
        return mail

    def send(self, alert: Alert) -> None:
        """Connect, optionally secure and log in, and send the message."""
        import smtplib

        opts = self.opts
        password = _env(opts.password_env, f"notifier {self.key}") if opts.password_env else None
        factory = smtplib.SMTP_SSL if opts.ssl else smtplib.SMTP
        with factory(opts.host, opts.port, timeout=opts.timeout) as connection:
            if opts.starttls:
                connection.starttls()
            if opts.username and password is not None:
                connection.login(opts.username, password)
            connection.send_message(self.message(alert))


# ---------------------------------------------------------------- log


class LogOptions(Options):
    """``[[notifiers]] type = "log"``."""

    #: the file (relative to the project directory) that gets one JSON line per alert
    path: str


class LogNotifier(Notifier):
    """Appends each alert as one JSON line to a file."""

    name = "log"
    description = "Append one JSON line per alert to a file"
    Options = LogOptions

    def send(self, alert: Alert) -> None:
        """Append the alert's JSON line (the file and its folder are created if need be)."""
        path = Path(self.options.path)  # type: ignore[attr-defined]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as stream:
            stream.write(orjson.dumps(alert.as_dict()) + b"\n")


@hookimpl
def register_notifiers(register):
    """Register the webhook, SMTP and log notifiers."""
    register(WebhookNotifier)
    register(SmtpNotifier)
    register(LogNotifier)
