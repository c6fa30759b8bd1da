"""The command palette: every key-bound action of the app and of the current screen."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


def key_display(app: Any, binding: Binding) -> str:
    """How the keys of ``binding`` are shown, e.g. ``?, f1`` for ``question_mark,f1``."""
    keys = [key.strip() for key in binding.key.split(",") if key.strip()]
    return ", ".join(app.get_key_display(Binding(key, binding.action)) for key in keys)


def palette_commands(app: Any, screen: Any) -> Iterator[tuple[str, str, Any]]:
    """``(title, help, callback)`` for each binding of ``app`` and ``screen`` with a description.

    The title is the binding's description with its key, e.g. ``Search (2)``; the help
    is its tooltip. Callbacks run the action on the app or the screen that declares it.
    """
    seen: set[str] = set()
    for target in (screen, app):
        for binding in getattr(target, "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            key = key_display(app, binding)
            yield (
                f"{binding.description} ({key})",
                binding.tooltip or binding.description,
                partial(target.run_action, binding.action),
            )
    for title, help_text, action in getattr(app, "PALETTE_EXTRAS", ()):
        yield title, help_text, partial(app.run_action, action)


class HubbubCommands(Provider):
    """Screens, time frames, theme, help and each screen's own actions."""

    def _commands(self) -> list[tuple[str, str, Any]]:
        return list(palette_commands(self.app, self.screen))

    async def discover(self) -> Hits:
        """Everything, before anything is typed."""
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """The commands whose title matches ``query``."""
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
