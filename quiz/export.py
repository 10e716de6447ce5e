"""A member's missed questions as an Anki deck (.apkg, with genanki) and as CSV. Blocking: call in a thread."""
from __future__ import annotations

import csv
import hashlib
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import genanki

from quiz.item import QuizItem

# Fixed ids: Anki matches a re-imported deck and note type by id, so a second export updates the first.
_MODEL_ID = 1_607_392_319
_MODEL = genanki.Model(
    _MODEL_ID,
    "Study bot question",
    fields=[{"name": "Question"}, {"name": "Options"}, {"name": "Answer"}, {"name": "Note"}, {"name": "Section"}],
    templates=[{
        "name": "Card 1",
        "qfmt": "{{Question}}<br><br>{{Options}}",
        "afmt": "{{FrontSide}}<hr id=answer><b>{{Answer}}</b><br><br>{{Note}}<br><i>{{Section}}</i>",
    }],
)
CSV_COLUMNS = ("question", "options", "answer", "note", "section")


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>"))


def deck_id(guild_id: int, user_id: int) -> int:
    return int(hashlib.sha1(f"sgb-deck:{guild_id}:{user_id}".encode()).hexdigest()[:8], 16)


def anki_deck(items: Sequence[QuizItem], guild_id: int, user_id: int, title: str) -> bytes:
    """An .apkg with one note per item: front the question and options, back the answer, note and section."""
    deck = genanki.Deck(deck_id(guild_id, user_id), title)
    for item in items:
        options = "" if item.kind == "truefalse" else "<br>".join(_html(o) for o in item.options)
        deck.add_note(genanki.Note(
            model=_MODEL,
            fields=[_html(item.question), options, _html(item.answer), _html(item.explanation), _html(item.section)],
            guid=genanki.guid_for(item.id),  # stable: the same question is the same note on re-import
        ))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deck.apkg"
        genanki.Package(deck).write_to_file(str(path))
        return path.read_bytes()


def csv_text(items: Sequence[QuizItem]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow((item.question, " | ".join(item.options), item.answer, item.explanation, item.section))
    return out.getvalue()
