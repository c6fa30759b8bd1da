"""The plugin engine: loads bundled and third-party plugins and collects what they register.

Bundled plugins are the modules in :data:`DEFAULT_PLUGINS`, registered exactly as a
third-party plugin is. Third-party plugins are found through the ``hubbub``
entry-point group. ``HUBBUB_LOAD_PLUGINS`` (comma-separated entry-point names, empty
for none) restricts which third-party plugins load; ``HUBBUB_TRACE_PLUGINS=1`` prints
every hook call to stderr.

A plugin that fails to import, raises in a hook, registers something invalid or
returns a value from a hook that returns nothing is recorded under its name in
:attr:`PluginHost.errors`; nothing else stops.

A plugin module may define ``PluginOptions``, a :class:`hubbub.Options` model for its
``[plugins.NAME]`` table in ``hubbub.toml``; :meth:`hubbub.project.Project.plugin_options`
validates and returns it.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy
from hubbub import hookspecs
from hubbub.errors import HubbubError, PluginError
from hubbub.kinds import (
    CorpusAnalyzer,
    Kind,
    Notifier,
    Options,
    PostAnalyzer,
    Reporter,
    Source,
)

if TYPE_CHECKING:
    from hubbub.project import Project

DEFAULT_PLUGINS: tuple[str, ...] = (
    "hubbub.plugins.native",
    "hubbub.plugins.twitter",
    "hubbub.plugins.mastodon",
    "hubbub.plugins.bluesky",
    "hubbub.plugins.reddit",
    "hubbub.plugins.hackernews",
    "hubbub.plugins.mastodon_api",
    "hubbub.plugins.rss",
    "hubbub.plugins.http_json",
    "hubbub.plugins.hackernews_api",
    "hubbub.plugins.bluesky_api",
    "hubbub.plugins.reddit_api",
    "hubbub.plugins.twitter_api",
    "hubbub.plugins.demo_stream",
    "hubbub.plugins.language",
    "hubbub.plugins.sentiment",
    "hubbub.plugins.responsiveness",
    "hubbub.plugins.influence",
    "hubbub.plugins.topics",
    "hubbub.plugins.report_sections",
    "hubbub.plugins.reporters",
    "hubbub.plugins.notifiers",
    "hubbub.plugins.tui_notifier",
)

from hubbub.entry_points import (  # noqa: E402
    TRACE_ENV,
    third_party_entry_points,
)

#: registry kind -> (hook name, accepted base classes)
KINDS: dict[str, tuple[str, tuple[type[Kind], ...]]] = {
    "source": ("register_sources", (Source,)),
    "analyzer": ("register_analyzers", (PostAnalyzer, CorpusAnalyzer)),
    "reporter": ("register_reporters", (Reporter,)),
    "notifier": ("register_notifiers", (Notifier,)),
}


@dataclass
class PluginInfo:
    """What ``hubbub plugins`` shows about one plugin."""

    name: str
    version: str
    bundled: bool
    hooks: list[str] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: the plugin's ``PluginOptions`` model (its ``[plugins.NAME]`` table), if it has one
    options_model: type[Options] | None = None

    def options_shown(self, project: Project | None = None) -> tuple[list[str], list[str]]:
        """``key=value`` per option (the project's values, else the defaults), and errors.

        What ``hubbub plugins`` and the TUI show; a table that does not validate gives no
        values and its one-line error.
        """
        model = self.options_model
        if model is None:
            return [], []
        if project is not None:
            try:
                values = project.plugin_options(self.name).model_dump(mode="json")
            except HubbubError as error:
                return [], [str(error)]
            return [f"{key}={value!r}" for key, value in values.items()], []
        shown = []
        for key, spec in model.model_fields.items():
            default = spec.get_default(call_default_factory=True)
            shown.append(f"{key}={'<required>' if spec.is_required() else repr(default)}")
        return shown, []


class PluginHost:
    """A plugin manager plus the registry of sources, analyzers and reporters."""

    def __init__(
        self, *, load_entry_points: bool = True, extra: Iterable[Any] = (), bundled: bool = True
    ) -> None:
        """Load the bundled plugins, the installed ones and ``extra``, then collect registrations.

        :param load_entry_points: load the third-party plugins of the ``hubbub`` entry-point group.
        :param bundled: load the bundled plugins (``DEFAULT_PLUGINS``); the CLI leaves them
            out when it only asks third-party plugins for their commands.
        :param extra: more plugins (modules or objects with hookimpls, named by their
            ``__name__``), or ``(name, plugin)`` pairs to give one a name (as its entry point would).
        """
        self.pm = pluggy.PluginManager("hubbub")
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self.registry: dict[str, dict[str, type[Kind]]] = {kind: {} for kind in KINDS}
        #: print each hook call to stderr (``HUBBUB_TRACE_PLUGINS=1``)
        self.trace = bool(os.environ.get(TRACE_ENV))
        if self.trace:
            self.pm.trace.root.setwriter(lambda message: sys.stderr.write(message))
            self.pm.enable_tracing()
        for module_name in DEFAULT_PLUGINS if bundled else ():
            self._load_module(module_name)
        if load_entry_points:
            self._load_entry_points()
        for plugin in extra:
            if isinstance(plugin, tuple):
                self.add(plugin[1], name=plugin[0])
            else:
                self.add(plugin)
        self._collect()

    # ------------------------------------------------------------ loading

    def _load_module(self, module_name: str) -> None:
        short = module_name.rsplit(".", 1)[-1]
        from hubbub import __version__

        info = self.info.setdefault(short, PluginInfo(short, __version__, bundled=True))
        try:
            module = importlib.import_module(module_name)
        except Exception as error:  # a bundled plugin's failure must not stop hubbub
            info.errors.append(f"failed to import: {error}")
            return
        self.pm.register(module, name=short)

    def _load_entry_points(self) -> None:
        for entry_point in third_party_entry_points():
            if entry_point.name in self.info:
                continue
            version = entry_point.dist.version if entry_point.dist else "?"
            info = PluginInfo(entry_point.name, version, bundled=False)
            self.info[entry_point.name] = info
            try:
                plugin = entry_point.load()
                self.pm.register(plugin, name=entry_point.name)
            except Exception as error:
                info.errors.append(f"failed to load: {type(error).__name__}: {error}")

    def add(self, plugin: Any, name: str | None = None) -> None:
        """Register a plugin object (a module or an instance with hookimpls), e.g. in tests."""
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        info = self.info.setdefault(name, PluginInfo(name, "-", bundled=False))
        try:
            self.pm.register(plugin, name=name)
        except Exception as error:
            info.errors.append(f"failed to register: {error}")

    # ------------------------------------------------------------ registration

    def _collect(self) -> None:
        for name, plugin in self.pm.list_name_plugin():
            info = self.info.setdefault(name, PluginInfo(name, "-", bundled=False))
            info.hooks = sorted(
                hook.name for hook in self.pm.get_hookcallers(plugin) or () if hook.name
            )
            model = getattr(plugin, "PluginOptions", None)
            if model is not None:
                if isinstance(model, type) and issubclass(model, Options):
                    info.options_model = model
                else:
                    info.errors.append(
                        f"PluginOptions: TypeError: expected a subclass of hubbub.Options, got {model!r}"
                    )
        for kind, (hook_name, _bases) in KINDS.items():
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                register = self._make_register(kind, impl.plugin_name)
                self._call_impl(impl, {"register": register})

    def _make_register(self, kind: str, plugin_name: str) -> Callable[..., None]:
        bases = KINDS[kind][1]

        def register(cls: type[Kind]) -> None:
            if not (isinstance(cls, type) and issubclass(cls, bases)):
                expected = " or ".join(f"hubbub.{base.__name__}" for base in bases)
                raise TypeError(f"expected a subclass of {expected}, got {cls!r}")
            if inspect.isabstract(cls):
                missing = ", ".join(sorted(cls.__abstractmethods__))
                raise TypeError(f"{cls.__name__} does not implement {missing}")
            if not isinstance(cls.name, str) or not cls.name:
                raise TypeError(f"{cls.__name__} has no name")
            existing = self.registry[kind].get(cls.name)
            if existing is not None:
                raise PluginError(
                    f"{kind} {cls.name!r} is already registered by plugin {existing.plugin!r}"
                )
            cls.plugin = plugin_name
            self.registry[kind][cls.name] = cls
            self.info[plugin_name].registered.append(f"{kind}:{cls.name}")

        return register

    def _call_impl(self, impl: pluggy.HookImpl, kwargs: dict[str, Any]) -> Any:
        """Call one plugin's implementation; record (not raise) what goes wrong."""
        if self.trace:
            # impls are called one by one (not through pm.hook), so pluggy's tracing sees none
            sys.stderr.write(f"hubbub: calling {impl.plugin_name}.{impl.function.__name__}\n")
        try:
            result = impl.function(*[kwargs[arg] for arg in impl.argnames])
        except Exception as error:
            self.info[impl.plugin_name].errors.append(
                f"{impl.function.__name__}: {type(error).__name__}: {error}"
            )
            return None
        hook_name = impl.function.__name__
        if result is not None and hook_name in _RETURNS_NOTHING:
            self.info[impl.plugin_name].errors.append(
                f"{hook_name}: TypeError: returned {result!r:.80}; this hook returns nothing"
                " (register things through its argument)"
            )
            return None
        return result

    def call_event(self, hook_name: str, **kwargs: Any) -> None:
        """Call an event hook on every plugin, each separately, so one failure stops none."""
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            self._call_impl(impl, kwargs)

    def collect(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a hook on every plugin, each separately; ``(plugin name, result)`` for each
        result that is not ``None``. A plugin that raises is recorded in :attr:`errors`."""
        results = []
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            result = self._call_impl(impl, kwargs)
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def register_commands(self, cli: Any) -> None:
        """Let plugins add typer commands to ``cli``."""
        for impl in self.pm.hook.register_commands.get_hookimpls():
            self._call_impl(impl, {"cli": cli})

    # ------------------------------------------------------------ lookup

    def get(self, kind: str, name: str) -> type[Kind]:
        """The registered class of ``kind`` called ``name``, or a clear error listing the choices."""
        try:
            return self.registry[kind][name]
        except KeyError:
            choices = ", ".join(sorted(self.registry[kind])) or "none"
            raise HubbubError(f"unknown {kind} {name!r} (available: {choices})") from None

    def sources(self) -> dict[str, type[Source]]:
        """Registered source types by name."""
        return self.registry["source"]  # type: ignore[return-value]

    def notifiers(self) -> dict[str, type[Notifier]]:
        """Registered notifier types by name."""
        return self.registry["notifier"]  # type: ignore[return-value]

    @property
    def errors(self) -> dict[str, list[str]]:
        """Plugin name -> error messages, for plugins that had any."""
        return {name: info.errors for name, info in self.info.items() if info.errors}


#: hooks whose spec returns ``None``: an implementation returning a value is a mistake
_RETURNS_NOTHING = frozenset(
    name
    for name, spec in vars(hookspecs).items()
    if callable(spec)
    and hasattr(spec, "hubbub_spec")
    and inspect.signature(spec).return_annotation in (None, "None")
)

_host: PluginHost | None = None


def get_host() -> PluginHost:
    """The process-wide plugin host, loaded once on first use."""
    global _host
    if _host is None:
        _host = PluginHost()
    return _host


def reset_host() -> None:
    """Forget the loaded plugins (tests use this after changing the environment)."""
    global _host
    _host = None
