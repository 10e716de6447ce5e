"""The typed records QuizStore takes and returns."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REPORTS_TO_WITHDRAW = 2  # members' reports that withdraw an item in their server (one from a manager does)
# Leeches (Anki's word): an item a member has missed this often is shown with its note before the next try.
LEECH_MISSES = 4
# An item "the group keeps missing": at least this many members answered it, and most of them (over half)
# missed it at least twice. Listed for admins beside the reported items: a bad item, or a hard note.
SUSPECT_MIN_MEMBERS = 3
SUSPECT_MISSES = 2
MAX_DRILL_COUNT = 5  # a drill is one message with one row of buttons per question; Discord allows 5 rows
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class StoreError(RuntimeError):
    """The quiz database cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class SyncResult:
    added: int  # items never seen before
    retired: int  # items the guide no longer produces, retired by this sync
    active: int  # items served from now on


@dataclass(frozen=True)
class AnswerResult:
    recorded: bool  # False: this member already answered this item here; nothing changed
    correct: bool  # the verdict of the FIRST answer
    first_attempt_answer: str
    answered: int  # the member's totals in this server after this answer
    correct_total: int
    streak: int
    best_streak: int
    next_due: datetime | None  # when the item comes back for review
    scored: bool = True  # False: not the member's first answer to this item today; totals unchanged


@dataclass(frozen=True)
class MemberStats:
    answered: int
    correct: int
    streak: int  # 0 once a day without an answer has gone by
    best_streak: int
    due_count: int  # items waiting for review now
    reviewed_items: int  # distinct items answered at least once
    last_day: date | None

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    user_id: int
    correct: int
    answered: int
    streak: int
    best_streak: int


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    drill_channel_id: int | None = None
    drill_time: str = "09:00"  # HH:MM in `timezone`
    timezone: str = "UTC"  # IANA name
    drill_count: int = 5
    paused: bool = False
    qa_channel_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not _HHMM.match(self.drill_time):
            raise ValueError(f"drill time {self.drill_time!r} is not HH:MM (00:00 to 23:59)")
        if not 1 <= self.drill_count <= MAX_DRILL_COUNT:
            raise ValueError(f"drill count must be 1 to {MAX_DRILL_COUNT}, not {self.drill_count}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {self.timezone!r} (an IANA name: Europe/Paris)") from exc


@dataclass(frozen=True)
class Drill:
    id: int
    guild_id: int
    day: date
    nonce: str  # <= 25 chars, the same for the same (guild, day): a re-send after a crash is dropped
    item_ids: tuple[str, ...]
    channel_id: int | None
    message_id: int | None
    claimed_at: datetime
    posted_at: datetime | None
    closed_at: datetime | None = None  # its results were posted on their own; answers are no longer taken

    @property
    def posted(self) -> bool:
        return self.message_id is not None


@dataclass(frozen=True)
class FeedbackTally:
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class DrillResult:
    user_id: int
    answered: int
    correct: int


@dataclass(frozen=True)
class ShownAnswer:
    """An answer the bot posted: what was asked and which notes it quoted."""

    question: str
    chunk_ids: tuple[str, ...]
    answerable: bool


@dataclass(frozen=True)
class ReportResult:
    recorded: bool  # False: this member had already reported this item in this server; nothing changed
    reports: int  # the item's reports in this server, this one included
    withdrawn: bool  # the item is no longer served in this server


@dataclass(frozen=True)
class ShardLease:
    """A shard another process holds: who, and when it last renewed its lease (unix seconds)."""

    shard_id: int
    holder: str
    renewed_at: float


@dataclass(frozen=True)
class GroupSuspect:
    """An item most of a server's members keep missing (`/quiz-reports`)."""

    item_id: str
    members: int  # who answered it
    missing: int  # of them, who missed it SUSPECT_MISSES times or more
    accuracy: float  # right of all answers given to it in the server


@dataclass(frozen=True)
class ItemReport:
    """One reported item of a server, for the guide's authors (`/quiz-reports`)."""

    item_id: str
    reports: int
    by_manager: bool  # a member with Manage Server reported it
    withdrawn: bool
    reasons: tuple[str, ...]  # the non-empty reasons given, oldest first
    last_reported: datetime


@dataclass(frozen=True)
class ItemHistory:
    """One member's record on one item: their answers (practice included) and their review card."""

    item_id: str
    answered: int
    correct: int
    card_json: str
    due: datetime


@dataclass(frozen=True)
class ItemRecall:
    """How well a server's active members would recall one item now: their mean predicted recall."""

    item_id: str
    members: int  # active members who have a review card for it
    recall: float


@dataclass(frozen=True)
class QuestionResult:
    """How a drill's members did on one of its questions."""

    answered: int
    correct: int
