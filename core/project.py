"""A listening project: its directory, its validated ``hubbub.toml`` and its store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hubbub.config import CONFIG_NAME, Config, find_project_dir, load_config, resolve_database_url
from hubbub.errors import ConfigError
from hubbub.store import Store

if TYPE_CHECKING:
    from hubbub.kinds import Options
    from hubbub.plugin_host import PluginHost

CONFIG_TEMPLATE = """\
# hubbub.toml: one listening project. Docs: docs/configuration.md
# Secrets (API tokens, passwords) never go here: options that need one name an
# environment variable instead.

[project]
name = "{name}"
# SQLite file next to this one by default; a team can use postgresql://user@host/db
database = "sqlite:///hubbub.db"
# time zone for daily and weekly windows (an IANA name)
timezone = "UTC"
# records larger than this are rejected unread
max_record_bytes = 1048576
# empty raw payloads of posts older than this many days (docs/privacy.md)
# raw_retention_days = 90

# A brand is the accounts it answers from and words that name it. A competitor is
# just another brand.
# [brands.acme]
# handles = ["Acme", "AcmeHelp"]
# keywords = ["acme"]
# reply_target = "15m"

# Topics are named queries.
# [topics]
# baggage = '"lost bag" OR #baggage OR luggage'

# Sources that `hubbub ingest` runs; files can be imported with `hubbub import FILE`.
# [[sources]]
# type = "jsonl"
# name = "archive"
# path = "posts.jsonl"
# interval = "5m"        # how often `hubbub watch` polls it

# Alert rules that `hubbub watch` evaluates, and where alerts go (docs/watch.md).
# [[alerts]]
# name = "baggage-spike"
# type = "spike"
# topic = "baggage"
# window = "1h"
# notify = ["ops-log"]
#
# [[notifiers]]
# name = "ops-log"
# type = "log"
# path = "alerts.jsonl"
"""


@dataclass
class Project:
    """A project directory with its configuration; the store opens on first use."""

    directory: Path
    config: Config
    _store: Store | None = field(default=None, repr=False)
    #: the plugin host whose plugins' options :meth:`plugin_options` reads (``None``: the process-wide one)
    host: PluginHost | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, project: str | Path | None = None) -> Project:
        """Find and load the project (``--project``, ``$HUBBUB_PROJECT`` or the cwd upward)."""
        directory = find_project_dir(project)
        return cls(directory, load_config(directory / CONFIG_NAME))

    @property
    def config_path(self) -> Path:
        """The project's ``hubbub.toml``."""
        return self.directory / CONFIG_NAME

    @property
    def database_url(self) -> str:
        """The database URL with a relative SQLite path made absolute."""
        return resolve_database_url(self.config.project.database, self.directory)

    @property
    def store(self) -> Store:
        """The project's store, opened (and migrated) on first use."""
        if self._store is None:
            self._store = Store.open(self.database_url)
        return self._store

    def plugin_options(self, plugin: str) -> Options:
        """The validated ``[plugins.NAME]`` table of ``plugin``, by its ``PluginOptions`` model.

        :param plugin: the plugin's name: its entry-point name when installed (a kind's
            ``plugin`` attribute holds it, so ``project.plugin_options(self.plugin)`` works
            inside a source, analyzer or reporter).
        :returns: an instance of the plugin's ``PluginOptions`` (defaults where the table
            is silent or absent).
        :raises ConfigError: when the table does not validate (the message names
            ``[plugins.NAME]`` and the key), or the plugin is not loaded or has no model.
        """
        from hubbub.kinds import format_validation_error
        from hubbub.plugin_host import get_host
        from pydantic import ValidationError

        info = (self.host or get_host()).info.get(plugin)
        if info is None:
            raise ConfigError(f"[plugins.{plugin}]: no plugin {plugin!r} is loaded")
        if info.options_model is None:
            raise ConfigError(f"[plugins.{plugin}]: plugin {plugin!r} defines no PluginOptions")
        section = self.config.plugins.get(plugin, {})
        try:
            return info.options_model.model_validate(section)
        except ValidationError as error:
            where = f"{self.config_path} [plugins.{plugin}]"
            raise ConfigError(format_validation_error(error, where)) from None

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None


def init_project(directory: Path, name: str | None = None) -> Project:
    """Write a commented ``hubbub.toml`` in ``directory`` and create the database."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_NAME
    if path.exists():
        raise ConfigError(f"{path} already exists; not overwriting it")
    path.write_text(CONFIG_TEMPLATE.format(name=name or directory.resolve().name), encoding="utf-8")
    project = Project(directory.resolve(), load_config(path))
    project.store  # noqa: B018 - creates and migrates the database
    return project
