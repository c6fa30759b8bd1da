"""CSV mapping presets: customer-support (twcs.csv) and twarc-csv, by name or by header.

``fixtures/customer_support.csv`` is the "Customer Support on Twitter" shape (another
test scores brand responsiveness on it); ``fixtures/csv/twarc.csv`` is what
``twarc2 csv`` writes (every default column; an original tweet, a reply, a retweet and
a quote; lists as JSON, newlines escaped, a follower count written as a float).
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import pytest
from format_helpers import import_file, interrupted, posts
from hubbub.cli.data_commands import pick_file_source
from hubbub.csv_presets import integer_id
from hubbub.errors import RecordError
from hubbub.ingest import run_source
from hubbub.inputs import InputFile
from hubbub.plugin_host import get_host
from hubbub.plugins.native import CsvSource
from hubbub.sniff import take_sample

FIXTURES = Path(__file__).parent / "fixtures"
SUPPORT = FIXTURES / "customer_support.csv"
TWARC = FIXTURES / "csv" / "twarc.csv"
SUPPORT_HEADER = (
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
)


@pytest.mark.parametrize("path", [SUPPORT, TWARC], ids=lambda p: p.name)
def test_a_preset_header_is_sniffed_as_csv(path: Path) -> None:
    assert CsvSource.sniff(take_sample(InputFile(path))) == 0.8
    assert pick_file_source(get_host(), InputFile(path), None).name == "csv"


def test_the_customer_support_csv_imports_without_map_or_preset(cli: Any, project: Any) -> None:
    result = import_file(cli, project, SUPPORT)
    assert "read 35, stored 35, duplicates 0, rejected 0" in result.stderr
    stored = posts(project)
    assert stored["2"] == {
        "id": "2",
        "platform": "twitter",
        "author": "Delta",
        "created_at": "2017-10-31T09:05:00Z",
        "text": "@215000 Hi there, DL 1123 is on time now; the app will update shortly. *AR",
        "reply_to_id": "1",  # written as 1.0
        "replies": 1,
        "mentions": ["215000"],
        "hashtags": [],
    }
    assert stored["37"]["reply_to_id"] == "119237"  # 119237.0, repaired
    assert stored["20"]["replies"] == 2  # response_tweet_id "21,22"
    assert stored["17"]["replies"] == 0
    assert stored["35"]["created_at"] == "2017-11-01T08:10:00Z"
    assert {record["platform"] for record in stored.values()} == {"twitter"}


def test_the_preset_gives_what_explicit_maps_give(cli: Any, make_project: Any) -> None:
    sniffed, mapped, both = make_project("sniffed"), make_project("mapped"), make_project("both")
    import_file(cli, sniffed, SUPPORT)
    maps = ("--map", "id=tweet_id", "--map", "author=author_id")
    maps += ("--map", "reply_to_id=in_response_to_tweet_id")
    # without the preset, as the responsiveness test imports it
    import_file(cli, mapped, SUPPORT, "--preset", "none", "--platform", "twitter", *maps)
    # maps naming the preset's own columns change nothing
    import_file(cli, both, SUPPORT, "--format", "csv", *maps)
    with_preset = posts(sniffed)
    assert posts(both) == with_preset
    for record in with_preset.values():
        del record["replies"]  # the preset also counts response_tweet_id
    assert with_preset == posts(mapped)


def test_map_overrides_a_preset_field_and_platform_overrides_its_platform(
    cli: Any, project: Any, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        SUPPORT_HEADER.rstrip("\n") + ",clean_text\n"
        "5,acme_fan,True,Tue Oct 31 22:10:47 +0000 2017,@Acme RAW TEXT,,,cleaned text\n",
        encoding="utf-8",
    )
    import_file(
        cli, project, path, "--preset", "customer-support", "--map", "text=clean_text",
        "--platform", "x",
    )  # fmt: skip
    (record,) = posts(project).values()
    assert (record["text"], record["platform"], record["author"]) == (
        "cleaned text",
        "x",
        "acme_fan",
    )
    assert record["created_at"] == "2017-10-31T22:10:47Z"


def test_ids_are_repaired_never_rounded(cli: Any, project: Any, tmp_path: Path) -> None:
    path = tmp_path / "twcs.csv"
    path.write_text(
        SUPPORT_HEADER + "1790000000000000001.0,a,True,Tue Oct 31 10:00:00 +0000 2017,big id,,\n"
        "1.19237E+05,b,True,Tue Oct 31 10:01:00 +0000 2017,exact in E notation,,1.0\n"
        "1.19237E+17,c,True,Tue Oct 31 10:02:00 +0000 2017,rounded by a spreadsheet,,\n"
        "12.5,d,True,Tue Oct 31 10:03:00 +0000 2017,not a whole number,,\n",
        encoding="utf-8",
    )
    result = import_file(cli, project, path)
    assert "stored 2" in result.stderr and "rejected 2" in result.stderr
    assert set(posts(project)) == {"1790000000000000001", "119237"}
    reasons = {row["position"]: row["reason"] for row in project.store.rejects(limit=None)}
    assert reasons["line 4"].startswith("id '1.19237E+17' is in scientific notation and has lost")
    assert reasons["line 5"] == "id '12.5' is not a whole-number id"


@pytest.mark.parametrize(
    ("written", "repaired"),
    [("119237", "119237"), ("119237.0", "119237"), ("119237.000", "119237"), ("1.2E+1", "12")],
)
def test_integer_id(written: str, repaired: str) -> None:
    assert integer_id(written, "id") == repaired


@pytest.mark.parametrize("written", ["1.2E+2", "1e5", "-3", "12.5", "abc"])
def test_integer_id_refuses_what_it_cannot_repair(written: str) -> None:
    with pytest.raises(RecordError):
        integer_id(written, "id")


def test_twarc_csv_columns(cli: Any, project: Any) -> None:
    import_file(cli, project, TWARC)
    stored = posts(project)
    assert stored["1785000000000000001"] == {
        "id": "1785000000000000001",
        "platform": "twitter",
        "author": "ana_lima",
        "created_at": "2024-05-01T09:00:00Z",
        "text": "@SkyJet lost my bag in LIS\nsecond line #baggage",
        "url": "https://twitter.com/ana_lima/status/1785000000000000001",
        "author_name": "Ana Lima",
        "author_followers": 1520,
        "lang": "en",
        "conversation_id": "1785000000000000001",
        "likes": 4,
        "reposts": 2,
        "replies": 1,
        "mentions": ["SkyJet"],
        "hashtags": ["baggage"],
    }
    reply = stored["1785000000000000002"]
    assert (reply["reply_to_id"], reply["reply_to_author"], reply["conversation_id"]) == (
        "1785000000000000001",
        "ana_lima",
        "1785000000000000001",
    )
    retweet = stored["1785000000000000003"]
    assert (retweet["repost_of_id"], retweet["repost_of_author"]) == (
        "1785000000000000001",
        "ana_lima",
    )
    # a retweet's metrics in twarc-csv are its original's: they are not kept
    assert not {"likes", "reposts", "replies"} & set(retweet)
    quote = stored["1785000000000000004"]
    assert (quote["quote_of_id"], quote["quote_of_author"]) == ("1785000000000000001", "ana_lima")
    assert "lang" not in quote  # "und"


def test_preset_errors_are_one_line(
    cli: Any, project: Any, tmp_path: Path, error_line: Any, record: Any, jsonl: Any
) -> None:
    result = cli("import", "-p", project.directory, "--preset", "brandwatch", SUPPORT)
    assert result.exit_code == 1
    assert error_line(result.stderr) == (
        "Error: unknown CSV preset 'brandwatch' (available: customer-support, twarc-csv)"
    )
    result = cli("import", "-p", project.directory, "--preset", "twarc-csv", SUPPORT)
    assert result.exit_code == 1
    assert "preset twarc-csv needs the columns id, author.username" in error_line(result.stderr)
    path = jsonl(tmp_path / "posts.jsonl", [record(1)])
    result = cli(
        "import", "-p", project.directory, "--preset", "twarc-csv", "--format", "jsonl", path
    )
    assert result.exit_code == 1
    assert error_line(result.stderr) == "Error: --preset applies to CSV input, not --format jsonl"
    assert project.store.count_posts() == 0


def test_preset_none_reads_the_native_columns(cli: Any, project: Any) -> None:
    result = import_file(cli, project, SUPPORT, "--preset", "none")
    assert "stored 0" in result.stderr and "rejected 35" in result.stderr


def test_a_native_csv_is_not_taken_for_a_preset(cli: Any, project: Any, tmp_path: Path) -> None:
    path = tmp_path / "native.csv"
    path.write_text(
        "id,text,author,created_at,reply_to_id\n7,hello,anna,2024-05-01T12:00:00Z,3.0\n",
        encoding="utf-8",
    )
    assert CsvSource.sniff(take_sample(InputFile(path))) == 0.6
    import_file(cli, project, path)
    (stored,) = posts(project).values()
    assert (stored["platform"], stored["reply_to_id"]) == ("native", "3")


def test_a_gzipped_copy_imports_the_same(cli: Any, make_project: Any, tmp_path: Path) -> None:
    plain, zipped = make_project("plain"), make_project("zipped")
    import_file(cli, plain, TWARC)
    packed = tmp_path / "twarc.csv.gz"
    with TWARC.open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    import_file(cli, zipped, packed)
    assert posts(zipped) == posts(plain)


def test_importing_twice_adds_nothing(cli: Any, project: Any, tmp_path: Path) -> None:
    import_file(cli, project, SUPPORT)
    before = posts(project)
    assert "nothing new" in import_file(cli, project, SUPPORT).stderr
    copy = tmp_path / "twcs.csv"
    shutil.copy(SUPPORT, copy)
    assert "stored 0, duplicates 35" in import_file(cli, project, copy).stderr
    assert posts(project) == before


InterruptedCsv = interrupted(CsvSource, 12)


def test_an_interrupted_import_resumes_with_the_preset(cli: Any, make_project: Any) -> None:
    clean, project = make_project("clean"), make_project("interrupted")
    import_file(cli, clean, SUPPORT)
    options = CsvSource.Options(path=str(SUPPORT))
    with pytest.raises(KeyboardInterrupt):
        run_source(project.store, InterruptedCsv(options, key="file:twcs"), batch_size=5)
    assert project.store.count_posts() == 10
    cursor = project.store.get_cursor("file:twcs")
    assert cursor["line"] == 11 and cursor["header"][0] == "tweet_id"
    # the resumed read knows the preset from the header it saved
    summary = run_source(project.store, CsvSource(options, key="file:twcs"), batch_size=5)
    assert (summary.read, summary.stored, summary.duplicates, summary.resumed) == (25, 25, 0, True)
    assert posts(project) == posts(clean)
