"""The ten patterns of unfair items that strict reads found (issue 9), each on the real guide line it came
from, through the items the bot serves (real index, real vectors, the guide's .skip lines)."""
from __future__ import annotations

import re

import pytest

from index.chunk import chunk_corpus
from quiz.generate import generate_items
from quiz.generate.cloze import BLANK
from quiz.item import FALSE, QuizItem
from quiz.text import clean, mentions

from ..conftest import CORPUS, GUIDE

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def items(services) -> list[QuizItem]:
    return services.items


def _asked(items: list[QuizItem], text: str) -> list[QuizItem]:
    return [i for i in items if text in i.question]


def _norm(text: str) -> str:
    return " ".join(clean(text).lower().split())


GUIDE_LINES = {_norm(line.lstrip(" •-*")) for line in GUIDE.read_text(encoding="utf-8").splitlines() if line.strip()}


def test_1_wrong_options_are_of_the_answers_kind_not_its_spelling_shape(items: list[QuizItem]) -> None:
    # "HTTP/2 or ____" offered Twilio, SharePoint, WebSocket and Slack; "S3" stood against AWS, ARN, VPC.
    assert _asked(items, "HTTP/2 or ____") == [] and _asked(items, "____/2 or WebSocket") == []
    for item in items:
        if item.kind == "cloze" and item.answer == "S3":
            assert not {"AWS", "ARN", "VPC"} & set(item.options), item


def test_2_a_capitalised_word_after_a_code_span_or_a_bold_label_is_no_name() -> None:
    guide = ("# Packages\n\n## 1. yum\n\n"
             "- `yum list installed` List the installed packages with their versions\n"
             "- `yum remove httpd` Remove the httpd package and its unused dependencies\n"
             "- `yum install httpd` Install the httpd web server package from the enabled repositories\n"
             "- **NOTE** run yum as root or with sudo, or it cannot change the system\n"
             "- **NOTE** dnf replaced yum as the default package manager in Fedora 22\n")
    chunks = chunk_corpus_text(guide)
    made = generate_items(chunks)
    for item in made:
        assert item.answer not in {"List", "Remove", "Install", "NOTE"}, item
        assert not {"List", "Remove", "Install", "NOTE"} & set(item.options), item


def test_3_no_question_is_asked_typed(items: list[QuizItem]) -> None:
    # "L1 and ____", "subsample and ____": none of the typed items read was fair.
    assert all(len(i.options) >= 2 for i in items)
    assert _asked(items, "L1 and ____") == [] and _asked(items, "subsample and ____") == []


def test_4_the_blank_cannot_be_inferred_from_its_neighbours(items: list[QuizItem]) -> None:
    assert [i for i in _asked(items, "idf = log(") if BLANK in i.question] == []  # "idf = log(____) = 0"


def test_5_a_wrong_option_the_guide_states_as_true_is_never_offered(items: list[QuizItem]) -> None:
    # "Stream can deliver to ____, which can transform files into Parquet" offered Firehose as wrong, though the
    # guide says Firehose converts to Parquet. Every wrong option put in its blank must not be a guide line.
    for item in items:
        if item.kind != "cloze":
            continue
        line = item.question.split("\n", 1)[1]
        for option in item.options:
            if option != item.answer:
                assert _norm(line.replace(BLANK, option)) not in GUIDE_LINES, (item.question, option)


def test_6_a_definition_that_fits_another_option_is_not_asked(items: list[QuizItem]) -> None:
    # "Can only be trained on a single machine" keyed Object2vec; of Seq2seq the guide says "Training can only
    # be done in one machine".
    for item in items:
        if item.kind == "which" and re.search(r"single machine|one machine", item.question):
            assert not {"Object2vec", "Seq2seq"} <= set(item.options), item


def test_7_a_false_statement_never_keeps_the_real_subject_in_its_heading(items: list[QuizItem]) -> None:
    for item in items:
        if item.kind != "truefalse" or item.answer != FALSE:
            continue
        frame, statement = item.question.split("\n", 1)
        lines = [line.strip(" •") for line in item.explanation.split("\n")]
        # the words the swap took out of the true line: the heading above must not name them
        source = max(lines, key=lambda line: len(set(line.split()) & set(statement.split())))
        removed = set(re.findall(r"[A-Za-z][\w-]{3,}", source)) - set(re.findall(r"[A-Za-z][\w-]{3,}", statement))
        shown = frame[frame.find("(") + 1:] if "(" in frame else ""
        assert not any(mentions(shown, word) for word in removed if word[0].isupper()), item.question


def test_8_a_false_statement_is_never_a_line_of_its_note(items: list[QuizItem]) -> None:
    # "0 x 2 = 0" left the value unchanged and made a true statement "False".
    for item in items:
        if item.kind == "truefalse" and item.answer == FALSE:
            statement = _norm(item.question.split("\n", 1)[1])
            assert statement not in {_norm(line.strip(" •")) for line in item.explanation.split("\n")}, item


def test_9_a_compression_codec_is_no_file_format(items: list[QuizItem]) -> None:
    for item in items:
        assert not ("Gzip" in item.options and item.answer.lower() in {"csv", "json", "parquet", "orc"}), item
        if item.kind == "truefalse":
            assert "Can convert Gzip" not in item.question, item


def test_10_a_guide_error_listed_in_skip_gives_no_question(items: list[QuizItem]) -> None:
    # Guide line 28 says SageMaker can only read from S3 (also EFS and FSx for Lustre): listed in the .skip.
    skipped = (CORPUS / f"{GUIDE.stem}.skip").read_text(encoding="utf-8")
    assert "SageMaker can only read from S3" in skipped
    assert [i for i in items if "only read from S3" in i.question or "only read from S3" in i.explanation] == []


def chunk_corpus_text(text: str):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "packages.md").write_text(text, encoding="utf-8")
        return chunk_corpus(Path(tmp))
