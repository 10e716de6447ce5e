"""The option pointer's rule, on made-up option notes (it is off by default: index/answer.py says why)."""
from index import answer as answer_module
from index.answer import OptionNotes, QuotedHit, _negated, _pointer
from index.chunk import Chunk
from index.retrieve import Hit


def _option(label: str, support: float, note: str | None) -> OptionNotes:
    quotes = () if note is None else (QuotedHit(Hit(Chunk(note, "g.md", ("1. A",), "", note, 1, 1), 1, 1, 0), 0),)
    return OptionNotes(label, label.lower(), quotes, support)


def test_off_by_default() -> None:
    assert answer_module.POINTER_MARGIN is None
    assert _pointer((_option("A", 2.0, "n1"), _option("B", 0.1, "n2"))) is None


def test_points_only_past_the_margin(monkeypatch) -> None:
    monkeypatch.setattr(answer_module, "POINTER_MARGIN", 0.2)
    assert _pointer((_option("A", 0.5, "n1"), _option("B", 0.8, "n2"), _option("C", 0.1, None))) == "B"
    assert _pointer((_option("A", 0.7, "n1"), _option("B", 0.8, "n2"))) is None  # within the margin
    assert _pointer((_option("A", 0.1, "n1"), _option("B", 0.8, "n1"))) == "B"  # support is per option
    assert _pointer((_option("A", 0.1, "n1"), _option("B", 0.8, None))) is None  # the best has no note
    assert _pointer((_option("A", 0.9, "n1"),)) is None


def test_which_is_not_stems_are_recognised() -> None:
    assert _negated("Which of these services does NOT support Pipe mode?")
    assert _negated("All of the following reduce overfitting EXCEPT")
    assert _negated("Which statement about Firehose is not true?")
    assert not _negated("The notebook must not have internet access. Which setting should be used?")
    assert not _negated("Which solution has the LEAST operational overhead?")
