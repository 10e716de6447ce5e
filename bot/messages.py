"""Answers and quiz results -> message text within Discord's limits. No sending happens here."""
from __future__ import annotations

import re
from collections.abc import Sequence

from index.answer import Answer, OptionNotes, QuotedHit
from quiz.generate.checks import topic_hint
from quiz.item import QuizItem
from quiz.mastery import SectionMastery
from quiz.records import (
    REPORTS_TO_WITHDRAW,
    SUSPECT_MISSES,
    AnswerResult,
    GroupSuspect,
    ItemReport,
    LeaderboardRow,
    MemberStats,
    ReportResult,
)

LETTERS = "ABCDEFGHIJ"

MESSAGE_LIMIT = 2000
_FENCE = re.compile(r"^\s*```(\S*)")
_MARKDOWN = re.compile(r"([\\*_~`|\[\]])")


def escape(text: str) -> str:
    """Note text shown literally: "__label__" stays underscores, not underline, and a masked link
    ("[free credits](https://...)") in a note or in a member's echoed text is not a link."""
    return _MARKDOWN.sub(r"\\\1", text)


def render_answer(answer: Answer) -> str:
    if not answer.answerable:
        lines = ["I couldn't find that in the notes, so I won't guess."]
        if answer.nearest_sections:
            lines.append("The nearest sections are:")
            lines.extend(f"• {escape(section)}" for section in answer.nearest_sections)
        return "\n".join(lines)
    parts = ["**From the notes:**"]
    parts.extend(render_quote(q) for q in answer.quotes)
    if answer.options:
        parts.append("**What the notes say about each option:**")
        parts.extend(render_option(o) for o in answer.options)
        if answer.points_to:
            parts.append(f"The notes point to **{answer.points_to}**.")
    return "\n\n".join(parts)


MAX_OPTION_SHOWN = 200  # an option's own text, echoed above its note


def render_option(option: OptionNotes) -> str:
    """The option, then the one line of the note that bears most on it, with the note's section."""
    head = f"**{option.label}.** {escape(_shorten(option.text, MAX_OPTION_SHOWN))}"
    if not option.quotes:
        return f"{head}\n> _nothing in the notes_"
    quote = option.quotes[0]
    chunk = quote.hit.chunk
    lines = chunk.text.split("\n")
    line = lines[min(quote.best_line, len(lines) - 1)].strip().removeprefix("• ")
    if chunk.kind == "code":
        line = line.replace("`", "ˋ")
    return f"{head}\n📘 {escape(chunk.section)}\n> {escape(_shorten(line))}"


def render_quote(quote: QuotedHit) -> str:
    chunk = quote.hit.chunk
    header = f"📘 **{escape(chunk.section)}**"
    if chunk.kind == "code":
        return f"{header}\n```\n{chunk.text.replace('```', 'ˋˋˋ')}\n```"
    lines = []
    if chunk.context:
        lines.append(f"> _{escape(chunk.context)}_")
    for i, line in enumerate(chunk.text.split("\n")):
        indent = len(line) - len(line.lstrip(" "))
        body = escape(line.strip())
        if i == quote.best_line:
            body = body.replace("• ", "• **", 1) + "**" if body.startswith("• ") else f"**{body}**"
        lines.append("> " + "\u2003" * (indent // 2) + body)
    return header + "\n" + "\n".join(lines)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Parts of at most `limit` chars, cut at line ends; a code block cut in two is closed and reopened."""
    parts: list[str] = []
    current: list[str] = []
    size = 0  # len("\n".join(current))
    fence: str | None = None  # the opening line of the code block open at the end of `current`, if any
    for raw_line in text.split("\n"):
        toggles = _FENCE.match(raw_line) is not None
        fence_after = (None if fence is not None else raw_line.strip()) if toggles else fence
        for line in _hard_wrap(raw_line, limit - 8 - len(fence or "")):
            # Room for this line, and for the "\n```" that closes the part if a block is still open after it.
            reserve = 4 if fence_after is not None else 0
            if current and current != [fence] and size + 1 + len(line) + reserve > limit:
                parts.append("\n".join(current) + ("\n```" if fence is not None else ""))
                current = [fence] if fence is not None else []
                size = len(fence) if fence is not None else 0
            size += (1 if current else 0) + len(line)
            current.append(line)
        fence = fence_after
    if current and current != [fence]:
        parts.append("\n".join(current) + ("\n```" if fence is not None else ""))  # an unclosed block too
    return [p for p in (p.strip("\n") for p in parts) if p.strip()]


def _hard_wrap(line: str, width: int) -> list[str]:
    """A single line longer than a message is cut at spaces where possible."""
    if len(line) <= width:
        return [line]
    out = []
    while len(line) > width:
        cut = line.rfind(" ", 0, width)
        cut = cut if cut > width // 2 else width
        out.append(line[:cut])
        line = line[cut:].lstrip(" ")
    out.append(line)
    return out


# --- quiz -------------------------------------------------------------------------------------------

MAX_QUOTED_NOTE = 1200  # a quiz message quotes its note whole up to this; one message must hold question + note
KIND_HINT = {"which": "Which one is it?", "cloze": "Fill in the blank.", "truefalse": "True or false?"}


def render_item(item: QuizItem, number: int | None = None) -> str:
    """An item as asked: the question, the hint line, and for a multiple-choice item its lettered options."""
    prefix = f"**Q{number}.** " if number is not None else "🎯 "
    lines = [f"{prefix}{escape(_shorten(item.question))}",
             f"-# {_hint_line(item)}"]
    if item.kind != "truefalse":
        lines.extend(f"**{LETTERS[i]}.** {escape(opt)}" for i, opt in enumerate(item.options))
    return "\n".join(lines)


def _hint_line(item: QuizItem) -> str:
    """The line under the question; the section only as far up as it keeps the answer hidden."""
    hint = topic_hint(item)
    return f"{escape(hint)} · {KIND_HINT[item.kind]}" if hint else KIND_HINT[item.kind]


def render_leech(item: QuizItem, misses: int) -> str:
    """Before a question the member keeps missing: its note first, to learn it again rather than guess."""
    note = "\n".join("> " + escape(line.strip()) for line in _shorten(item.explanation).split("\n"))
    return (f"📌 You have missed the next question {misses} times, so here is its note first "
            f"(from **{escape(item.section)}**):\n{note}")


def render_reveal(item: QuizItem, given: str, result: AnswerResult) -> str:
    if not result.recorded:
        head = (f"You already answered this one ({escape(result.first_attempt_answer)}): it was "
                f"{'right ✅' if result.correct else 'wrong ❌'}. Only your first answer counts.")
    elif result.correct:
        head = f"✅ Right: **{escape(item.answer)}**."
    else:
        head = f"❌ Not quite: you said {escape(given)}; the answer is **{escape(item.answer)}**."
    note = "\n".join("> " + escape(line.strip()) for line in _shorten(item.explanation).split("\n"))
    tail = f"Score {result.correct_total}/{result.answered} · streak {result.streak} day(s)"
    if result.recorded and not result.scored:
        tail = f"Practice: you answered this one earlier today, so only that answer counts · {tail}"
    return f"{head}\n📘 **{escape(item.section)}**\n{note}\n-# {tail}"


def _shorten(text: str, limit: int = MAX_QUOTED_NOTE) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_stats(name: str, stats: MemberStats) -> str:
    return (f"📊 **{escape(name)}**: {stats.correct}/{stats.answered} right ({stats.accuracy:.0%}), "
            f"streak {stats.streak} day(s) (best {stats.best_streak}), {stats.due_count} item(s) due for review, "
            f"{stats.reviewed_items} item(s) seen.")


ALL_MASTERED = "✅ No mistakes left: every question you got wrong, you have since answered right. Mastered!"
MASTERY_ROWS = 6  # sections listed in /stats: the weakest, then how many were never touched


def render_mastery(rows: list[SectionMastery], limit: int = MASTERY_ROWS) -> str:
    """Per-section mastery as text bars (the chart's figures, and all of it where no chart is shown)."""
    seen = [r for r in rows if r.recall is not None]
    untouched = [r for r in rows if r.recall is None]
    if not seen:
        return "No section practised yet: `/quiz` starts one."
    lines = ["**Weakest sections** (predicted recall now · right of answered · questions seen)"]
    for row in seen[:limit]:
        recall = row.recall or 0.0
        bar = "█" * round(recall * 10) + "░" * (10 - round(recall * 10))
        lines.append(f"`{bar}` {recall:.0%} {escape(row.section)} · {row.correct}/{row.answered} right · "
                     f"{row.seen} of {row.items} seen")
    if len(seen) > limit:
        lines.append(f"… and {len(seen) - limit} stronger section(s).")
    if untouched:
        names = ", ".join(escape(r.section) for r in untouched[:3])
        more = f" and {len(untouched) - 3} more" if len(untouched) > 3 else ""
        lines.append(f"Not practised yet: {names}{more}.")
    return "\n".join(lines)


def render_leaderboard(rows: list[LeaderboardRow], names: dict[int, str], period: str = "") -> str:
    """`period`: "" for all time, else its name ("past 7 days") in the title."""
    if not rows:
        return ("No answers in the past 7 days: try `/quiz`." if period
                else "No answers yet in this server: try `/quiz`.")
    lines = [f"🏆 **Leaderboard, {period}**" if period else "🏆 **Leaderboard**"]
    for row in rows:
        accuracy = row.correct / row.answered if row.answered else 0.0
        lines.append(f"{row.rank}. {escape(names.get(row.user_id, str(row.user_id)))}: {row.correct} right of "
                     f"{row.answered} ({accuracy:.0%}) · streak {row.streak}")
    return "\n".join(lines)


ALREADY_REPORTED = "You already reported this question; one report a member counts. Thanks!"


def render_report_result(result: ReportResult) -> str:
    if not result.recorded:
        return ALREADY_REPORTED
    if result.withdrawn:
        return ("🚩 Thanks: reported, and no longer asked in this server. The guide's authors can see it in "
                "`/quiz-reports`.")
    return (f"🚩 Thanks: reported ({result.reports} of {REPORTS_TO_WITHDRAW} reports withdraw it in this server). "
            "The guide's authors can see it in `/quiz-reports`.")


def render_reports(reports: list[ItemReport], items: dict[str, QuizItem],
                   suspects: Sequence[GroupSuspect] = ()) -> str:
    """The reported questions of a server, and those most of the group keeps missing, with the note each
    came from, for the guide's authors."""
    known = [s for s in suspects if s.item_id in items]
    if not reports and not known:
        return "No question has been reported in this server, and none is missed by most of the group."
    lines = _suspect_lines(known, items)
    if not reports:
        return "\n".join(["No question has been reported in this server.", "", *lines])
    lines = [*lines, *([""] if lines else []),
             f"🚩 **Reported questions** ({len(reports)}; {REPORTS_TO_WITHDRAW} reports, or one from a member "
             "with Manage Server, withdraw a question here)"]
    for n, report in enumerate(reports, 1):
        item = items.get(report.item_id)
        state = "withdrawn" if report.withdrawn else "still asked"
        by = ", one by a manager" if report.by_manager else ""
        lines.append("")
        if item is None:
            lines.append(f"{n}. `{report.item_id}` ({state}, {report.reports} report(s){by}): no longer in the items")
            continue
        lines.append(f"{n}. **{escape(item.section)}** ({state}, {report.reports} report(s){by})")
        lines.append(f"Q: {escape(_shorten(' '.join(item.question.split()), 300))}")
        if item.options:
            lines.append("Options: " + escape(" · ".join(item.options)))
        lines.append(f"Key: **{escape(item.answer)}**")
        lines.extend("> " + escape(line.strip()) for line in _shorten(item.explanation, 300).split("\n"))
        lines.extend(f"- “{escape(reason)}”" for reason in report.reasons)
    return "\n".join(lines)


def _suspect_lines(suspects: Sequence[GroupSuspect], items: dict[str, QuizItem]) -> list[str]:
    if not suspects:
        return []
    lines = [f"🧩 **Questions most of the group keeps missing** ({len(suspects)}: a bad question, or a hard note)"]
    for n, suspect in enumerate(suspects, 1):
        item = items[suspect.item_id]
        lines.append(f"{n}. **{escape(item.section)}**: {suspect.missing} of {suspect.members} members missed it "
                     f"{SUSPECT_MISSES}+ times ({suspect.accuracy:.0%} of answers right)")
        lines.append(f"Q: {escape(_shorten(' '.join(item.question.split()), 300))}")
        lines.append(f"Key: **{escape(item.answer)}**")
    return lines
