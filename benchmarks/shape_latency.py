"""In-process answer time by question shape, on the evaluation corpus (corpus/ + eval/guides/).

    python benchmarks/shape_latency.py

Each question of eval/ is answered once (k = 3), so no stem vector comes from the Retriever's cache;
prints the median and p99 per shape. Quote figures from one run: the machine is shared.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from eval.dataset import SHAPES, default_files, load_questions  # noqa: E402
from eval.report import eval_corpus, load_answerer  # noqa: E402


def main() -> int:
    work = ROOT / ".cache" / "eval"
    answerer = load_answerer(work / "index")(eval_corpus(ROOT / "corpus", work))
    questions = load_questions(default_files())
    answerer.answer("warm-up: kinesis shard limit", 3)
    for shape in SHAPES:
        times = []
        for q in questions:
            if q.shape == shape:
                started = time.perf_counter()
                answerer.answer(q.question, 3)
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"{shape:13} n={len(times):3}  p50 {statistics.median(times):6.1f} ms  "
              f"p99 {times[int(0.99 * (len(times) - 1))]:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
