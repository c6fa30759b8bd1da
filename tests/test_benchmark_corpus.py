"""The benchmark corpus generator keeps its promises (the benchmarks' honesty depends on it).

Speed itself is measured by the scripts in ``benchmarks/``, never here.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

CORPUS_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "corpus.py"
COUNT = 2000


def _load_corpus() -> Any:
    spec = importlib.util.spec_from_file_location("benchmark_corpus", CORPUS_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus()


@pytest.fixture(scope="module")
def posts() -> list[dict[str, Any]]:
    return list(corpus.records(COUNT, seed=11))


def test_same_seed_same_bytes_other_seed_other_posts(tmp_path: Path) -> None:
    first = corpus.write_jsonl(tmp_path / "a.jsonl", COUNT, seed=11)
    second = corpus.write_jsonl(tmp_path / "b.jsonl", COUNT, seed=11)
    other = corpus.write_jsonl(tmp_path / "c.jsonl", COUNT, seed=12)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    assert len(first.read_bytes().splitlines()) == COUNT
    assert not list(tmp_path.glob(".*partial"))


def test_about_thirty_percent_of_texts_repeat_an_earlier_one(posts: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    repeats = 0
    for post in posts:
        repeats += post["text"] in seen
        seen.add(post["text"])
    assert 0.24 <= repeats / COUNT <= 0.36
    reposts = [post for post in posts if "repost_of_id" in post]
    copies = repeats - len(reposts)
    assert len(reposts) > COUNT * 0.08 and copies > COUNT * 0.08  # both kinds of duplicate
    by_id = {post["id"]: post for post in posts}
    for post in reposts:
        assert by_id[post["repost_of_id"]]["text"] == post["text"]


def test_replies_point_to_earlier_posts_of_the_same_platform(posts: list[dict[str, Any]]) -> None:
    earlier: dict[str, dict[str, Any]] = {}
    replies = 0
    for post in posts:
        if "reply_to_id" in post:
            replies += 1
            parent = earlier[post["reply_to_id"]]  # KeyError: a reply to nothing
            assert parent["platform"] == post["platform"]
            assert post["reply_to_author"] == parent["author"]
            assert post["conversation_id"] == parent["conversation_id"]
            assert parent["created_at"] <= post["created_at"]
        earlier[post["id"]] = post
    assert replies > COUNT * 0.15


def test_mentions_hashtags_and_several_languages(posts: list[dict[str, Any]]) -> None:
    languages = Counter(post.get("lang") for post in posts)
    assert len([lang for lang in languages if lang]) >= 6
    assert languages["en"] > COUNT / 2
    assert languages[None] > COUNT * 0.1  # untagged posts are left to language detection
    assert sum("@" in post["text"] for post in posts) > COUNT * 0.3
    assert sum("#" in post["text"] for post in posts) > COUNT * 0.1


def test_brands_answer_customers_who_address_them(posts: list[dict[str, Any]]) -> None:
    by_id = {post["id"]: post for post in posts}
    answers = Counter()
    for post in posts:
        if post["author"] in corpus.BRANDS and "reply_to_id" in post:
            parent = by_id[post["reply_to_id"]]
            assert parent["author"] not in corpus.BRANDS
            assert post["text"].startswith(f"@{parent['author']} ")
            answers[post["author"]] += 1
    # SkyJet answers most (from its help account) and fastest; GlobAir (a median of 10
    # hours) hardly at all in the four hours 2,000 posts span
    assert answers["SkyJetHelp"] > answers["AeroLux"] > 0
    assert answers["GlobAir"] <= answers["AeroLux"]


def test_ids_beyond_float_precision_stay_strings(tmp_path: Path) -> None:
    data = corpus.write_jsonl(tmp_path / "posts.jsonl", COUNT, seed=11)
    lines = [orjson.loads(line) for line in data.read_bytes().splitlines()]
    ids = [line["id"] for line in lines]
    assert all(isinstance(value, str) and int(value) > 2**53 for value in ids)
    assert [int(value) for value in ids] == sorted(int(value) for value in ids)
    assert len(set(ids)) == COUNT
    assert all(
        isinstance(line[key], str)
        for line in lines
        for key in ("reply_to_id", "repost_of_id")
        if key in line
    )

    from hubbub.project import init_project
    from hubbub.store import posts_table

    project = init_project(tmp_path / "project")
    from hubbub.files import FileOptions
    from hubbub.ingest import run_source
    from hubbub.plugin_host import get_host

    host = get_host()
    source = host.get("source", "jsonl")(FileOptions(path=str(data)), key="file:posts")
    summary = run_source(project.store, source, host=host)
    assert summary.stored == COUNT and summary.rejected == 0
    with project.store.engine.connect() as conn:
        stored = {
            row[0]
            for row in conn.execute(
                posts_table.select().with_only_columns(posts_table.c.external_id)
            )
        }
    project.close()
    assert stored == set(ids)


def test_every_post_is_in_the_past_and_larger_corpora_are_refused(tmp_path: Path) -> None:
    import time

    last = corpus.START_EPOCH + (corpus.MAX_POSTS - 1) * corpus.STEP_SECONDS
    assert last < time.time()  # hubbub rejects posts from the future
    with pytest.raises(ValueError, match="future"):
        next(corpus.records(corpus.MAX_POSTS + 1))
    with pytest.raises(ValueError, match="future"):
        corpus.write_jsonl(tmp_path / "too-many.jsonl", corpus.MAX_POSTS + 1)
    assert not list(tmp_path.iterdir())


def test_compressed_output_holds_the_same_records(tmp_path: Path) -> None:
    import gzip

    import zstandard

    plain = corpus.write_jsonl(tmp_path / "posts.jsonl", 300).read_bytes()
    packed = corpus.write_jsonl(tmp_path / "posts.jsonl.zst", 300)
    with packed.open("rb") as stream:
        assert zstandard.ZstdDecompressor().stream_reader(stream).read() == plain
    assert (
        gzip.decompress(corpus.write_jsonl(tmp_path / "posts.jsonl.gz", 300).read_bytes()) == plain
    )
