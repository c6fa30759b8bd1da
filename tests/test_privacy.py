"""Personal data: ``hubbub forget``, raw-payload retention and pseudonymised export.

Every test builds a small project in ``tmp_path`` and imports native JSONL through the real
``hubbub import``; what a user would see afterwards (search, export, influencers,
responsiveness, the TUI, the database file itself) is checked for the forgotten author.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from hubbub.models import Finding
from hubbub.privacy import HandleMatcher, Pseudonymizer, apply_retention, forget_authors
from hubbub.project import Project
from hubbub.store import Store, annotations_table, posts_table, rejects_table
from hubbub.timeutil import utcnow
from hubbub.topics import post_topics_table, topic_state_table

CONFIG = """\
[project]
name = "privacy test"
{extra_project}

[brands.acme]
handles = ["Acme"]

[topics]
bags = 'bag OR luggage'
mentioned = '@alice OR @bob'
"""

#: Alice is forgotten; Bob, Carol and Acme must keep everything of theirs
POSTS: list[dict[str, Any] | bytes] = [
    {
        "id": "1",
        "author": "Alice",
        "author_name": "Alice Liddell",
        "text": "@Acme my bag is lost zanzibarword #baggage",
        "created_at": "2026-11-01T10:00:00Z",
        "url": "https://x.com/Alice/status/1",
        "mentions": ["Acme"],
        "hashtags": ["baggage"],
    },
    {
        "id": "2",
        "author": "Acme",
        "text": "@alice sorry about the bag, we are on it",
        "created_at": "2026-11-01T10:05:00Z",
        "reply_to_id": "1",
        "reply_to_author": "alice",
        "conversation_id": "1",
    },
    {
        "id": "3",
        "author": "bob",
        "author_name": "Bob B",
        "text": "@Acme @Alice my luggage too, see https://x.com/alice/status/1",
        "created_at": "2026-11-01T11:00:00Z",
        "quote_of_id": "1",
        "quote_of_author": "ALICE",
        "source_user": {"screen_name": "bob", "friend": "@alice"},
    },
    {
        "id": "4",
        "author": "carol",
        "text": "@bob lost bag again @Acme",
        "created_at": "2026-11-01T12:00:00Z",
        "reposts": 2,
    },
    {
        "id": "5",
        "author": "@alice",
        "text": "@Acme still waiting for my bag quokkaword",
        "created_at": "2026-11-02T09:00:00Z",
    },
    {
        "id": "6",
        "author": "carol",
        "text": "my luggage is fine, thanks @Acme",
        "created_at": "2026-11-02T10:00:00Z",
        "reply_to_id": "3",
        "reply_to_author": "bob",
    },
    b'{"id": "7", "author": "alice", "text": "broken',
    b'{"id": "8", "author": "bob", "text": "broken too',
]
OTHERS = {"2", "3", "4", "6"}


def make_project(
    tmp_path: Path,
    cli: Callable[..., Any],
    records: list[Any],
    *,
    extra_project: str = "",
    database: str | None = None,
) -> Path:
    """A project with ``records`` imported through ``hubbub import`` (SQLite unless ``database``)."""
    directory = tmp_path / "proj"
    directory.mkdir()
    if database:
        extra_project += f"\ndatabase = {orjson.dumps(database).decode()}"
    (directory / "hubbub.toml").write_text(CONFIG.format(extra_project=extra_project))
    data = tmp_path / "posts.jsonl"
    with data.open("wb") as stream:
        for item in records:
            stream.write((item if isinstance(item, bytes) else orjson.dumps(item)) + b"\n")
    result = cli("import", data, "-p", directory)
    assert result.exit_code == 0, result.output
    return directory


@pytest.fixture
def listening(tmp_path: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project of :data:`POSTS`, analysed and topic-tagged, with two findings."""
    monkeypatch.setenv("HUBBUB_LOAD_PLUGINS", "")  # bundled plugins only
    directory = make_project(tmp_path, cli, POSTS)
    result = cli("analyze", "-p", directory, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert cli("topics", "-p", directory).exit_code == 0  # tags the posts with topics
    store = Store.open(f"sqlite:///{directory / 'hubbub.db'}")
    findings: sa.Table = Finding.__table__  # type: ignore[assignment]
    with store.engine.begin() as conn:
        conn.execute(
            sa.insert(findings),
            [
                {"analyzer": "influence", "scope": "bags", "subject": "Alice", "details": "{}"},
                {
                    "analyzer": "influence",
                    "scope": "bags",
                    "subject": "bob",
                    "details": orjson.dumps({"engaged_by": ["alice"], "note": "@alice"}).decode(),
                },
            ],
        )
    store.close()
    return directory


def open_store(directory: Path) -> Store:
    return Store.open(f"sqlite:///{directory / 'hubbub.db'}")


def snapshot(directory: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a forget touches."""
    findings: sa.Table = Finding.__table__  # type: ignore[assignment]
    store = open_store(directory)
    tables = (
        posts_table,
        annotations_table,
        post_topics_table,
        topic_state_table,
        rejects_table,
        findings,
    )
    with store.engine.connect() as conn:
        rows = {
            table.name: sorted(tuple(row) for row in conn.execute(sa.select(table)))
            for table in tables
        }
        rows["fts"] = sorted(
            conn.exec_driver_sql("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'bag'")
        )
    store.close()
    return rows


def fts(store: Store, match: str) -> int:
    return store.full_text_count(match)


def database_bytes(directory: Path) -> bytes:
    """The database file and its write-ahead log, lower-cased (no connection may be open)."""
    data = b""
    for name in ("hubbub.db", "hubbub.db-wal"):
        path = directory / name
        if path.exists():
            data += path.read_bytes()
    return data.lower()


# ---------------------------------------------------------------- what the user sees


def visible_text(cli: Callable[..., Any], directory: Path) -> str:
    """What search, export, influencers and responsiveness print, lower-cased."""
    outputs = []
    for args in (
        ("search", "alice OR bag OR luggage OR zanzibarword OR quokkaword", "--format", "json"),
        ("export",),
        ("influencers", "--query", "bag OR luggage OR @alice", "--top", "9", "--format", "json"),
        ("responsiveness", "--show", "waiting", "--format", "json"),
        ("responsiveness", "--show", "slowest", "--format", "json"),
        ("rejects", "--format", "json"),
    ):
        result = cli(*args, "-p", directory)
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.stdout)
    return "\n".join(outputs).lower()


def tui_text(directory: Path) -> str:
    """The text of the search screen (for "bag", with a post open) and the responsiveness one."""
    from hubbub.tui.app import HubbubApp
    from textual.widgets import DataTable, Static

    def screen_text(app: Any) -> str:
        parts = []
        for table in app.screen.query(DataTable):
            for index in range(table.row_count):
                parts += [str(getattr(cell, "plain", cell)) for cell in table.get_row_at(index)]
        for widget in app.screen.query(Static):
            parts.append(str(getattr(widget.content, "plain", widget.content)))
        return "\n".join(parts)

    async def settle(pilot: Any) -> None:
        for _ in range(2):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    async def run() -> str:
        project = Project.load(directory)
        app = HubbubApp(project, frame="all", screen="search")
        texts = []
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.click("#query")
                await pilot.press(*"bag", "enter")
                await settle(pilot)
                await pilot.press("enter")  # open the first post with its thread
                await settle(pilot)
                texts.append(screen_text(app))
                await pilot.press("5")  # responsiveness, with the customers still waiting
                await settle(pilot)
                texts.append(screen_text(app))
        finally:
            project.close()
        return "\n".join(texts).lower()

    return asyncio.run(run())


# ---------------------------------------------------------------- forget


def test_forget_removes_every_trace_of_the_author_and_nothing_of_others(
    listening: Path, cli: Callable[..., Any]
) -> None:
    before = snapshot(listening)
    assert "alice" in visible_text(cli, listening)  # the checks below can see her
    store = open_store(listening)
    their_ids = [row[0] for row in before["posts"] if row[5].lower().lstrip("@") == "alice"]
    assert len(their_ids) == 2 and fts(store, "zanzibarword") == 1
    others_annotations = [row for row in before["annotations"] if row[0] not in their_ids]
    store.close()

    result = cli("forget", "--author", "@ALICE", "--yes", "--format", "json", "-p", listening)
    assert result.exit_code == 0, result.output
    counts = {row["table"]: row for row in orjson.loads(result.stdout)}
    assert counts["posts"]["deleted"] == 2 and counts["posts"]["rewritten"] == 2  # posts 2 and 3
    assert counts["posts_fts"]["deleted"] == 2
    assert counts["rejects"]["deleted"] == 1 and counts["findings"]["deleted"] == 1
    assert counts["findings"]["rewritten"] == 1
    assert counts["annotations"]["deleted"] == sum(
        1 for row in before["annotations"] if row[0] in their_ids
    )
    assert "Forgot alice: deleted 2 posts" in result.stderr
    assert "Warning: hubbub.toml still names alice: topics.mentioned" in result.stderr

    after = snapshot(listening)
    assert {row[2] for row in after["posts"]} == OTHERS
    # other authors' posts keep every field but the references to her
    kept = {row[0]: row for row in before["posts"] if row[2] in OTHERS}
    for row in after["posts"]:
        old = kept[row[0]]
        assert row[5] == old[5] and row[10] == old[10]  # author, created_at
        if row[2] in ("4", "6"):
            assert row == old
    assert after["annotations"] == others_annotations
    assert not [row for row in after["post_topics"] if row[1] in their_ids]
    assert after["topic_state"] == []  # topics are re-tagged on next use
    assert len(after["rejects"]) == 1 and '"bob"' in after["rejects"][0][5]
    assert [row[6] for row in after["findings"]] == ["bob"]
    assert "alice" not in after["findings"][0][-1].lower()

    store = open_store(listening)
    try:
        assert fts(store, "zanzibarword") == 0 and fts(store, "quokkaword") == 0
        assert fts(store, "mentions : alice") == 0
        assert fts(store, "luggage") == 2  # Bob's and Carol's posts are still found
        with store.engine.begin() as conn:  # the index matches the table exactly
            conn.exec_driver_sql(
                "INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)"
            )
        with store.engine.connect() as conn:
            reply = conn.execute(
                sa.select(posts_table).where(posts_table.c.external_id == "2")
            ).one()
            quote = conn.execute(
                sa.select(posts_table).where(posts_table.c.external_id == "3")
            ).one()
    finally:
        store.close()
    # one pseudonym for her everywhere, so threads and the graph still add up
    pseudonym = reply.reply_to_author
    assert pseudonym.startswith("forgotten_") and len(pseudonym) == len("forgotten_") + 16
    assert quote.quote_of_author == pseudonym
    assert orjson.loads(quote.mentions) == ["Acme", pseudonym]
    assert (
        quote.text == f"@Acme @{pseudonym} my luggage too, see https://x.com/{pseudonym}/status/1"
    )
    assert orjson.loads(quote.raw)["source_user"] == {
        "screen_name": "bob",
        "friend": f"@{pseudonym}",
    }

    shown = visible_text(cli, listening)
    assert "alice" not in shown and "zanzibarword" not in shown
    assert "bob" in shown and "carol" in shown
    shown = tui_text(listening)
    assert "alice" not in shown
    assert "@bob" in shown and "carol" in shown  # the screens list authors: she would show
    # nothing is left in the file either: freed pages are zeroed, the index optimised
    data = database_bytes(listening)
    # (but for the topic query of hubbub.toml, which the forget warned about)
    assert data.count(b"alice") == data.count(b"@alice or @bob") <= 1
    assert b"zanzibarword" not in data and b"quokkaword" not in data
    assert b"luggage" in data


def test_dry_run_counts_and_changes_nothing(listening: Path, cli: Callable[..., Any]) -> None:
    before = snapshot(listening)
    dry = cli("forget", "-a", "alice", "--dry-run", "--format", "json", "-p", listening)
    assert dry.exit_code == 0, dry.output
    assert snapshot(listening) == before
    assert "Forgetting alice deletes 2 posts" in dry.stderr and "dry run" in dry.stderr
    real = cli("forget", "-a", "alice", "--yes", "--format", "json", "-p", listening)
    assert orjson.loads(dry.stdout) == orjson.loads(real.stdout)
    assert snapshot(listening) != before


def test_forget_asks_first_and_does_nothing_unless_told_yes(
    listening: Path, cli: Callable[..., Any]
) -> None:
    before = snapshot(listening)
    refused = cli("forget", "-a", "alice", "-p", listening, input="n\n")
    assert refused.exit_code == 1
    assert "This cannot be undone" in refused.stderr and "Nothing was deleted" in refused.stderr
    no_answer = cli("forget", "-a", "alice", "-p", listening, input="")
    assert no_answer.exit_code == 1
    assert snapshot(listening) == before
    agreed = cli("forget", "-a", "alice", "-p", listening, input="y\n")
    assert agreed.exit_code == 0, agreed.output
    assert {row[2] for row in snapshot(listening)["posts"]} == OTHERS


def test_forget_one_platform_keeps_the_same_handle_elsewhere(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    records = [
        {**POSTS[0], "platform": "twitter"},  # type: ignore[dict-item]
        {**POSTS[0], "platform": "mastodon", "id": "m1"},  # type: ignore[dict-item]
        {**POSTS[1], "platform": "mastodon", "id": "m2"},  # type: ignore[dict-item]
    ]
    directory = make_project(tmp_path, cli, records)
    result = cli("forget", "-a", "alice", "--platform", "Twitter", "--yes", "-p", directory)
    assert result.exit_code == 0, result.output
    rows = snapshot(directory)["posts"]
    assert sorted((row[1], row[2]) for row in rows) == [("mastodon", "m1"), ("mastodon", "m2")]
    assert [row[12] for row in rows if row[2] == "m2"] == ["alice"]  # not pseudonymised there


def test_forget_errors_are_one_line(
    listening: Path, cli: Callable[..., Any], error_line: Callable[[str], str]
) -> None:
    assert "--author HANDLE" in error_line(cli("forget", "-p", listening).stderr)
    assert "needs a handle" in error_line(cli("forget", "-a", "@", "-y", "-p", listening).stderr)
    result = cli("forget", "--expired", "-p", listening)
    assert "raw_retention_days" in error_line(result.stderr)
    before = snapshot(listening)
    result = cli("forget", "-a", "alice", "--expired", "--yes", "-p", listening)
    assert "raw_retention_days" in error_line(result.stderr)
    assert snapshot(listening) == before  # checked before anything was deleted


def test_forget_and_expire_in_one_command(tmp_path: Path, cli: Callable[..., Any]) -> None:
    records = [*POSTS[:2], {**POSTS[3], "created_at": "2020-01-01T00:00:00Z"}]  # type: ignore[dict-item]
    directory = make_project(tmp_path, cli, records)
    toml = directory / "hubbub.toml"
    toml.write_text(
        toml.read_text().replace("[brands.acme]", "raw_retention_days = 365\n\n[brands.acme]")
    )
    result = cli("forget", "-a", "alice", "--expired", "-y", "--format", "json", "-p", directory)
    assert result.exit_code == 0, result.output
    rows = {row["table"]: row for row in orjson.loads(result.stdout)}
    assert rows["posts"]["deleted"] == 1 and rows["posts (expired)"]["rewritten"] == 1
    assert [row[-1] == "" for row in sorted(snapshot(directory)["posts"])] == [False, True]


def test_nobody_matches_handles_that_only_look_alike() -> None:
    matcher = HandleMatcher(["alice"])
    text = "@malice @alice_b @alice.smith x@alice.com @alice@other.social /alicex @Alice!"
    assert matcher.scrub(text, lambda _h: "P") == (
        "@malice @alice_b @alice.smith x@alice.com @alice@other.social /alicex @P!"
    )
    assert matcher.mentions_anywhere('{"author":"Alice","text":"x')
    assert not matcher.mentions_anywhere('{"author":"malice","text":"alice_b"}')


# ---------------------------------------------------------------- retention


def test_retention_empties_old_raw_payloads_only(tmp_path: Path, cli: Callable[..., Any]) -> None:
    recent = (utcnow() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    records = [
        {
            "id": "old",
            "author": "dora",
            "text": "old news @Acme",
            "created_at": "2020-01-01T00:00:00Z",
        },
        {"id": "new", "author": "eve", "text": "fresh news", "created_at": recent, "extra": 1},
        {
            "id": "x",
            "author": "eve",
            "text": "x",
            "created_at": "2021-01-01",
            "note": "rawonlytoken",
        },
        b'{"id": "bad"',
    ]
    directory = make_project(tmp_path, cli, records, extra_project="raw_retention_days = 30")
    rows = {row[2]: row for row in snapshot(directory)["posts"]}
    # applied at the end of the import itself
    assert rows["old"][-1] == "" and rows["old"][8] == "old news @Acme"
    assert orjson.loads(rows["old"][18]) == ["Acme"]  # normalised fields stay
    assert orjson.loads(rows["new"][-1])["extra"] == 1
    assert b"rawonlytoken" not in database_bytes(directory)  # gone from the file too
    assert len(snapshot(directory)["rejects"]) == 1  # stored just now: kept

    dry = cli("retention", "--dry-run", "--format", "json", "-p", directory)
    assert dry.exit_code == 0, dry.output
    assert orjson.loads(dry.stdout) == [
        {"table": "posts", "deleted": 0, "rewritten": 0},
        {"table": "rejects", "deleted": 0, "rewritten": 0},
    ]

    store = open_store(directory)
    try:
        later = apply_retention(store, 30, now=utcnow() + timedelta(days=31), dry_run=True)
        assert (later.raw_payloads, later.rejects) == (1, 1)
        assert snapshot(directory)["posts"] == sorted(rows.values())
        apply_retention(store, 30, now=utcnow() + timedelta(days=31))
    finally:
        store.close()
    after = {row[2]: row for row in snapshot(directory)["posts"]}
    assert after["new"][-1] == "" and after["new"][8] == "fresh news"
    assert snapshot(directory)["rejects"] == []


def test_retention_command_and_forget_expired(tmp_path: Path, cli: Callable[..., Any]) -> None:
    records = [{"id": "1", "author": "dora", "text": "x", "created_at": "2025-01-01T00:00:00Z"}]
    directory = make_project(tmp_path, cli, records)  # no retention configured
    assert snapshot(directory)["posts"][0][-1] != ""
    result = cli("retention", "--days", "3650", "-p", directory)
    assert result.exit_code == 0 and snapshot(directory)["posts"][0][-1] != ""
    result = cli("forget", "--expired", "-p", directory)
    assert result.exit_code == 1
    result = cli("retention", "--days", "30", "-p", directory)
    assert result.exit_code == 0, result.output
    assert "Dropped the raw payload of 1 post written before" in result.stderr
    assert snapshot(directory)["posts"][0][-1] == ""


@pytest.mark.parametrize("value", ["0", "-3", "1.5", '"30"', "true"])
def test_retention_days_must_be_a_positive_whole_number(
    tmp_path: Path, cli: Callable[..., Any], error_line: Callable[[str], str], value: str
) -> None:
    (tmp_path / "hubbub.toml").write_text(f"[project]\nraw_retention_days = {value}\n")
    line = error_line(cli("rejects", "-p", tmp_path).stderr)
    assert "project.raw_retention_days: must be a whole number of days above 0" in line


# ---------------------------------------------------------------- pseudonymised export


def test_pseudonymised_export_is_stable_keyed_and_hides_every_handle(
    listening: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = [orjson.loads(line) for line in cli("export", "-p", listening).stdout.splitlines()]
    first = cli("export", "--pseudonymize", "-p", listening)
    assert first.exit_code == 0, first.output
    assert "Exported 6 posts (pseudonymised)" in first.stderr
    second = cli("export", "--pseudonymize", "-p", listening)
    assert first.stdout == second.stdout
    salt_file = listening / ".hubbub-salt"
    assert stat.S_IMODE(os.stat(salt_file).st_mode) == 0o600

    lowered = first.stdout.lower()
    for handle in ("alice", "bob", "carol", "acme", "liddell"):
        assert handle not in lowered, handle
    records = [orjson.loads(line) for line in first.stdout.splitlines()]
    assert len(records) == len(plain) == 6
    by_id = {record["id"]: record for record in records}
    alice = by_id["1"]["author"]
    assert alice.startswith("user_") and len(alice) == len("user_") + 16
    assert by_id["5"]["author"] == alice  # "@alice" and "Alice" are one person
    assert by_id["2"]["reply_to_author"] == alice and by_id["3"]["quote_of_author"] == alice
    assert by_id["3"]["text"] == (
        f"@{by_id['2']['author']} @{alice} my luggage too, see https://x.com/{alice}/status/1"
    )
    assert by_id["4"]["mentions"] == [by_id["3"]["author"], by_id["2"]["author"]]
    assert all("url" not in record and "author_name" not in record for record in records)
    # what is not a handle is kept
    for before, after in zip(plain, records, strict=True):
        assert after["annotations"] == before["annotations"]
        assert (after["id"], after["created_at"], after["hashtags"]) == (
            before["id"],
            before["created_at"],
            before["hashtags"],
        )

    monkeypatch.setenv("OTHER_SALT", "another secret")
    other = cli("export", "--pseudonymize", "--salt-env", "OTHER_SALT", "-p", listening)
    assert other.exit_code == 0, other.output
    other_records = [orjson.loads(line) for line in other.stdout.splitlines()]
    assert other_records[0]["author"] != alice
    assert other_records[0]["author"] == Pseudonymizer(b"another secret").pseudonym("alice")
    assert "another secret" not in other.output


def test_pseudonymised_export_errors(
    listening: Path, cli: Callable[..., Any], error_line: Callable[[str], str]
) -> None:
    result = cli("export", "--pseudonymize", "--salt-env", "NO_SUCH_SALT_VAR", "-p", listening)
    assert "NO_SUCH_SALT_VAR is not set" in error_line(result.stderr)
    result = cli("export", "--salt-env", "X", "-p", listening)
    assert "--pseudonymize" in error_line(result.stderr)


def test_pseudonymizer_replaces_handles_in_raw_and_annotations() -> None:
    pseudonymizer = Pseudonymizer(b"salt")
    record = {
        "id": "1",
        "author": "Alice",
        "text": "hi @Bob",
        "mentions": ["Bob"],
        "annotations": {"notes": {"summary": "asked @bob"}},
        "raw": '{"user": {"screen_name": "alice"}, "to": "@BOB"}',
    }
    out = pseudonymizer.record(record)
    alice, bob = pseudonymizer.pseudonym("alice"), pseudonymizer.pseudonym("@BOB")
    assert out["text"] == f"hi @{bob}" and out["mentions"] == [bob]
    assert out["annotations"] == {"notes": {"summary": f"asked @{bob}"}}
    assert orjson.loads(out["raw"]) == {"user": {"screen_name": alice}, "to": f"@{bob}"}
    assert Pseudonymizer(b"pepper").pseudonym("alice") != alice

    sky = pseudonymizer.record(
        {
            "author": "zed",
            "text": "hi @kim.bsky.social and @bob.lee, https://bsky.app/profile/kim.bsky.social",
            "mentions": ["kim.bsky.social"],
        }
    )
    kim = pseudonymizer.pseudonym("kim.bsky.social")
    assert sky["text"] == f"hi @{kim} and @{bob}.lee, https://bsky.app/profile/{kim}"


def test_forget_on_the_store_api_is_all_or_nothing(
    listening: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hubbub.privacy as privacy

    before = snapshot(listening)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy, "_forget_findings", broken)
    store = open_store(listening)
    try:
        with pytest.raises(RuntimeError):
            forget_authors(store, ["alice"])
    finally:
        store.close()
    assert snapshot(listening) == before  # posts and rejects were deleted, then rolled back


# ---------------------------------------------------------------- PostgreSQL


@pytest.mark.backends("postgresql")
def test_forget_retention_and_pseudonymised_export_on_postgresql(
    tmp_path: Path,
    cli: Callable[..., Any],
    database: Callable[[], str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUBBUB_LOAD_PLUGINS", "")
    url = database()
    assert url is not None and url.startswith("postgresql")
    old = {"id": "9", "author": "dora", "text": "old @bob", "created_at": "2020-01-01T00:00:00Z"}
    directory = make_project(
        tmp_path, cli, [*POSTS, old], extra_project="raw_retention_days = 365", database=url
    )
    assert cli("analyze", "-p", directory, "--workers", "1").exit_code == 0
    assert "alice" in visible_text(cli, directory)
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            raw = dict(conn.execute(sa.select(posts_table.c.external_id, posts_table.c.raw)).all())
        assert raw["9"] == "" and raw["3"] != ""  # retention ran after the import

        dry = forget_authors(store, ["@Alice"], dry_run=True)
        assert (dry.deleted["posts"], dry.rewritten["posts"], dry.deleted["rejects"]) == (2, 2, 1)
        summary = forget_authors(store, ["@Alice"])
        assert summary.rows() == dry.rows()
        with store.engine.connect() as conn:
            authors = sorted(conn.execute(sa.select(posts_table.c.author)).scalars())
            annotated = set(conn.execute(sa.select(annotations_table.c.post_id)).scalars())
            ids = set(conn.execute(sa.select(posts_table.c.id)).scalars())
            rejects = list(conn.execute(sa.select(rejects_table.c.record)).scalars())
        assert authors == ["Acme", "bob", "carol", "carol", "dora"]
        assert annotated <= ids and rejects == [rejects[0]] and '"bob"' in rejects[0]
    finally:
        store.close()
    shown = visible_text(cli, directory)  # search runs on the refreshed search vectors
    assert "alice" not in shown and "zanzibarword" not in shown and "bob" in shown
    first = cli("export", "--pseudonymize", "-p", directory).stdout
    assert first == cli("export", "--pseudonymize", "-p", directory).stdout
    assert "bob" not in first.lower() and first.count("user_") >= 5
