"""`python -m bot ask` as the evaluation scripts call it: a real process, the real index."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, ROOT

pytestmark = pytest.mark.integration


def run(args, index_cache, env_extra=None, **kw):
    env = {**os.environ, "CORPUS_DIR": str(CORPUS), "INDEX_DIR": str(index_cache), "HF_HUB_OFFLINE": "1"}
    env["DISCORD_TOKEN"] = ""  # also overrides a developer's .env
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120, **kw)


def test_ask_json_contract(index_cache):
    out = run(["ask", "--json", "--k", "2", "xgbost imbalanced clases"], index_cache)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"question", "answerable", "hits"}
    assert data["question"] == "xgbost imbalanced clases" and data["answerable"] is True
    assert len(data["hits"]) == 2
    for hit in data["hits"]:
        assert set(hit) == {"text", "section", "score"}
        assert isinstance(hit["score"], float)
    assert "scale_pos_weight" in data["hits"][0]["text"]
    assert data["hits"][0]["section"] == "3.2 SageMaker built-in algorithms > XGBoost"
    assert data["hits"][0]["score"] >= data["hits"][1]["score"]


def test_ask_text_quotes_notes_with_sections(index_cache):
    out = run(["ask", "kinesis video retention"], index_cache)
    assert out.returncode == 0
    assert "1.5 Kinesis Video Stream" in out.stdout and "Data retention 1h - 10 years" in out.stdout


def test_ask_batch_keeps_order_one_line_each(index_cache, tmp_path):
    batch = tmp_path / "q.txt"
    batch.write_text("firehose buffer interval\n\nwho won the 2022 world cup?\n???\nSG ground truth\n")
    out = run(["ask", "--json", "--batch", str(batch)], index_cache)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    # The blank line is not a question; "???" is one the bot cannot search, and says so in its record.
    assert [r["question"] for r in rows] == ["firehose buffer interval", "who won the 2022 world cup?", "???",
                                             "SG ground truth"]
    assert [r["answerable"] for r in rows] == [True, False, False, True]
    assert all(len(r["hits"]) <= 3 for r in rows)
    assert rows[2]["hits"] == [] and "has none" in rows[2]["error"]


def test_off_guide_text_answer_says_so(index_cache):
    out = run(["ask", "How do I order an AWS Snowball Edge device?"], index_cache)
    assert "couldn't find that in the notes" in out.stdout
    assert "nearest sections" in out.stdout


def test_bad_inputs_get_messages_not_tracebacks(index_cache, tmp_path):
    empty = run(["ask", "   "], index_cache)
    assert empty.returncode == 1 and "empty" in empty.stdout and "Traceback" not in empty.stderr
    bad_k = run(["ask", "--k", "0", "x"], index_cache)
    assert bad_k.returncode == 2 and "--k" in bad_k.stderr
    missing = run(["ask", "--json", "--batch", str(tmp_path / "nope.txt")], index_cache)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    no_corpus = run(["ask", "hi"], index_cache, {"CORPUS_DIR": str(tmp_path / "none")})
    assert no_corpus.returncode == 2 and "does not exist" in no_corpus.stderr
    assert "Traceback" not in no_corpus.stderr
    (tmp_path / "empty").mkdir()
    empty_corpus = run(["ask", "hi"], index_cache, {"CORPUS_DIR": str(tmp_path / "empty")})
    assert empty_corpus.returncode == 2 and "no guide" in empty_corpus.stderr
    huge = run(["ask", "--json", "firehose " * 1250], index_cache)
    assert huge.returncode == 0 and json.loads(huge.stdout)["hits"]
    bad_eval = run(["eval", "--questions", str(tmp_path / "none.jsonl")], index_cache)
    assert bad_eval.returncode == 2 and "cannot read the questions file" in bad_eval.stderr
    assert "Traceback" not in bad_eval.stderr


def test_a_reader_that_leaves_early_gets_no_traceback(index_cache, tmp_path):
    # `python -m bot ask --json --batch FILE | head -1`
    questions = tmp_path / "q.txt"
    questions.write_text("what is a kinesis shard?\n" * 2000, encoding="utf-8")
    env = {**os.environ, "CORPUS_DIR": str(CORPUS), "INDEX_DIR": str(index_cache), "HF_HUB_OFFLINE": "1",
           "DISCORD_TOKEN": ""}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "ask", "--json", "--batch", str(questions)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == 1
    assert json.loads(first)["answerable"] is True
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


FOUR_OPTIONS = """A data scientist trains a SageMaker built-in algorithm on a large dataset in S3 and wants training \
to start faster by streaming the data to the container instead of downloading all of it first. Which input \
setting should the data scientist use?
A. File mode
B. Pipe mode
C. Spot instances with checkpoints
D. Elastic Inference"""


def test_ask_json_adds_options_and_pointer_for_option_questions_only(index_cache):
    out = run(["ask", "--json", "--k", "2", FOUR_OPTIONS], index_cache)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"question", "answerable", "hits", "options", "points_to"}
    assert data["answerable"] is True and len(data["hits"]) == 2  # the stem's notes, as before
    assert all(set(h) == {"text", "section", "score"} for h in data["hits"])
    assert [o["label"] for o in data["options"]] == ["A", "B", "C", "D"]
    assert data["options"][1]["text"] == "Pipe mode"
    assert all(set(h) == {"text", "section", "score"} for o in data["options"] for h in o["hits"])
    assert "Pipe mode" in data["options"][1]["hits"][0]["section"]
    assert "Spot instances" in data["options"][2]["hits"][0]["text"]
    assert data["points_to"] in (None, "B")  # never a wrong pointer
