"""The export files read back: the .apkg is a zip holding an SQLite collection; the CSV parses."""
import csv
import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from quiz.export import CSV_COLUMNS, anki_deck, csv_text
from quiz.item import QuizItem

ITEMS = [
    QuizItem.create(chunk_id="c1", kind="cloze", question="Fill in the blank (Firehose):\nmax interval: ____",
                    options=("900s", "1h", "45mins", "2h"), answer="900s", explanation="max interval: 900s",
                    section="1.4 Kinesis data firehose", difficulty=0.5, topic_path=("1.4 Kinesis data firehose",)),
    QuizItem.create(chunk_id="c2", kind="truefalse", question="True or false?\nKDS keeps data <24h> by default",
                    options=("True", "False"), answer="True", explanation="Retention: 24h by default",
                    section="1.3 Kinesis data streams", difficulty=0.3, topic_path=("1.3 Kinesis data streams",)),
]


def test_the_anki_deck_holds_one_note_per_missed_question():
    data = anki_deck(ITEMS, 1, 10, "Study bot: missed questions")
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(io.BytesIO(data)) as apkg:
            assert "collection.anki2" in apkg.namelist()
            apkg.extract("collection.anki2", tmp)
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        try:
            notes = [row[0].split("\x1f") for row in conn.execute("SELECT flds FROM notes ORDER BY id")]
        finally:
            conn.close()
    assert len(notes) == 2
    first, second = sorted(notes, key=lambda fields: fields[0])
    assert first[0] == "Fill in the blank (Firehose):<br>max interval: ____"
    assert first[1] == "900s<br>1h<br>45mins<br>2h" and first[2] == "900s" and first[4] == "1.4 Kinesis data firehose"
    assert second[0] == "True or false?<br>KDS keeps data &lt;24h&gt; by default" and second[1] == ""


def test_the_csv_reads_back():
    rows = list(csv.reader(io.StringIO(csv_text(ITEMS))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1] == ["Fill in the blank (Firehose):\nmax interval: ____", "900s | 1h | 45mins | 2h", "900s",
                       "max interval: 900s", "1.4 Kinesis data firehose"]
    assert len(rows) == 3
