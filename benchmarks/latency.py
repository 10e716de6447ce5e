"""Speed and size of the index and of answering, at the real corpus size and at 100x.

    python benchmarks/latency.py [--scale 100] [--questions 500]

Prints, for the real corpus (1x) and a synthetic one SCALE times larger:
- index build time (a fresh `python -m index build` process, model load included);
- cold start of `python -m bot ask QUESTION` with the index built (median of 5 processes);
- per-question latency in-process (p50/p99 over N distinct questions; Answerer.answer end to end);
- peak RSS of the in-process run and of one `ask` process.
The synthetic corpus is SCALE copies of the guide, each with its notes shuffled within their sections
and a made-up word added to every heading, so the vocabulary and the index grow as with real guides.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from eval.dataset import FIRST_SET, load_questions  # noqa: E402

GUIDE = ROOT / "corpus" / "aws_machine_learning_specialty.txt"


def synthetic_corpus(dest: Path, scale: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    lines = GUIDE.read_text(encoding="utf-8").split("\n")
    for copy in range(scale):
        word = "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        (dest / f"guide_{copy:03d}.txt").write_text("\n".join(_variant(lines, word, rng)), encoding="utf-8")
    shutil.copy(ROOT / "corpus" / "aliases.json", dest / "aliases.json")


def _variant(lines: list[str], word: str, rng: random.Random) -> list[str]:
    """The guide with each run of top-level bullets shuffled and `word` added to numbered headings."""
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("  •"):
            run.append(line)
            continue
        rng.shuffle(run)
        out.extend(run)
        run = []
        if line[:1].isdigit() and " " in line and "lines (" not in line:
            line = f"{line} {word}"
        out.append(line)
    return out


def timed_process(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one child process (wait4 gives that child's own rusage)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    return elapsed, usage.ru_maxrss // 1024


def questions(n: int) -> list[str]:
    base = [q.question for q in load_questions([FIRST_SET])]
    out = list(base)
    prefixes = ["quick one: ", "in short, ", "exam q: ", "help: "]
    i = 0
    while len(out) < n:
        out.append(prefixes[(i // len(base)) % len(prefixes)] + base[i % len(base)])
        i += 1
    return out[:n]


def measure(corpus: Path, cache: Path, n_questions: int) -> dict[str, float]:
    env = {**os.environ, "CORPUS_DIR": str(corpus), "INDEX_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    env["DISCORD_TOKEN"] = ""  # also overrides a developer's .env
    # With --workdir, a build measured by an earlier run is reused (the 100x build takes minutes).
    record = cache / "build_wall.json"
    if record.is_file():
        build_s, build_rss = json.loads(record.read_text())
    else:
        build_s, build_rss = timed_process(
            ["-m", "index", "build", "--corpus", str(corpus), "--cache", str(cache)], env)
        record.write_text(json.dumps([build_s, build_rss]))
    cold = []
    ask_rss = 0
    for _ in range(5):
        seconds, ask_rss = timed_process(["-m", "bot", "ask", "--json", "firehose max buffer interval"], env)
        cold.append(seconds)

    from bot.services import Services
    from bot.settings import Settings

    services = Services.load(Settings(corpus_dir=corpus, index_dir=cache), quiz=False)
    qs = questions(n_questions)
    for q in qs[:20]:  # warm-up: first calls allocate
        services.answerer.answer(q)
    latencies = []
    for q in qs:
        started = time.perf_counter()
        services.answerer.answer(q)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "notes": services.index.manifest.chunk_count,
        "build_s": build_s,
        "build_rss_mib": build_rss,
        "cold_start_s": statistics.median(cold),
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "mean_ms": statistics.fmean(latencies),
        "ask_rss_mib": ask_rss,
        "inproc_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--workdir", type=Path, help="keep corpora and indexes here between runs")
    parser.add_argument("--only", choices=("1x", "big"), help="measure one corpus only")
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.only != "big":
            (work / "cache1").mkdir(exist_ok=True)
            rows["1x"] = measure(ROOT / "corpus", work / "cache1", args.questions)
        if args.scale > 1 and args.only != "1x":
            big = work / f"corpus_{args.scale}x"
            if not big.is_dir():
                big.mkdir()
                synthetic_corpus(big, args.scale)
            (work / f"cache_{args.scale}x").mkdir(exist_ok=True)
            rows[f"{args.scale}x"] = measure(big, work / f"cache_{args.scale}x", args.questions)
    print(f"{'corpus':7} {'notes':>7} {'build s':>8} {'cold s':>7} {'p50 ms':>7} {'p99 ms':>7} {'mean ms':>8} "
          f"{'RSS ask':>8} {'RSS run':>8} {'RSS build':>9}")
    for name, r in rows.items():
        print(f"{name:7} {r['notes']:7d} {r['build_s']:8.1f} {r['cold_start_s']:7.2f} {r['p50_ms']:7.1f} "
              f"{r['p99_ms']:7.1f} {r['mean_ms']:8.1f} {r['ask_rss_mib']:7d}M {r['inproc_rss_mib']:7d}M "
              f"{r['build_rss_mib']:8d}M")
    if len(rows) == 2:
        one, big = rows.values()
        print(f"p99 growth at {args.scale}x: {big['p99_ms'] / one['p99_ms']:.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
