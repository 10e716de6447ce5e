"""`python -m bot quiz --json` as the evaluation scripts call it."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, ROOT

pytestmark = pytest.mark.integration


def run(args, index_cache):
    env = {**os.environ, "CORPUS_DIR": str(CORPUS), "INDEX_DIR": str(index_cache), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "bot", "quiz", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)


def test_quiz_json_contract_distinct_and_seeded(index_cache):
    out = run(["--json", "--count", "25", "--seed", "3"], index_cache)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 25
    assert len({r["question"] for r in rows}) == 25
    for r in rows:
        assert set(r) == {"question", "options", "answer", "explanation", "section", "kind"}
        assert r["kind"] in {"which", "cloze", "truefalse"}
        assert r["explanation"] and r["section"]
        if r["options"]:
            assert r["answer"] in r["options"] and len(set(r["options"])) == len(r["options"])
    again = run(["--json", "--count", "25", "--seed", "3"], index_cache)
    assert again.stdout == out.stdout


def test_quiz_topic_filter_and_unknown_topic(index_cache):
    out = run(["--json", "--count", "5", "--seed", "1", "--topic", "kinesis"], index_cache)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows and all("kinesis" in r["section"].lower() or "kinesis" in r["question"].lower() for r in rows)
    bad = run(["--json", "--count", "2", "--topic", "quantum teleportation"], index_cache)
    assert bad.returncode == 2 and "did you mean" in bad.stderr and not bad.stdout
    zero = run(["--json", "--count", "0"], index_cache)
    assert zero.returncode == 2 and "--count" in zero.stderr
