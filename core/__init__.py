"""hubbub: plugin-based social listening.

A plugin's only import is ``from hubbub import hookimpl``; the kinds it registers
subclass :class:`Source`, :class:`PostAnalyzer`, :class:`CorpusAnalyzer` or
:class:`Reporter`.
"""

from hubbub.errors import HubbubError
from hubbub.hookspecs import hookimpl
from hubbub.kinds import CorpusAnalyzer, Options, PostAnalyzer, Reporter, Source
from hubbub.posts import Post, Reject

__version__ = "0.1.0"

__all__ = [
    "CorpusAnalyzer",
    "HubbubError",
    "Options",
    "Post",
    "PostAnalyzer",
    "Reject",
    "Reporter",
    "Source",
    "__version__",
    "hookimpl",
]
