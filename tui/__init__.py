"""The Textual terminal UI (see docs/tui.md).

Import :mod:`hubbub.tui.app` for :class:`~hubbub.tui.app.HubbubApp` and
:func:`~hubbub.tui.app.create_app`; this package stays import-light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubbub.tui.app import HubbubApp, create_app

__all__ = ["HubbubApp", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from hubbub.tui import app

        return getattr(app, name)
    raise AttributeError(name)
