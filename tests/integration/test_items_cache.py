"""The quiz items kept beside the index: a damaged file is regenerated, never used (it retired half the items)."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.services import Services
from bot.settings import Settings

from ..conftest import CORPUS

pytestmark = pytest.mark.integration


def _items_file(cache: Path) -> Path:
    [path] = list(cache.glob("*/quiz_items.*.jsonl"))
    return path


@pytest.mark.parametrize("damage", ["half_the_lines", "edited_note", "empty", "manifest_gone"])
def test_a_damaged_items_cache_is_made_again_and_retires_nothing(index_cache, tmp_path, damage, caplog) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(index_cache, cache)
    settings = Settings(corpus_dir=CORPUS, index_dir=cache, database_path=tmp_path / "bot.db")
    first = Services.load(settings)
    expected = [it.id for it in first.items]
    first.close()
    path = _items_file(cache)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if damage == "half_the_lines":
        path.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    elif damage == "edited_note":  # still valid items
        text = "".join(lines)
        assert "max interval: 900s" in text
        path.write_text(text.replace("max interval: 900s", "max interval: 5s"), encoding="utf-8")
    elif damage == "empty":
        path.write_text("", encoding="utf-8")
    else:
        path.with_name(path.name + ".manifest.json").unlink()
    with caplog.at_level(logging.INFO):
        again = Services.load(settings)
    try:
        assert [it.id for it in again.items] == expected
        assert not any("max interval: 5s" in it.explanation for it in again.items)
        assert "generating them again" in caplog.text
        assert "0 retired" in caplog.text  # no guide changed: no question vanishes
    finally:
        again.close()
