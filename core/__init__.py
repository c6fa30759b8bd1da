"""hubbub: plugin-based social listening.

A plugin's only import is ``from hubbub import hookimpl``; the kinds it registers
subclass :class:`Source`, :class:`PostAnalyzer`, :class:`CorpusAnalyzer` or
:class:`Reporter`. Those (and pydantic under them) load on first use, so commands
like ``hubbub --help`` start quickly.
"""

from typing import TYPE_CHECKING, Any

from hubbub.errors import HubbubError
from hubbub.hookspecs import hookimpl

if TYPE_CHECKING:
    from hubbub.kinds import CorpusAnalyzer, Options, PostAnalyzer, Reporter, Source
    from hubbub.posts import Post, Reject

__version__ = "0.1.0"

_LAZY = {
    "CorpusAnalyzer": "hubbub.kinds",
    "Notifier": "hubbub.kinds",
    "Options": "hubbub.kinds",
    "PostAnalyzer": "hubbub.kinds",
    "Reporter": "hubbub.kinds",
    "Source": "hubbub.kinds",
    "Post": "hubbub.posts",
    "Reject": "hubbub.posts",
}

__all__ = [
    "CorpusAnalyzer",
    "HubbubError",
    "Notifier",
    "Options",
    "Post",
    "PostAnalyzer",
    "Reject",
    "Reporter",
    "Source",
    "__version__",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'hubbub' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
