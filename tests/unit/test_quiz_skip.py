"""Known errors of a guide, listed in <guide>.skip, give no quiz item; the rest of the guide still does."""
from __future__ import annotations

import shutil
from pathlib import Path

from index.chunk import chunk_corpus
from quiz.generate import generate_items
from quiz.skip import normalize, read_skip_lines, skip_digest

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
GUIDE = "aws_machine_learning_specialty.txt"


def test_the_aws_guide_errors_listed_in_its_skip_file_are_never_asked() -> None:
    chunks = chunk_corpus(CORPUS)
    skips = read_skip_lines(CORPUS, [GUIDE])
    assert "sagemaker can only read from s3. if data is in dynamodb, use data pipeline to export to s3 as json, " \
           "and then converted to csv" in skips[GUIDE]
    assert all(not line.startswith("#") for line in skips[GUIDE])
    before = generate_items(chunks)
    after = generate_items(chunks, skips=skips)
    wrong = ("can only read from s3", "spark doesn't work with distributed training",
             "redshift streaming ingestion")
    assert any(any(w in normalize(i.question + " " + i.explanation) for w in wrong) for i in before)
    assert not any(any(w in normalize(i.question + " " + i.explanation) for w in wrong) for i in after)
    assert len(after) >= 0.9 * len(before)  # only the notes holding those lines go


def test_a_group_lists_its_own_guide_errors_and_the_items_are_made_again(tmp_path: Path) -> None:
    guide = tmp_path / "linux.md"
    guide.write_text("# Processes\n- nice: priority from -20 to 19\n- renice changes the nice value of a running "
                     "process\n- top lists processes by CPU use\n", encoding="utf-8")
    assert read_skip_lines(tmp_path, ["linux.md"]) == {}
    asked = generate_items(chunk_corpus(tmp_path))
    assert any("-20" in i.question for i in asked)
    assert not any("()" in i.question for i in asked)  # a note with no heading to name: no empty "()"
    (tmp_path / "linux.skip").write_text("# wrong range\n- nice: priority from -20 to 19\n\n", encoding="utf-8")
    skips = read_skip_lines(tmp_path, ["linux.md"])
    assert skips == {"linux.md": ("nice: priority from -20 to 19",)}
    assert skip_digest(skips) != skip_digest({})
    items = generate_items(chunk_corpus(tmp_path), skips=skips)
    assert not any("-20" in i.question or "-20" in i.explanation for i in items)


def test_skip_lines_of_another_guide_change_nothing(tmp_path: Path) -> None:
    shutil.copy(CORPUS / GUIDE, tmp_path)
    chunks = chunk_corpus(tmp_path)
    assert generate_items(chunks, skips={"other.md": ("sagemaker can only read from s3",)}) == generate_items(chunks)
