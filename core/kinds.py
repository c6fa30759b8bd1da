"""Base classes for what plugins register: sources, analyzers and reporters.

Each kind has a ``name`` (unique within its kind), an ``Options`` pydantic model that
validates its ``hubbub.toml`` section (and documents it), and one job.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from hubbub.errors import ConfigError
from pydantic import BaseModel, ConfigDict, ValidationError

if TYPE_CHECKING:
    from hubbub.alerts import Alert
    from hubbub.posts import Post, Reject
    from hubbub.project import Project


class Options(BaseModel):
    """Base for a kind's options: unknown keys are an error, so typos are caught."""

    model_config = ConfigDict(extra="forbid")


def format_validation_error(error: ValidationError, where: str) -> str:
    """Turn a pydantic error into one readable line naming the key and what was expected."""
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif "input" in item and item["type"] != "missing":
            message = f"{message} (got {item['input']!r})"
        problems.append(f"{key}: {message}" if key else message)
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where}: {problems[0]}{more}"


class Kind(ABC):  # noqa: B024 - the kinds below declare the abstract job
    """What every registered kind shares: a name, a description and validated options."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    Options: ClassVar[type[Options]] = Options

    #: set by the registry: the plugin that registered this class
    plugin: ClassVar[str] = ""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options if options is not None else self.Options()

    @classmethod
    def parse_options(cls, section: dict[str, Any], where: str) -> Options:
        """Validate a config section against ``Options``; raise :class:`ConfigError` naming ``where``."""
        try:
            return cls.Options.model_validate(section)
        except ValidationError as error:
            raise ConfigError(format_validation_error(error, where)) from None


class Source(Kind):
    """Yields normalised posts (and rejects) and keeps a resumable cursor.

    The ingest loop calls :meth:`read` with the cursor saved after the last committed
    batch (``None`` the first time) and, after each batch it commits, saves what
    :meth:`checkpoint` returns. A checkpoint must describe the state right after the
    last item yielded, so a resumed read neither repeats nor skips anything.
    """

    def __init__(self, options: Options | None = None, *, key: str = "") -> None:
        super().__init__(options)
        #: identity of this source's cursor and of its rejects (``file:/path`` or a config name)
        self.key = key or self.name

    @abstractmethod
    def read(self, cursor: dict[str, Any] | None) -> Iterator[Post | Reject]:
        """Yield posts and rejects, starting after ``cursor``."""

    def checkpoint(self) -> dict[str, Any] | None:
        """The cursor for resuming after the last yielded item (JSON-serialisable)."""
        return None

    @classmethod
    def sniff(cls, sample: Any) -> float:
        """How sure this source is that a file sample (:class:`hubbub.sniff.Sample`) is its format.

        0 means "not mine", 1 "certainly mine"; ``hubbub import`` without ``--format``
        picks the most confident file source.
        """
        return 0.0

    def cursor_fingerprint(self) -> str | None:
        """A digest of the settings a cursor depends on (``None``: cursors always apply).

        The ingest loop stores it with each cursor and ignores a saved cursor whose
        fingerprint differs, so changing what a source reads starts it afresh.
        """
        return None

    def progress(self) -> tuple[int, int | None]:
        """Work done and total (e.g. bytes read and file size) for a progress bar."""
        return 0, None


class PostAnalyzer(Kind):
    """Turns a batch of posts into annotations, one dict per post.

    Bump ``version`` when results would change: posts analysed by an older version
    are analysed again. The batch holds :class:`hubbub.analysis.PostText` tuples
    (``text`` exactly as written, ``lang``); identical ones are analysed once, so
    ``analyze`` must be a pure function of them.
    """

    version: ClassVar[str] = "1"
    #: names of post analyzers that must run first (``"language"`` makes ``lang`` the
    #: language analyzer's result instead of the platform's tag)
    requires: ClassVar[tuple[str, ...]] = ()
    #: an annotation key whose values ``hubbub analyze`` counts in its summary
    summary_key: ClassVar[str | None] = None

    @abstractmethod
    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        """Return one ``{key: value}`` dict of annotations per post (``PostText``), in order."""


class CorpusAnalyzer(Kind):
    """Turns a scope of the corpus (topic, brand, time window) into findings."""

    @abstractmethod
    def run(self, project: Project, scope: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """Yield findings: dicts with ``subject``, ``score`` and ``details``."""


class Reporter(Kind):
    """Renders a report to a text stream in one output format."""

    @abstractmethod
    def render(self, report: dict[str, Any], stream: TextIO) -> None:
        """Write ``report`` to ``stream``."""


class Notifier(Kind):
    """Delivers a fired alert somewhere: a webhook, an email, a log file, a screen.

    ``hubbub watch`` builds one per ``[[notifiers]]`` table (``key`` is the table's
    ``name``) and calls :meth:`send` for each alert the rules route to it. ``send``
    raises on failure; the watch retries it with backoff (``attempts`` tries in all,
    unless ``retries_itself`` says the notifier retries on its own), then records and
    logs the failure and goes on.
    """

    #: how many times the watch tries :meth:`send` before recording a failure
    attempts: ClassVar[int] = 3
    #: the notifier retries inside :meth:`send` (e.g. through :class:`hubbub.http.HttpClient`)
    retries_itself: ClassVar[bool] = False

    def __init__(self, options: Options | None = None, *, key: str = "") -> None:
        super().__init__(options)
        #: the ``[[notifiers]]`` name of this instance
        self.key = key or self.name
        #: how the notifier waits between its own retries (tests inject a no-op)
        self.sleep: Any = None

    @abstractmethod
    def send(self, alert: Alert) -> None:
        """Deliver ``alert``; raise (any exception) when it could not be delivered."""
