"""Pasted exam questions through the real Answerer: per-option notes, pointer, refusal on long stems."""
import pytest

from tests.conftest import CORPUS

pytestmark = pytest.mark.integration

GUIDE_LINES = (CORPUS / "aws_machine_learning_specialty.txt").read_text(encoding="utf-8")

STEM = ("A data scientist trains a SageMaker built-in algorithm on a large dataset in S3 and wants training to start "
        "faster by streaming the data to the container instead of downloading all of it first. Which input "
        "setting should the data scientist use?")
OPTIONS = "\nA. File mode\nB. Pipe mode\nC. Spot instances with checkpoints\nD. Elastic Inference"

LONG_OFF_GUIDE = (
    "A media company serves a global website from EC2 instances in two AWS Regions. The operations team wants "
    "DNS to send each visitor to the Region that answers fastest for them, and to stop sending traffic to a "
    "Region whose health checks fail, without changing the application. The company also wants to keep its "
    "existing domain registrar. Which Route 53 routing policy should the team configure for the records?")

BOILERPLATE = ("A machine learning specialist at a large retail company is working with the data engineering team "
               "on a new project, and the manager has asked for a solution that meets the business requirements. ")


def test_each_option_gets_its_own_note_from_the_guide(services):
    answer = services.answerer.answer(STEM + OPTIONS, 3)
    assert answer.answerable
    assert [o.label for o in answer.options] == ["A", "B", "C", "D"]
    notes = {o.label: o.quotes[0].hit.chunk for o in answer.options}
    assert "File mode" in notes["A"].text or "File mode" in notes["A"].section
    assert "Pipe mode" in notes["B"].section
    assert "Spot instances" in notes["C"].text
    assert "Elastic Inference" in notes["D"].text or "Elastic inference" in notes["D"].section
    for chunk in notes.values():  # quoted notes are the guide's own lines
        first = chunk.text.split("\n")[0].removeprefix("• ")
        assert first in GUIDE_LINES
    assert answer.points_to in (None, "B")


PERSONALIZE = (  # eval/sets dev question eb050, one line a option
    "A sports retailer is preparing its users, items, and interactions datasets for Amazon Personalize. The data "
    "engineer has uploaded the CSV files to S3 and now needs to tell Personalize which fields each dataset "
    "contains. In which format must this definition be supplied?\nA. A Parquet file stored next to the data\n"
    "B. An explicit schema in Avro format\nC. A TMX file describing each column\nD. A recordIO-protobuf header "
    "in the first row")


def test_options_rank_the_note_that_decides_the_question_first(services):
    answer = services.answerer.answer(PERSONALIZE, 3)
    assert "Explicit schema in Avro format" in answer.quotes[0].hit.chunk.text
    stem_only = services.answerer.answer(PERSONALIZE.split("\nA.")[0], 3)
    assert "Explicit schema in Avro format" not in stem_only.quotes[0].hit.chunk.text  # the options decided it


def test_a_which_is_not_question_gets_no_pointer(services, monkeypatch):
    from index import answer as answer_module

    monkeypatch.setattr(answer_module, "POINTER_MARGIN", 0.0)  # any margin: the pointer rule alone decides
    assert services.answerer.answer(STEM + OPTIONS, 3).points_to is not None
    negated = STEM.replace("Which input setting should", "Which input setting should NOT")
    assert services.answerer.answer(negated + OPTIONS, 3).points_to is None


def test_plain_question_has_no_options_or_pointer(services):
    answer = services.answerer.answer("pipe mode input format", 3)
    assert answer.options == () and answer.points_to is None


def test_long_off_guide_stem_is_refused(services):
    answer = services.answerer.answer(LONG_OFF_GUIDE, 3)
    assert not answer.answerable, answer.confidence
    assert answer.nearest_sections


@pytest.mark.parametrize(("question", "answerable"), [
    ("whats firehose max buffer interval", True),
    ("KDS shard throughput limit", True),
    ("How do I order an AWS Snowball Edge device?", False),
    ("What is Amazon Braket used for?", False),
])
def test_boilerplate_padding_does_not_flip_the_refusal(services, question, answerable):
    assert services.answerer.answer(question, 3).answerable is answerable
    assert services.answerer.answer(BOILERPLATE + question, 3).answerable is answerable


@pytest.mark.parametrize("question", [
    "A. File mode\nB. Pipe mode\nC. Spot\nD. Elastic Inference",  # options, no stem
    STEM + "\n" + "\n".join(f"{chr(65 + i)}. option {i}" for i in range(26)),  # 26 options
    STEM + "\nA.\nB.\nC.\nD.",  # options with no text
    STEM + "\n" + "\n".join(f"{c}. " + "pipe mode " * 250 for c in "ABCD"),  # 10,000 characters of options
    "Plan A. Then B. is a note about pipe mode",  # "A." inside a sentence
])
def test_odd_option_input_is_answered_without_error(services, question):
    answer = services.answerer.answer(question, 3)
    assert answer.quotes or not answer.answerable
    assert len(answer.options) <= 8


def test_choose_two_never_gets_a_pointer(services):
    question = (STEM.replace("Which input setting", "Which two settings") + " (Choose two.)" + OPTIONS
                + "\nE. Local mode")
    answer = services.answerer.answer(question, 3)
    assert len(answer.options) == 5 and answer.points_to is None


def test_a_question_naming_what_no_note_contains_counts_against_an_answer(services):
    retriever = services.answerer.retriever
    assert retriever.names_unknown("A data analyst queries clickstream logs with Amazon Athena every day.")
    assert not retriever.names_unknown("A team streams clickstream logs with Kinesis Data Firehose to S3.")
    assert not retriever.names_unknown("whats firehose max buffer interval")  # nothing written as a name
    question = "Which service should the analyst use to query the logs with SQL?"
    named = services.answerer.answer("The analyst already uses Amazon Athena. " + question, 3)
    plain = services.answerer.answer("The analyst already uses Amazon S3. " + question, 3)
    assert named.confidence < plain.confidence
