"""A table of the shapes members paste: plain questions stay plain, exam questions give stem + options."""
from __future__ import annotations

import pytest

from index.question import MAX_OPTION_CHARS, named_words, parse_question

STEM = ("A company streams clickstream events and must convert them to Parquet before they land in S3, "
        "with the least operational overhead. Which service should it use?")

FOUR = ("Streams", "Firehose", "Glue", "EMR")  # the options most rows paste, in their markers

# (name, text, expected stem start or None for plain, expected option texts, choose)
SHAPES = [
    ("plain chat", "whats the max buffer interval of firehose?", None, (), 1),
    ("plain typo", "xgbost imbalanced clases", None, (), 1),
    ("plain long stem", STEM, None, (), 1),
    ("dot markers", f"{STEM}\nA. Kinesis Data Streams\nB. Kinesis Data Firehose\nC. AWS Glue\nD. Amazon EMR",
     "A company streams", ("Kinesis Data Streams", "Kinesis Data Firehose", "AWS Glue", "Amazon EMR"), 1),
    ("paren markers", f"{STEM}\nA) Streams\nB) Firehose\nC) Glue\nD) EMR", "A company", FOUR, 1),
    ("bracketed markers", f"{STEM}\n(A) Streams\n(B) Firehose\n(C) Glue\n(D) EMR", "A company",
     FOUR, 1),
    ("lower-case markers", f"{STEM}\na. Streams\nb. Firehose\nc. Glue\nd. EMR", "A company",
     FOUR, 1),
    ("numbered markers", f"{STEM}\n1. Streams\n2. Firehose\n3. Glue\n4. EMR", "A company",
     FOUR, 1),
    ("inline markers", f"{STEM} A. Streams B. Firehose C. Glue D. EMR", "A company",
     FOUR, 1),
    ("inline paren markers", f"{STEM} A) Streams B) Firehose C) Glue D) EMR", "A company",
     FOUR, 1),
    ("blank line before options", f"{STEM}\n\nA. Streams\nB. Firehose\nC. Glue\nD. EMR", "A company",
     FOUR, 1),
    ("indented options", f"{STEM}\n  A. Streams\n  B. Firehose\n  C. Glue\n  D. EMR", "A company",
     FOUR, 1),
    ("choose two", f"{STEM} (Choose two.)\nA. Streams\nB. Firehose\nC. Glue\nD. EMR\nE. Lambda", "A company",
     ("Streams", "Firehose", "Glue", "EMR", "Lambda"), 2),
    ("select three", f"{STEM} Select THREE.\nA. a1\nB. b1\nC. c1\nD. d1\nE. e1\nF. f1", "A company",
     ("a1", "b1", "c1", "d1", "e1", "f1"), 3),
    ("comment after options", f"{STEM}\nA. Streams\nB. Firehose\nC. Glue\nD. EMR\n\nwhich one is it, B or C?",
     "A company", FOUR, 1),
    ("comment before stem", f"can someone explain this one?\n{STEM}\nA. Streams\nB. Firehose\nC. Glue\nD. EMR",
     "can someone explain", FOUR, 1),
    ("wrapped option", f"{STEM}\nA. Use Kinesis Data Streams\nwith a Lambda consumer\nB. Firehose\nC. Glue\nD. EMR",
     "A company", ("Use Kinesis Data Streams with a Lambda consumer", "Firehose", "Glue", "EMR"), 1),
    ("three options", f"{STEM}\nA. Streams\nB. Firehose\nC. Glue", "A company", ("Streams", "Firehose", "Glue"), 1),
    ("two options", f"{STEM}\nA. Streams\nB. Firehose", "A company", ("Streams", "Firehose"), 1),
    ("numbered requirements then letters",
     f"{STEM}\n1. low latency\n2. encrypted\n3. cheap\n4. managed\nA. Streams\nB. Firehose\nC. Glue\nD. EMR",
     "A company", FOUR, 1),
    ("windows line ends", f"{STEM}\r\nA. Streams\r\nB. Firehose\r\nC. Glue\r\nD. EMR", "A company",
     FOUR, 1),
    # traps: stay plain
    ("A. inside a sentence", "Plan A. Then we try B. Which Kinesis service converts to Parquet?", None, (), 1),
    ("one lone marker", f"{STEM}\nA. Streams", None, (), 1),
    ("markers out of order", f"{STEM}\nB. Streams\nA. Firehose", None, (), 1),
    ("options only, no stem", "A. Streams\nB. Firehose\nC. Glue\nD. EMR", None, (), 1),
    ("short stem", "Which?\nA. Streams\nB. Firehose\nC. Glue\nD. EMR", None, (), 1),
    ("options with no text", f"{STEM}\nA.\nB.\nC.\nD.", None, (), 1),
    ("26 options", STEM + "\n" + "\n".join(f"{chr(65 + i)}. option {i}" for i in range(26)), None, (), 1),
    ("choose two of two", f"{STEM} (Choose two.)\nA. Streams\nB. Firehose", None, (), 1),
    ("inline with two markers", f"{STEM} A. Streams B. Firehose", None, (), 1),
    ("acronym with dot", "What does U.S. region A. mean for S3?", None, (), 1),
    ("empty", "", None, (), 1),
    ("some options empty", f"{STEM}\nA. Streams\nB.\nC. Glue\nD. EMR", "A company", ("Streams", "Glue", "EMR"), 1),
]


@pytest.mark.parametrize(("name", "text", "stem", "options", "choose"), SHAPES, ids=[s[0] for s in SHAPES])
def test_question_shapes(name, text, stem, options, choose):
    parsed = parse_question(text)
    assert tuple(o.text for o in parsed.options) == options
    assert parsed.choose == choose
    if stem is None:
        assert not parsed.has_options and parsed.stem == ""
        assert parsed.search_text() == " ".join(text.split())
    else:
        assert parsed.stem.startswith(stem)
        assert "Choose" not in parsed.stem and "Select THREE" not in parsed.stem
        labels = "ACD" if name == "some options empty" else "ABCDEFGH"[: len(options)]
        assert [o.label for o in parsed.options] == list(labels)  # as the member typed them


def test_thirty_shapes_at_least():
    assert len(SHAPES) >= 30


def test_a_huge_paste_of_options_is_bounded():
    text = STEM + "\n" + "\n".join(f"{chr(65 + i)}. " + "word " * 2000 for i in range(4))
    parsed = parse_question(text)
    assert len(parsed.options) == 4
    assert all(len(o.text) <= MAX_OPTION_CHARS for o in parsed.options)


@pytest.mark.parametrize(("text", "named"), [
    ("A data analyst runs ad hoc SQL queries with Amazon Athena. Which service fits?",
     ["SQL", "Amazon", "Athena"]),
    ("Which one is it? The team uses a DataFrame on Sundays", ["DataFrame", "Sundays"]),
    ("what is pipe mode", []),  # a sentence's first word, and no capital after it
    ("Firehose: max buffer?\nKinesis streams", []),  # each line and each "Label:" starts a sentence
])
def test_named_words_are_the_words_written_as_names(text, named):
    assert named_words(text) == named
