"""The one exception family users see.

Every error a user can cause or fix (a bad config key, a missing file, an unknown
format, a broken plugin) is a :class:`HubbubError`. The CLI prints its message on one
line and exits non-zero; a program that imports hubbub catches this one class.
"""

from __future__ import annotations


class HubbubError(Exception):
    """A problem the user can act on; ``str(error)`` is the one-line message."""

    exit_code: int = 1


class ConfigError(HubbubError):
    """``hubbub.toml`` is missing, unreadable or invalid (the message names file and key)."""


class ProjectNotFound(ConfigError):
    """No project directory could be found from ``--project``, ``HUBBUB_PROJECT`` or the cwd."""


class PluginError(HubbubError):
    """A plugin failed to load, raised in a hook, or registered something invalid."""


class StoreError(HubbubError):
    """The database cannot be opened, migrated or written."""


class SourceError(HubbubError):
    """A source cannot be read at all (as opposed to one bad record, which is a reject)."""


class RecordError(ValueError):
    """One input record is unusable; the message is the reason stored in the rejects table.

    Not a :class:`HubbubError`: a bad record never stops a run, it becomes a reject.
    """
