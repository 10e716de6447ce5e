"""Odd guides give fewer items or none, never a traceback and never an item built from markup."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.chunk import chunk_corpus
from index.parse import GuideError
from quiz.generate import generate_items

NOTES = "\n".join(f"- Service{n} stores objects up to {n} TB and replicates them to {n + 1} zones" for n in range(1, 9))
GUIDES = {
    "no_bullets": "# Storage\nObjects are stored in buckets. Buckets live in one region.\n" * 3,
    "only_headings": "\n".join(f"{'#' * (1 + n % 3)} Heading {n}" for n in range(40)),
    "only_code": "```bash\naws s3 cp file s3://bucket/\naws s3 ls\n```\n" * 5,
    "one_line": "- S3 stores objects",
    "identical_lines": "# Storage\n" + "- S3 stores objects up to 5 TB\n" * 5000,
    "deep_headings": "".join(f"{'#' * min(n, 6)} Level {n}\n" for n in range(1, 21)) + NOTES,
    "mentions": "# Chat\n- <@123> wrote that @everyone should use S3 for objects up to 5 TB\n"
                "- @here Kinesis data streams retain data for 24h by default\n"
                "- Glue crawlers find the schema of <@&456> data in S3 and write it to the Data Catalog\n" + NOTES,
}


@pytest.mark.parametrize("name", sorted(GUIDES))
def test_an_odd_guide_gives_sound_items_or_none(tmp_path: Path, name: str) -> None:
    (tmp_path / f"{name}.md").write_text(GUIDES[name], encoding="utf-8")
    if name == "only_headings":  # refused with one clear line when the index is built
        with pytest.raises(GuideError, match="guide only_headings.md holds no notes"):
            chunk_corpus(tmp_path)
        return
    items = generate_items(chunk_corpus(tmp_path))
    for item in items:
        for shown in (item.answer, *item.options):
            assert "<@" not in shown and "@everyone" not in shown and "@here" not in shown, item
            assert "```" not in shown and not shown.lstrip().startswith(("#", "- ")), item
        assert "()" not in item.question
    if name == "identical_lines":
        assert len({i.question for i in items}) == len(items) <= 4  # one line's items, not 5,000 copies
    if name == "one_line":
        assert items == []
