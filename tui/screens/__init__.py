"""The screens of the terminal UI, one per module."""

from hubbub.tui.screens.base import DataScreen
from hubbub.tui.screens.dialogs import TimeFrameScreen, TopicNameScreen
from hubbub.tui.screens.help import HelpScreen
from hubbub.tui.screens.influencers import InfluencersScreen
from hubbub.tui.screens.live import LiveScreen, LiveSettings
from hubbub.tui.screens.overview import OverviewScreen
from hubbub.tui.screens.plugins import PluginsScreen
from hubbub.tui.screens.responsiveness import ResponsivenessScreen
from hubbub.tui.screens.search import SearchScreen
from hubbub.tui.screens.sources import SourcesScreen
from hubbub.tui.screens.topics import TopicsScreen

__all__ = [
    "DataScreen",
    "HelpScreen",
    "InfluencersScreen",
    "LiveScreen",
    "LiveSettings",
    "OverviewScreen",
    "PluginsScreen",
    "ResponsivenessScreen",
    "SearchScreen",
    "SourcesScreen",
    "TimeFrameScreen",
    "TopicNameScreen",
    "TopicsScreen",
]
