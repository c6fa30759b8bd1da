"""The ``tui`` notifier: alerts shown in the terminal UI's live view.

``[[notifiers]] type = "tui"`` delivers each alert routed to it to every live view
(:class:`hubbub.tui.screens.live.LiveScreen`) open in the same process — the one that
runs the watch, as ``hubbub demo --live`` and the live screen of ``hubbub tui`` do. The
live view flashes its alert banner for what this notifier delivers. With no live view
open (``hubbub watch`` in a plain terminal) there is nobody to tell and it does
nothing: the alert is still stored (``hubbub alerts``) and sent to the other notifiers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from hubbub import hookimpl
from hubbub.kinds import Notifier, Options

if TYPE_CHECKING:
    from hubbub.alerts import Alert

#: called with each alert the notifier delivers; live views add themselves here
Listener = Callable[["Alert"], None]

_listeners: list[Listener] = []
_lock = threading.Lock()


def add_listener(listener: Listener) -> None:
    """Deliver the alerts of every ``tui`` notifier to ``listener`` (a live view) too."""
    with _lock:
        _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    """Stop delivering to ``listener`` (nothing happens if it was not added)."""
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def listeners() -> list[Listener]:
    """The live views alerts are delivered to now."""
    with _lock:
        return list(_listeners)


class TuiOptions(Options):
    """``[[notifiers]] type = "tui"``: no options."""


class TuiNotifier(Notifier):
    """Shows each alert in the live views open in this process (their alert banner)."""

    name = "tui"
    description = "Show the alert in the terminal UI's live view (banner and alerts list)"
    Options = TuiOptions
    #: one try: a live view either is open or is not, retrying does not help
    attempts = 1

    def send(self, alert: Alert) -> None:
        """Hand ``alert`` to each open live view (none open: nothing to do)."""
        for listener in listeners():
            listener(alert)


@hookimpl
def register_notifiers(register):
    """Register the TUI notifier."""
    register(TuiNotifier)
