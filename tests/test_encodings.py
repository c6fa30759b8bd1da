"""Telling single-byte code pages apart on short inputs (a CSV of a few rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hubbub.inputs import detect_encoding

HEADER = "id,text,author,created_at\n"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("1,Café crème brûlée à Paris très bien,ana,2024-05-01T12:00:00Z\n", "cp1252"),
        ("1,Señor Muñoz está en España,ana,2024-05-01T12:00:00Z\n", "cp1252"),
        ("1,Grüße aus München schön,ana,2024-05-01T12:00:00Z\n", "cp1252"),
        ("1,Przykład zażółć gęślą jaźń,ana,2024-05-01T12:00:00Z\n", "cp1250"),
        ("1,Příliš žluťoučký kůň úpěl ďábelské ódy,ana,2024-05-01T12:00:00Z\n", "cp1250"),
    ],
)
def test_a_short_file_is_read_in_the_code_page_it_was_written_in(text: str, encoding: str) -> None:
    data = (HEADER + text).encode(encoding)
    assert (HEADER + text).encode(detect_encoding(data)) == data  # same bytes back
    assert data.decode(detect_encoding(data)) == HEADER + text


def test_a_short_cp1252_csv_imports_with_its_accents(
    cli: Any, make_project: Any, tmp_path: Path
) -> None:
    small_project = make_project()
    path = tmp_path / "posts.csv"
    path.write_bytes((HEADER + "1,Café crème à Paris,ana,2024-05-01T12:00:00Z\n").encode("cp1252"))
    result = cli("import", "-p", small_project.directory, path)
    assert result.exit_code == 0, result.output
    [post] = small_project.store.iter_posts().__next__()
    assert post.text == "Café crème à Paris"
