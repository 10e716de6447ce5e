from bot.messages import MESSAGE_LIMIT, render_answer, split_message
from index.answer import Answer, QuotedHit
from index.chunk import Chunk
from index.retrieve import Hit


def _fences_balanced(part: str) -> bool:
    return sum(1 for line in part.split("\n") if line.strip().startswith("```")) % 2 == 0


def test_short_text_is_one_part():
    assert split_message("hello\nworld") == ["hello\nworld"]


def test_long_text_splits_at_line_ends_within_the_limit():
    lines = [f"line {i} " + "x" * 90 for i in range(60)]
    parts = split_message("\n".join(lines))
    assert len(parts) > 1
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert "\n".join(parts).split("\n") == lines


def test_code_block_cut_in_two_is_closed_and_reopened():
    code = "\n".join(f"print({i})  # " + "y" * 60 for i in range(80))
    text = "Intro\n```python\n" + code + "\n```\nOutro"
    parts = split_message(text, limit=1000)
    assert len(parts) >= 3
    assert all(len(p) <= 1000 for p in parts)
    assert all(_fences_balanced(p) for p in parts)
    assert parts[1].startswith("```python")
    body = [line for p in parts for line in p.split("\n") if line.startswith("print(")]
    assert body == code.split("\n")
    assert parts[-1].endswith("Outro")


def test_single_huge_line_is_wrapped():
    parts = split_message("word " * 1000)
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(["word"] * 1000)


def _answer(text: str, answerable=True, section=("3. Sagemaker", "3.2 Algos", "XGBoost")) -> Answer:
    chunk = Chunk("id1", "g.txt", section, "", text, 1, 3)
    hit = Hit(chunk, 1.0, 0.5, 0.5)
    return Answer("q", answerable, (QuotedHit(hit, 1),), 1.5, (chunk.section,))


def test_answer_quotes_note_with_section_and_emphasis():
    text = render_answer(_answer("Difficult to tune\n  • use scale_pos_weight for imbalance"))
    assert "3.2 Algos > XGBoost" in text
    assert "> Difficult to tune" in text
    assert "**use scale\\_pos\\_weight for imbalance**" in text


def test_refusal_names_nearest_sections():
    text = render_answer(_answer("x", answerable=False))
    assert "couldn't find that in the notes" in text and "3.2 Algos > XGBoost" in text


def test_fence_opening_at_the_end_of_a_part_keeps_room_to_close():
    text = "x" * 1990 + "\n\n\n```py\n" + "y" * 2500
    parts = split_message(text)
    assert all(len(p) <= MESSAGE_LIMIT for p in parts), [len(p) for p in parts]
    assert all(_fences_balanced(p) for p in parts)
    assert not any(p.strip() in ("```py\n```", "```py") for p in parts)


def test_random_texts_with_code_always_fit_and_balance():
    import random

    rng = random.Random(5)
    for _ in range(200):
        lines = []
        for _ in range(rng.randrange(1, 60)):
            kind = rng.random()
            if kind < 0.1:
                lines.append(rng.choice(["```", "```python", "```bash"]))
            else:
                lines.append("w" * rng.randrange(0, 2500 if kind > 0.97 else 120))
        if sum(line.startswith("```") for line in lines) % 2:
            lines.append("```")
        limit = rng.choice([300, 1000, 2000])
        parts = split_message("\n".join(lines), limit=limit)
        assert all(len(p) <= limit for p in parts)
        assert all(_fences_balanced(p) for p in parts)


def test_option_question_shows_each_options_note_within_the_limit() -> None:
    from index.answer import OptionNotes

    base = _answer("Pipe mode\n  • streams S3 data to the training container")
    note = base.quotes[0]
    options = tuple(OptionNotes(label, text, (note,) if label != "D" else (), 0.5)
                    for label, text in zip("ABCD", ["File mode", "Pipe mode", "Spot " * 100, "__init__ things"],
                                           strict=True))
    answer = Answer("q", True, base.quotes * 3, 1.5, base.nearest_sections, options, None)
    text = render_answer(answer)
    assert "**What the notes say about each option:**" in text
    for label in "ABCD":
        assert f"**{label}.**" in text
    assert "> _nothing in the notes_" in text.split("**D.**")[1]
    assert "\\_\\_init\\_\\_" in text  # option text shown literally
    assert "point to" not in text
    assert all(len(part) <= MESSAGE_LIMIT for part in split_message(text))
    pointed = render_answer(Answer("q", True, base.quotes, 1.5, base.nearest_sections, options, "B"))
    assert pointed.endswith("The notes point to **B**.")
    refused = render_answer(Answer("q", False, base.quotes, 0.1, base.nearest_sections, options, None))
    assert "each option" not in refused and refused.startswith("I couldn't find that in the notes")


def test_masked_links_in_notes_and_echoed_text_are_not_clickable():
    from bot.messages import escape

    shown = escape("Claim [free AWS credits](https://evil.example/login) now")
    assert "[free AWS credits](" not in shown and "\\[free AWS credits\\](https://evil.example/login)" in shown
    assert escape("[x](<https://evil.example>)") == "\\[x\\](<https://evil.example>)"
