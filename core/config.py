"""Loading and validating ``hubbub.toml``, and finding the project it belongs to.

The project directory is ``--project/-p DIR`` if given, else ``$HUBBUB_PROJECT``, else the
nearest directory holding a ``hubbub.toml`` from the working directory upward (as git
finds ``.git``). Secrets never live in the file: options that need one name an
environment variable instead.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hubbub.durations import parse_duration
from hubbub.errors import ConfigError, ProjectNotFound
from hubbub.kinds import format_validation_error
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CONFIG_NAME = "hubbub.toml"
PROJECT_ENV = "HUBBUB_PROJECT"
DEFAULT_DATABASE = "sqlite:///hubbub.db"
DEFAULT_MAX_RECORD_BYTES = 1024 * 1024


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectSection(_Section):
    """``[project]``: the listening project itself."""

    name: str = "hubbub project"
    database: str = DEFAULT_DATABASE
    timezone: str = "UTC"
    max_record_bytes: int = Field(DEFAULT_MAX_RECORD_BYTES, gt=0)
    batch_size: int = Field(5000, gt=0)
    #: raw payloads of posts older than this many days are dropped (None: kept); docs/privacy.md
    raw_retention_days: int | None = None

    @field_validator("raw_retention_days", mode="before")
    @classmethod
    def _whole_days(cls, value: Any) -> Any:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise ValueError("must be a whole number of days above 0, e.g. 90")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as 'Europe/Amsterdam')"
            ) from None
        return value


class BrandSection(_Section):
    """``[brands.NAME]``: a brand (one's own or a competitor)."""

    handles: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    reply_target: str = "1h"
    business_hours: str | None = None

    @field_validator("handles")
    @classmethod
    def _strip_at(cls, value: list[str]) -> list[str]:
        return [handle.lstrip("@") for handle in value]

    @field_validator("reply_target")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("business_hours")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        if value is not None:
            from hubbub.business_hours import parse_business_hours

            try:
                parse_business_hours(value, where="schedule")
            except ConfigError as error:
                raise ValueError(str(error).removeprefix("schedule: ")) from None
        return value

    @property
    def reply_target_seconds(self) -> float:
        """The reply target in seconds."""
        return parse_duration(self.reply_target)


class AnalyzeSection(_Section):
    """``[analyze]``: where ``hubbub analyze`` runs post analyzers (its options override these)."""

    #: ``local`` (a process pool, or this process for small runs), ``serial`` or ``dask``
    executor: Literal["local", "serial", "dask"] = "local"
    #: the Dask scheduler (``tcp://host:8786``); unset: a local Dask cluster
    scheduler: str | None = None
    #: worker processes (local pool or local Dask cluster); unset: one per core
    workers: int | None = Field(None, gt=0)


class SourceSection(BaseModel):
    """``[[sources]]``: ``type`` and ``name``; the other keys are the source type's options."""

    model_config = ConfigDict(extra="allow")

    type: str
    name: str | None = None
    #: how often ``hubbub watch`` polls this source (a duration such as ``"5m"``)
    interval: str = "5m"

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        if parse_duration(value) <= 0:
            raise ValueError(f"interval must be longer than zero, got {value!r}")
        return value

    @property
    def interval_seconds(self) -> float:
        """The polling interval in seconds."""
        return parse_duration(self.interval)

    def options(self) -> dict[str, Any]:
        """The source type's own options (everything but ``type``, ``name`` and ``interval``)."""
        return dict(self.model_extra or {})


class Config(_Section):
    """The whole of ``hubbub.toml``."""

    project: ProjectSection = Field(default_factory=ProjectSection)
    sources: list[SourceSection] = Field(default_factory=list)
    brands: dict[str, BrandSection] = Field(default_factory=dict)
    topics: dict[str, str] = Field(default_factory=dict)
    analyze: AnalyzeSection = Field(default_factory=AnalyzeSection)
    analyzers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    reporters: dict[str, dict[str, Any]] = Field(default_factory=dict)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: ``[[alerts]]`` and ``[[notifiers]]``, validated by :func:`hubbub.alert_rules.check_config`
    alerts: list[dict[str, Any]] = Field(default_factory=list)
    notifiers: list[dict[str, Any]] = Field(default_factory=list)


def load_config(path: Path) -> Config:
    """Read and validate a ``hubbub.toml``; errors name the file, the key and what was expected."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, str(path))) from None
    from hubbub.alert_rules import check_config

    check_config(config, str(path))
    return config


def find_project_dir(
    project: str | os.PathLike[str] | None = None, cwd: Path | None = None
) -> Path:
    """The project directory, from the argument, ``$HUBBUB_PROJECT`` or the nearest ``hubbub.toml``."""
    explicit = project if project is not None else os.environ.get(PROJECT_ENV) or None
    if explicit is not None:
        directory = Path(explicit).expanduser()
        if directory.is_file() and directory.name == CONFIG_NAME:
            directory = directory.parent
        if not (directory / CONFIG_NAME).is_file():
            raise ProjectNotFound(
                f"{directory} is not a hubbub project (no {CONFIG_NAME}); run `hubbub init {directory}`"
            )
        return directory.resolve()
    start = (cwd or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        if (directory / CONFIG_NAME).is_file():
            return directory
    raise ProjectNotFound(
        f"no {CONFIG_NAME} in {start} or any parent; run `hubbub init` or pass --project DIR"
    )


def resolve_database_url(url: str, project_dir: Path) -> str:
    """Make a relative ``sqlite:///file.db`` URL relative to the project directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        path = Path(url[len(prefix) :])
        if not path.is_absolute():
            return prefix + str((project_dir / path).resolve())
    return url
