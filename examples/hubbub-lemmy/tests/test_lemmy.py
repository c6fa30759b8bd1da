"""The Lemmy source, tested with hubbub's test helpers (installed or not)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hubbub_lemmy
from hubbub.testing import make_host, make_project, run_cli

PLUGINS = {"lemmy": hubbub_lemmy}


def person(name: str, instance: str = "lemmy.world", display: str | None = None) -> dict[str, Any]:
    return {
        "id": abs(hash(name)) % 10_000,
        "name": name,
        "display_name": display,
        "actor_id": f"https://{instance}/u/{name}",
    }


POST_VIEW = {
    "post": {
        "id": 101,
        "name": "Acme lost my bag",
        "body": "Third time this year @AcmeHelp #baggage",
        "ap_id": "https://lemmy.world/post/101",
        "published": "2024-05-01T09:00:00.123456",
    },
    "creator": person("alice", display="Alice"),
    "community": {"id": 7, "name": "travel"},
    "counts": {"post_id": 101, "comments": 2, "score": 9, "upvotes": 10, "downvotes": 1},
}

COMMENTS = {
    "comments": [
        {
            "comment": {
                "id": 501,
                "post_id": 101,
                "content": "Same here, acme never answers",
                "path": "0.501",
                "ap_id": "https://lemmy.ml/comment/501",
                "published": "2024-05-01T09:05:00Z",
            },
            "creator": person("bob", instance="lemmy.ml"),
            "post": POST_VIEW["post"],
            "counts": {"comment_id": 501, "score": 3, "upvotes": 3, "child_count": 1},
        },
        {
            "comment": {
                "id": 502,
                "post_id": 101,
                "content": "We are looking into it",
                "path": "0.501.502",
                "published": "2024-05-01T09:20:00Z",
            },
            "creator": person("AcmeHelp", instance="lemmy.world"),
            "post": POST_VIEW["post"],
            "counts": {"comment_id": 502, "score": 1, "upvotes": 1, "child_count": 0},
        },
        {"comment": {"id": 503}, "creator": {}, "post": POST_VIEW["post"]},
    ]
}


def stored(project: Any) -> dict[str, Any]:
    return {row.external_id: row for rows in project.store.iter_posts() for row in rows}


def test_plugin_registers_the_lemmy_source() -> None:
    host = make_host(PLUGINS)
    assert host.errors.get("lemmy") is None
    assert host.info["lemmy"].registered == ["source:lemmy"]
    assert host.get("source", "lemmy") is hubbub_lemmy.LemmySource


def test_import_of_post_and_comment_responses(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    path = tmp_path / "lemmy.jsonl"
    path.write_text(
        json.dumps({"posts": [POST_VIEW]}) + "\n" + json.dumps(COMMENTS) + "\n", encoding="utf-8"
    )
    result = run_cli("import", path, "--format", "lemmy", project=project, plugins=PLUGINS)
    assert result.exit_code == 0, result.output
    assert "stored 3" in result.stderr
    assert "rejected 1" in result.stderr
    posts = stored(project)
    assert set(posts) == {"post:101", "comment:501", "comment:502"}
    post = posts["post:101"]
    assert post.platform == "lemmy"
    assert post.author == "alice@lemmy.world"
    assert post.author_name == "Alice"
    assert post.text == "Acme lost my bag\n\nThird time this year @AcmeHelp #baggage"
    assert (post.likes, post.replies) == (10, 2)
    assert post.created_at.isoformat() == "2024-05-01T09:00:00.123456"
    top, reply = posts["comment:501"], posts["comment:502"]
    assert (top.reply_to_id, top.conversation_id) == ("post:101", "post:101")
    assert (reply.reply_to_id, reply.conversation_id) == ("comment:501", "post:101")
    assert top.author == "bob@lemmy.ml"
    (reject,) = project.store.rejects()
    assert reject["position"].endswith("comment 3")
    assert reject["reason"] == "no text"
    project.close()


def test_import_picks_lemmy_from_the_content(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    path = tmp_path / "post.json"
    path.write_text(json.dumps({"post_view": POST_VIEW, "community_view": {}}), encoding="utf-8")
    result = run_cli("import", path, project=project, plugins=PLUGINS)
    assert result.exit_code == 0, result.output
    assert set(stored(project)) == {"post:101"}
    project.close()


def test_reimport_stores_nothing_twice(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    path = tmp_path / "comments.json"
    path.write_text(json.dumps(COMMENTS), encoding="utf-8")
    for _ in range(2):
        result = run_cli("import", path, "--format", "lemmy", project=project, plugins=PLUGINS)
        assert result.exit_code == 0, result.output
    assert project.store.count_posts() == 2
    project.close()
