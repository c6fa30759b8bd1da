"""Search: a query box with live, paged results (matches highlighted) and a post pane with its thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from hubbub.tui.screens.base import DataScreen, cell, one_line
from hubbub.tui.screens.dialogs import TopicNameScreen
from hubbub.tui.timeframe import TimeFrame
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from hubbub.search import Hit
    from hubbub.tui.data import PostThread

#: results per page
PAGE = 50
SORTS = ("newest", "engagement", "relevance", "oldest")
HIGHLIGHT = "bold reverse"


@dataclass
class SearchPage:
    """One page of results."""

    query: str
    total: int
    page: int
    sort: str
    hits: list[Hit]


def highlighted(text: str, spans: list[tuple[int, int]], *, flat: bool = False) -> Text:
    """``text`` as Rich ``Text`` with the matched ``spans`` styled (never parsed as markup)."""
    if flat:  # one line for a table cell; spans keep their offsets when lengths are kept
        text = "".join(" " if char in "\r\n\t" else char for char in text)
    result = Text(text)
    for start, end in spans:
        result.stylize(HIGHLIGHT, start, end)
    return result


class SearchScreen(DataScreen):
    """Posts matching a query in the time frame, newest first, a page at a time."""

    NAME = "search"
    BINDINGS: ClassVar = [
        *DataScreen.BINDINGS,
        Binding("slash", "focus_query", "Query", tooltip="Type a query (Lucene syntax)"),
        Binding("n", "page(1)", "Next page", tooltip="The next page of results"),
        Binding("p", "page(-1)", "Prev page", tooltip="The previous page of results"),
        Binding("o", "next_sort", "Sort", tooltip="Sort by newest, engagement, relevance, oldest"),
        Binding(
            "s", "save_topic", "Save topic", tooltip="Save the query as a topic in hubbub.toml"
        ),
        Binding("escape", "focus_results", "Results", show=False, tooltip="Move to the results"),
    ]
    """Search keys: ``/`` query, ``n``/``p`` pages, ``o`` sort, ``s`` save as topic, Enter opens a post."""

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.page = 0
        self.sort = "newest"
        self.total = 0
        self.hits: list[Hit] = []
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        """Query box, status line, results table and the post pane."""
        yield self.compose_header()
        with Container(id="search-body"):
            yield Input(
                placeholder='Query, e.g. "lost bag" OR #baggage   (Enter: search)', id="query"
            )
            yield Static(id="search-status")
            with Container(id="search-panes"):
                yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="post-pane", classes="panel"):
                    yield Static(Text("Select a post to see it with its thread."), id="post")
        yield self.compose_footer()

    def on_mount(self) -> None:
        """Columns, then the first page of everything."""
        table = self.query_one("#results", DataTable)
        table.add_column("When", width=11)
        table.add_column("Author", width=14)
        table.add_column("Post", width=200)
        self.query_one("#post-pane").border_title = "Post and thread"
        super().on_mount()

    # ------------------------------------------------------------ loading

    def fetch(self, frame: TimeFrame) -> SearchPage:
        """A page of hits and the total count for the current query (everything when empty)."""
        from hubbub.search import count_matches, search

        store = self.project.store
        timezone = self.project.config.project.timezone
        query = self.query_text.strip() or "*"
        window = {"since": frame.since, "until": frame.until, "timezone": timezone}
        total = count_matches(store, query, **window)
        page = min(self.page, max(0, (total - 1) // PAGE))
        hits = search(store, query, limit=(page + 1) * PAGE, sort=self.sort, **window)
        return SearchPage(query, total, page, self.sort, hits[page * PAGE :])

    def show(self, data: SearchPage) -> None:
        """Fill the results table and the status line."""
        self.page, self.total, self.hits = data.page, data.total, data.hits
        table = self.query_one("#results", DataTable)
        table.clear()
        for hit in data.hits:
            table.add_row(
                cell(hit.created_at.strftime("%m-%d %H:%M")),
                cell(hit.author),
                highlighted(hit.text, hit.highlights, flat=True),
                key=str(hit.post_id),
            )
        pages = max(1, (data.total + PAGE - 1) // PAGE)
        shown = "everything" if data.query == "*" else data.query
        status = Text(f"{data.total:,} posts", style="bold")
        status.append(f" match {shown!r} · page {data.page + 1}/{pages} · {data.sort} first")
        self.query_one("#search-status", Static).update(status)

    # ------------------------------------------------------------ typing

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        """Search as the user types (after a short pause)."""
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.3, lambda: self._run_query(event.value))

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._run_query(event.value)
        self.action_focus_results()

    def _run_query(self, text: str) -> None:
        from hubbub.query import QueryError, parse_query

        try:
            if text.strip():
                parse_query(text, timezone=self.project.config.project.timezone)
        except QueryError as error:
            self.query_one("#search-status", Static).update(Text(str(error), style="red"))
            return
        self.query_text, self.page = text, 0
        self.action_reload()

    # ------------------------------------------------------------ the post pane

    @on(DataTable.RowHighlighted, "#results")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.open_post(int(event.row_key.value))

    @on(DataTable.RowSelected, "#results")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_post(int(event.row_key.value))
            self.query_one("#post-pane").focus()

    @work(thread=True, exclusive=True, group="post")
    def open_post(self, post_id: int) -> None:
        """Load the post, its thread and the brands' answers (in a worker) into the pane."""
        from hubbub.tui.data import post_thread

        worker = get_current_worker()
        try:
            thread = post_thread(self.project, post_id)
        except Exception as error:
            self.app.call_from_thread(self.hubbub.report_error, error)
            return
        if worker.is_cancelled:  # the cursor moved on to another post
            return
        spans = next((hit.highlights for hit in self.hits if hit.post_id == post_id), [])
        self.app.call_from_thread(self._show_post, thread, spans)

    def _show_post(self, thread: PostThread, spans: list[tuple[int, int]]) -> None:
        self.query_one("#post", Static).update(post_text(thread, spans))

    # ------------------------------------------------------------ actions

    def action_focus_query(self) -> None:
        """Put the cursor in the query box."""
        self.query_one("#query", Input).focus()

    def action_focus_results(self) -> None:
        """Move to the results table."""
        self.query_one("#results", DataTable).focus()

    def action_page(self, step: int) -> None:
        """Show the next (``1``) or previous (``-1``) page."""
        pages = max(1, (self.total + PAGE - 1) // PAGE)
        page = min(max(self.page + step, 0), pages - 1)
        if page != self.page:
            self.page = page
            self.action_reload()

    def action_next_sort(self) -> None:
        """Sort by the next order (newest, engagement, relevance, oldest)."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.page = 0
        self.action_reload()

    def action_save_topic(self) -> None:
        """Ask for a name and save the current query as a topic."""
        if not self.query_text.strip():
            self.notify("Type a query first, then save it as a topic.", severity="warning")
            return
        self.app.push_screen(TopicNameScreen(self.query_text), self._save_named)

    def _save_named(self, name: str | None) -> None:
        if name:
            self._save_topic(name, self.query_text)

    @work(thread=True, group="save")
    def _save_topic(self, name: str, query: str) -> None:
        from hubbub.topics import ensure_tagged
        from hubbub.tui.data import save_topic

        try:
            save_topic(self.project, name, query)
            result = ensure_tagged(self.project, only=[name])[name]
        except Exception as error:
            self.app.call_from_thread(self.hubbub.report_error, error)
            return
        self.app.call_from_thread(
            self.notify,
            f"Saved topic {name!r}: {result.posts:,} posts",
            title="Topic saved",
            markup=False,
        )


def post_text(thread: PostThread, spans: list[tuple[int, int]]) -> Text:
    """The post pane: the post with its figures, the brands' answers, then the thread."""
    post = thread.post
    text = Text()
    text.append(f"@{post['author']}", style="bold")
    if post["author_name"]:
        text.append(f"  {post['author_name']}")
    if post["author_followers"] is not None:
        text.append(f"  {post['author_followers']:,} followers", style="dim")
    text.append(f"\n{post['platform']} · {post['created_at']:%Y-%m-%d %H:%M} UTC", style="dim")
    text.append(
        f" · ♥ {post['likes'] or 0}  ⟲ {post['reposts'] or 0}  ↩ {post['replies'] or 0}\n",
        style="dim",
    )
    text.append_text(highlighted(post["text"], spans))
    text.append("\n")
    if post["url"]:
        text.append(f"{post['url']}\n", style="dim underline")
    for answer in thread.answers:
        if answer.answered:
            text.append(f"\n✔ {answer.brand} answered", style="green")
            text.append(f" as @{answer.reply_author} after {answer.response}")
        else:
            text.append(f"\n✘ {answer.brand} has not answered", style="yellow")
    others = [item for item in thread.thread if item["id"] != post["id"]]
    if others:
        text.append(f"\n\nThread ({len(thread.thread)} posts)\n", style="bold")
        for item in thread.thread:
            marker = "▶ " if item["id"] == post["id"] else "  "
            text.append(marker)
            text.append(f"{item['created_at']:%m-%d %H:%M} ", style="dim")
            text.append(f"@{item['author']}", style="bold")
            text.append(f": {one_line(item['text'], 200)}\n")
    return text
