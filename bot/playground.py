"""The terminal playground: `python -m bot` without DISCORD_TOKEN. The same Services as the Discord bot
(answers, quiz, reviews, stats, the daily drill) for one local member, so anyone can try it in a minute."""
from __future__ import annotations

import logging
import random
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.messages import (
    ALL_MASTERED,
    LETTERS,
    render_answer,
    render_item,
    render_leech,
    render_mastery,
    render_reveal,
    render_stats,
)
from bot.services import Services
from bot.settings import Settings
from index.answer import BadQuestionError
from quiz.answering import AnswerError, answer_item
from quiz.exam import ExamDateError, countdown, cram_items, cramming, parse_exam_date
from quiz.export import anki_deck, csv_text
from quiz.item import QuizItem
from quiz.mastery import section_mastery
from quiz.select import select_items, suggest_topics

log = logging.getLogger(__name__)

LOCAL_GUILD, LOCAL_MEMBER = 0, 1
DRILL_SIZE = 3
COMMANDS = frozenset({"/quiz", "/review", "/stats", "/exam", "/export", "/drill", "/help", "/quit", "/exit"})
HELP = """Type a question about the notes, or a command:
  /quiz [topic]   a question from the notes (e.g. /quiz kinesis)
  /review         the questions due for you (spaced repetition)
  /review mistakes  your wrong answers, asked again until each is right
  /stats          your score, streak and weakest sections
  /exam YYYY-MM-DD  your exam date (a countdown; the last week, /review crams)
  /export         your missed questions as an Anki deck and a CSV file
  /drill          today's drill
  /help           this help        /quit   leave"""


def plain(text: str) -> str:
    """Discord markdown -> terminal text."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text, flags=re.S)
    text = re.sub(r"^-# ", "  ", text, flags=re.M)
    return re.sub(r"\\([\\*_~`|])", r"\1", text)


class _CommandDuringQuestion(Exception):
    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


class Playground:
    def __init__(self, services: Services, out: TextIO, clock=lambda: datetime.now(UTC)) -> None:
        self.services = services
        self.out = out
        self.clock = clock
        self.session = uuid.uuid4().hex[:8]
        self.asked = 0
        self.rng = random.Random()

    def say(self, text: str = "") -> None:
        print(plain(text), file=self.out, flush=True)

    def run(self, lines: TextIO) -> int:
        m = self.services.index.manifest
        self.say(f"Study bot playground: {m.chunk_count} notes from {', '.join(m.guides)}, "
                 f"{len(self.services.items)} quiz questions.")
        self.say(HELP)
        it = iter(lines)
        pending = None
        while True:
            if pending is None:
                print("\n> ", end="", file=self.out, flush=True)
                pending = next(it, None)
                if pending is None:
                    break
            line, pending = pending.strip(), None
            if not line:
                continue
            command, _, arg = line.partition(" ")
            command = command.lower()
            if command in ("/quit", "/exit", "quit", "exit"):
                break
            try:
                self.handle(command, arg.strip(), line, it)
            except _CommandDuringQuestion as exc:
                self.say("(Question left unanswered.)")
                pending = exc.line
            except EOFError:
                break
        self.say("Bye! Your scores are saved.")
        return 0

    def handle(self, command: str, arg: str, line: str, it) -> None:
        if command == "/help":
            self.say(HELP)
        elif command == "/quiz":
            self.quiz(arg or None, it)
        elif command == "/review":
            self.review(it, mistakes=arg.strip().lower() == "mistakes")
        elif command == "/stats":
            store, now = self.services.store, self.clock()
            rows = section_mastery(self.services.items, store.member_history(LOCAL_GUILD, LOCAL_MEMBER), now)
            exam = countdown(store.exam_date(LOCAL_GUILD, LOCAL_MEMBER), now.date())
            parts = (render_stats("you", store.stats(LOCAL_GUILD, LOCAL_MEMBER, now)), exam, render_mastery(rows))
            self.say("\n".join(p for p in parts if p))
        elif command == "/export":
            self.export()
        elif command == "/exam":
            try:
                day = parse_exam_date(arg, self.clock().date())
            except ExamDateError as exc:
                self.say(f"{exc} Nothing was changed.")
                return
            self.services.store.set_exam_date(LOCAL_GUILD, LOCAL_MEMBER, day)
            self.say(f"Exam date set. {countdown(day, self.clock().date())}")
        elif command == "/drill":
            self.drill(it)
        elif command.startswith("/"):
            self.say(f"Unknown command {command}. {HELP}")
        else:
            self.ask(line)

    def _read(self, it, prompt: str) -> str:
        """An answer; a command typed instead leaves the question and runs."""
        print(prompt, end="", file=self.out, flush=True)
        try:
            reply = next(it).strip()
        except StopIteration:
            raise EOFError from None
        if reply.partition(" ")[0].lower() in COMMANDS:  # "/opt/ml/model" stays an answer
            raise _CommandDuringQuestion(reply)
        return reply

    def ask(self, question: str) -> None:
        try:
            answer = self.services.answerer.answer(question, self.services.settings.answer_hits)
        except BadQuestionError as exc:
            self.say(str(exc))
            return
        self.say(render_answer(answer))

    def quiz(self, topic: str | None, it) -> None:
        picked = select_items(self.services.items, 1, self.rng.randrange(1 << 30), topic)
        if not picked:
            near = suggest_topics(self.services.items, topic or "")
            self.say(f"No questions on “{topic}”." + (f" Did you mean: {', '.join(near)}?" if near else ""))
            return
        self.pose(picked[0], it)

    def export(self) -> None:
        missed = self.services.store.missed(LOCAL_GUILD, LOCAL_MEMBER)
        if not missed:
            self.say("Nothing to export: you have not missed any question yet.")
            return
        folder = Path(self.services.settings.database_path).parent / "exports"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            deck, table = folder / "missed-questions.apkg", folder / "missed-questions.csv"
            deck.write_bytes(anki_deck(missed, LOCAL_GUILD, LOCAL_MEMBER, "Study bot: missed questions"))
            table.write_text(csv_text(missed), encoding="utf-8")
        except OSError as exc:
            self.say(f"Could not write the export in {folder}: {exc.strerror or exc}. Nothing was lost.")
            return
        self.say(f"Your {len(missed)} missed question(s): {deck} (import into Anki) and {table}.")

    def review(self, it, *, mistakes: bool = False) -> None:
        if mistakes:
            # Asked again, the latest mistake first, until each one is answered right (a command leaves).
            asked = 0
            while wrong := self.services.store.mistakes(LOCAL_GUILD, LOCAL_MEMBER, 1):
                asked += 1
                self.pose(wrong[0], it, asked)
            self.say(ALL_MASTERED)
            return
        store, now = self.services.store, self.clock()
        exam = store.exam_date(LOCAL_GUILD, LOCAL_MEMBER)
        if cramming(exam, now.date()):
            weakest = cram_items(self.services.items, store.member_history(LOCAL_GUILD, LOCAL_MEMBER), now, 3)
            if weakest:
                self.say(f"{countdown(exam, now.date())}: your weakest sections first.")
                for n, item in enumerate(weakest, 1):
                    self.pose(item, it, n)
                return
        due = store.due_items(LOCAL_GUILD, LOCAL_MEMBER, now, 3)
        if not due:
            self.say("Nothing is due for review. Try /quiz for new questions.")
        for n, item in enumerate(due, 1):
            self.pose(item, it, n)

    def drill(self, it) -> None:
        day = self.clock().date()
        items = self.services.store.drill_mix(LOCAL_GUILD, LOCAL_MEMBER, self.clock(), DRILL_SIZE, day.toordinal())
        self.say(f"Daily drill, {day.isoformat()}:")
        for n, item in enumerate(items, 1):
            self.pose(item, it, n)

    def pose(self, item: QuizItem, it, number: int | None = None) -> None:
        if misses := self.services.store.leeches(LOCAL_GUILD, LOCAL_MEMBER, [item.id]).get(item.id):
            self.say(render_leech(item, misses))
        self.say(render_item(item, number))
        self.asked += 1
        context = f"play:{self.session}:{self.asked}"
        while True:
            hint = "/".join(LETTERS[: len(item.options)]) if item.kind != "truefalse" else "true/false"
            reply = self._read(it, f"your answer ({hint}): ")
            choice = _choice(reply, item)
            if choice is None:
                self.say(f"Answer with {hint}.")
                continue
            try:
                verdict = answer_item(self.services.store, item, LOCAL_GUILD, LOCAL_MEMBER, context=context,
                                      choice=choice, now=self.clock())
            except AnswerError as exc:
                self.say(str(exc))
                continue
            self.say(render_reveal(item, verdict.given, verdict.result))
            return


def _choice(reply: str, item: QuizItem) -> int | None:
    text = reply.strip().lower()
    if item.kind == "truefalse" and text and not text.isdigit():
        # "t", "f", "true", "false" (a number still picks an option, as for any item).
        return next((i for i, option in enumerate(item.options) if option.lower().startswith(text)), None)
    if len(text) == 1 and text.upper() in LETTERS[: len(item.options)]:
        return LETTERS.index(text.upper())
    if text.isdigit() and 1 <= int(text) <= len(item.options):
        return int(text) - 1
    return None


def run_playground(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    print("Loading the notes (the first start builds the index, ~20 s)...", file=stdout, flush=True)
    services = Services.load(settings, progress=False)
    try:
        return Playground(services, stdout).run(stdin)
    finally:
        services.close()
