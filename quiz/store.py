"""QuizStore: all of the bot's SQL. Items, answers, scores, streaks, reviews, drills, config, feedback.

One database (a SQLite file by default, or a PostgreSQL server: quiz.backend) with one connection behind
a lock: the bot calls every method through asyncio.to_thread, so methods are plain blocking functions
and never run two at once in a process. The SQL is written once, in what both dialects share. Every
database error leaves as a StoreError whose message says what failed and what to do.
"""
from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from quiz.backend import Backend, BackendError, Dialect, is_postgres_url, open_backend, redact
from quiz.item import QuizItem
from quiz.migrate import apply_migrations
from quiz.records import (
    LEECH_MISSES,
    REPORTS_TO_WITHDRAW,
    SUSPECT_MIN_MEMBERS,
    SUSPECT_MISSES,
    AnswerResult,
    Drill,
    DrillResult,
    FeedbackTally,
    GroupSuspect,
    GuildConfig,
    ItemHistory,
    ItemRecall,
    ItemReport,
    LeaderboardRow,
    MemberStats,
    QuestionResult,
    ReportResult,
    ShardLease,
    ShownAnswer,
    StoreError,
    SyncResult,
)
from quiz.schedule import RECALL_DECAY, RECALL_FACTOR, ReviewState, new_state, review

log = logging.getLogger(__name__)

NONCE_LENGTH = 25  # Discord's limit for a message nonce
MAX_REASON = 200  # characters of a report's reason that are stored

# The items withdrawn in one server (its id is the one parameter): reported by enough members, or by one
# with Manage Server. A subquery, so every way an item is served (/review, drills, stats) leaves them out.
_WITHDRAWN = f"""SELECT item_id FROM item_reports WHERE guild_id = ? GROUP BY item_id
    HAVING COUNT(*) >= {REPORTS_TO_WITHDRAW} OR MAX(by_manager) = 1"""

__all__ = ["QuizStore", "StoreError", "drill_nonce"]


def drill_nonce(guild_id: int, day: date) -> str:
    """The same (guild, day) always gives the same nonce, so a re-send after a crash is de-duplicated."""
    digest = hashlib.sha1(f"sgb-drill:{guild_id}:{day.isoformat()}".encode()).hexdigest()
    return ("d" + digest)[:NONCE_LENGTH]


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("times given to the quiz store must be timezone-aware")
    return moment.astimezone(UTC)


class QuizStore:
    def __init__(self, target: Path | str, timeout: float = 5.0) -> None:
        """Open (or create) the database and bring its schema up to date: a SQLite file (created with its
        folder), or a `postgresql://` URL. `timeout`: seconds to wait for another process's lock before
        giving up with a StoreError."""
        self._lock = threading.RLock()
        self.path: Path | None = None if is_postgres_url(target) else Path(target)
        self.label = redact(str(target)) if self.path is None else str(self.path)
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                why = exc.strerror or str(exc)
                raise StoreError(f"quiz store {self.label}: cannot create its folder: {why}") from exc
            if self.path.is_file() and self.path.stat().st_size == 0:
                # SQLite takes an empty file for a new database: a truncated copy or a failed restore would
                # lose every score without a word.
                log.warning("quiz store %s is an empty file (0 bytes): starting a new database in it; if it "
                            "should hold your scores, stop the bot and restore it from a backup", self.path)
        try:
            self._conn: Backend = open_backend(target, timeout)
        except BackendError as exc:
            raise StoreError(f"quiz store {self.label}: {exc}") from exc
        try:
            self.schema_version = apply_migrations(self._conn)
        except Exception as exc:
            reason: str | None = str(exc) if isinstance(exc, BackendError) else self._conn.failure(exc)
            self._conn.close()
            if reason is None:
                raise
            raise StoreError(f"quiz store {self.label}: cannot prepare the schema: {reason}") from exc

    @property
    def dialect(self) -> Dialect:
        return self._conn.dialect

    # --- plumbing -------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> QuizStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _read(self, action: str) -> Iterator[Backend]:
        with self._lock:
            try:
                yield self._conn
            except Exception as exc:
                self._raise_for(exc, action)
                raise

    @contextmanager
    def _write(self, action: str) -> Iterator[Backend]:
        """One transaction (SQLite: with the write lock up front, so two processes cannot interleave)."""
        with self._lock:
            try:
                with self._conn.transaction():
                    yield self._conn
            except Exception as exc:
                self._raise_for(exc, action)
                raise

    def _raise_for(self, exc: Exception, action: str) -> None:
        reason = self._conn.failure(exc)
        if reason is not None:
            raise StoreError(f"quiz store {self.label}: {action} failed: {reason}") from exc

    # Every table, parents first (what copy_into moves); schema_version is each database's own.
    TABLES = ("items", "members", "attempts", "reviews", "drills", "guild_config", "feedback", "shown_answers",
              "item_reports", "exam_dates")  # not shard_leases: they belong to the running processes

    def copy_into(self, target: QuizStore) -> dict[str, int]:
        """Every row of this store into `target` (another backend, at the same schema version), in one
        transaction there; refused when the target already holds data. Returns the rows copied a table."""
        if target.schema_version != self.schema_version:
            raise StoreError(f"quiz store {target.label}: schema version {target.schema_version}, not "
                             f"{self.schema_version} as {self.label}; upgrade the older one first")
        with target._read("checking the target is empty") as conn:
            filled = [t for t in self.TABLES if conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()]
        if filled:
            raise StoreError(f"quiz store {target.label} already holds data ({', '.join(filled)}); copy into an "
                             "empty database, so no score is merged twice")
        copied: dict[str, int] = {}
        with self._read("reading every table") as source, target._write("copying every table") as dest:
            for table in self.TABLES:
                cursor = source.execute(f"SELECT * FROM {table}")
                columns = [d[0] for d in cursor.description]
                rows = cursor.fetchall()
                marks = ", ".join("?" * len(columns))
                dest.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
                copied[table] = len(rows)
            if dest.dialect == "postgresql":  # ids were copied as they were: new ones start after them
                for table in ("attempts", "drills"):
                    dest.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
        return copied

    # --- items ----------------------------------------------------------------------------------

    def sync_items(self, items: Sequence[QuizItem], now: datetime | None = None) -> SyncResult:
        """Make the active items exactly `items`. Items no longer produced (their note changed or went
        away) are retired, never deleted: old attempts and old buttons still refer to them."""
        stamp = _utc(now).isoformat()
        wanted = {item.id: item for item in items}
        with self._write("syncing quiz items") as conn:
            known = dict(conn.execute("SELECT id, retired FROM items").fetchall())
            added = 0
            for position, item in enumerate(wanted.values()):
                body = item.as_retired(False).to_json()
                if item.id not in known:
                    added += 1
                conn.execute(
                    """INSERT INTO items (id, chunk_id, kind, section, body, position, retired, added_at)
                       VALUES (?, ?, ?, ?, ?, ?, 0, ?)
                       ON CONFLICT (id) DO UPDATE SET chunk_id = excluded.chunk_id, kind = excluded.kind,
                           section = excluded.section, body = excluded.body, position = excluded.position,
                           retired = 0, retired_at = NULL""",
                    (item.id, item.chunk_id, item.kind, item.section, body, position, stamp),
                )
            gone = [item_id for item_id, retired in known.items() if not retired and item_id not in wanted]
            conn.executemany(
                "UPDATE items SET retired = 1, retired_at = ? WHERE id = ?", [(stamp, i) for i in gone]
            )
        return SyncResult(added=added, retired=len(gone), active=len(wanted))

    def get_item(self, item_id: str) -> QuizItem | None:
        """Any item ever synced, retired ones included (flagged), so an old button can say so."""
        with self._read("reading a quiz item") as conn:
            row = conn.execute("SELECT body, retired FROM items WHERE id = ?", (item_id,)).fetchone()
        return QuizItem.from_json(row[0]).as_retired(bool(row[1])) if row else None

    def active_items(self) -> list[QuizItem]:
        with self._read("listing quiz items") as conn:
            rows = conn.execute("SELECT body FROM items WHERE retired = 0 ORDER BY position").fetchall()
        return [QuizItem.from_json(body) for (body,) in rows]

    # --- answers, scores, streaks, reviews ------------------------------------------------------

    def record_answer(
        self,
        guild_id: int,
        user_id: int,
        item_id: str,
        answer: str,
        correct: bool,
        context: str,
        now: datetime | None = None,
        day: date | None = None,
    ) -> AnswerResult:
        """Record a member's answer once per (context, user, item). A double click or a retry changes
        nothing and returns recorded=False with the FIRST answer's verdict. Only the member's first answer
        to an item on a day counts for scores and streaks (scored=False for the others, so asking it again
        in a new message cannot farm points); every recorded answer updates the review schedule. `day`
        (default: the UTC date of `now`) is the member's day; pass their local date to count days locally."""
        when = _utc(now)
        today = day or when.date()
        with self._write("recording an answer") as conn:
            conn.lock(f"member:{guild_id}:{user_id}")
            scored = conn.execute(
                """SELECT 1 FROM attempts WHERE guild_id = ? AND user_id = ? AND item_id = ? AND day = ?
                   AND scored = 1""",
                (guild_id, user_id, item_id, today.isoformat()),
            ).fetchone() is None
            inserted = conn.execute(
                """INSERT INTO attempts (guild_id, user_id, item_id, context, answer, correct, answered_at, day,
                       scored)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (context, user_id, item_id) DO NOTHING""",
                (guild_id, user_id, item_id, context, answer, int(correct), when.isoformat(), today.isoformat(),
                 int(scored)),
            ).rowcount
            if not inserted:
                first_answer, first_correct = conn.execute(
                    "SELECT answer, correct FROM attempts WHERE context = ? AND user_id = ? AND item_id = ?",
                    (context, user_id, item_id),
                ).fetchone()
                member = self._member_row(conn, guild_id, user_id)
                due = self._due(conn, guild_id, user_id, item_id)
                return AnswerResult(False, bool(first_correct), first_answer, member[0], member[1],
                                    member[2], member[3], due, scored=False)
            answered, right, streak, best, last = self._member_row(conn, guild_id, user_id)
            if scored:
                answered, right = answered + 1, right + int(correct)
                streak = _next_streak(streak, last, today)
                best = max(best, streak)
                last = max(last, today) if last else today
            conn.execute(
                """INSERT INTO members (guild_id, user_id, answered, correct, streak, best_streak, last_day)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (guild_id, user_id) DO UPDATE SET answered = excluded.answered,
                       correct = excluded.correct, streak = excluded.streak,
                       best_streak = excluded.best_streak, last_day = excluded.last_day""",
                (guild_id, user_id, answered, right, streak, best, last.isoformat() if last else None),
            )
            row = conn.execute(
                "SELECT card, due FROM reviews WHERE guild_id = ? AND user_id = ? AND item_id = ?",
                (guild_id, user_id, item_id),
            ).fetchone()
            state = ReviewState(row[0], datetime.fromtimestamp(row[1], UTC)) if row else new_state(when)
            state = review(state, correct, when)
            reviewed = state.last_review
            conn.execute(
                """INSERT INTO reviews (guild_id, user_id, item_id, card, due, stability, reviewed_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (guild_id, user_id, item_id) DO UPDATE SET card = excluded.card,
                       due = excluded.due, stability = excluded.stability, reviewed_at = excluded.reviewed_at""",
                (guild_id, user_id, item_id, state.card_json, int(state.due.timestamp()), state.stability,
                 int(reviewed.timestamp()) if reviewed else None),
            )
        return AnswerResult(True, correct, answer, answered, right, streak, best, state.due, scored=scored)

    @staticmethod
    def _member_row(
        conn: Backend, guild_id: int, user_id: int
    ) -> tuple[int, int, int, int, date | None]:
        row = conn.execute(
            """SELECT answered, correct, streak, best_streak, last_day FROM members
               WHERE guild_id = ? AND user_id = ?""",
            (guild_id, user_id),
        ).fetchone()
        if row is None:
            return 0, 0, 0, 0, None
        return row[0], row[1], row[2], row[3], date.fromisoformat(row[4]) if row[4] else None

    @staticmethod
    def _due(conn: Backend, guild_id: int, user_id: int, item_id: str) -> datetime | None:
        row = conn.execute(
            "SELECT due FROM reviews WHERE guild_id = ? AND user_id = ? AND item_id = ?",
            (guild_id, user_id, item_id),
        ).fetchone()
        return datetime.fromtimestamp(row[0], UTC) if row else None

    def stats(self, guild_id: int, user_id: int, now: datetime | None = None) -> MemberStats:
        when = _utc(now)
        with self._read("reading a member's stats") as conn:
            answered, right, streak, best, last = self._member_row(conn, guild_id, user_id)
            due_count = conn.execute(
                f"""SELECT COUNT(*) FROM reviews r JOIN items i ON i.id = r.item_id
                   WHERE r.guild_id = ? AND r.user_id = ? AND r.due <= ? AND i.retired = 0
                       AND i.id NOT IN ({_WITHDRAWN})""",
                (guild_id, user_id, int(when.timestamp()), guild_id),
            ).fetchone()[0]
            reviewed = conn.execute(
                "SELECT COUNT(*) FROM reviews WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            ).fetchone()[0]
        return MemberStats(answered, right, _current_streak(streak, last, when.date()), best, due_count,
                           reviewed, last)

    def member_history(self, guild_id: int, user_id: int) -> list[ItemHistory]:
        """Every item a member answered in this server: answers, right ones, and the review card."""
        with self._read("reading a member's history") as conn:
            rows = conn.execute(
                """SELECT r.item_id, COUNT(a.id), COALESCE(SUM(a.correct), 0), r.card, r.due
                   FROM reviews r LEFT JOIN attempts a
                       ON a.guild_id = r.guild_id AND a.user_id = r.user_id AND a.item_id = r.item_id
                   WHERE r.guild_id = ? AND r.user_id = ? GROUP BY r.item_id, r.card, r.due""",
                (guild_id, user_id),
            ).fetchall()
        return [ItemHistory(str(i), int(n), int(c), str(card), datetime.fromtimestamp(due, UTC))
                for i, n, c, card, due in rows]

    def leaderboard(
        self, guild_id: int, limit: int = 10, now: datetime | None = None, since: date | None = None
    ) -> list[LeaderboardRow]:
        """One server's members by right answers (fewer attempts first on a tie); with `since`, only the
        answers that scored on that day or later (the past week's board)."""
        today = _utc(now).date()
        with self._read("reading the leaderboard") as conn:
            if since is None:
                rows = conn.execute(
                    """SELECT user_id, correct, answered, streak, best_streak, last_day FROM members
                       WHERE guild_id = ? AND answered > 0
                       ORDER BY correct DESC, answered ASC, user_id ASC LIMIT ?""",
                    (guild_id, max(0, limit)),
                ).fetchall()
            else:
                rows = conn.execute(
                    """SELECT a.user_id, SUM(a.correct), COUNT(*), m.streak, m.best_streak, m.last_day
                       FROM attempts a JOIN members m ON m.guild_id = a.guild_id AND m.user_id = a.user_id
                       WHERE a.guild_id = ? AND a.scored = 1 AND a.day >= ?
                       GROUP BY a.user_id, m.streak, m.best_streak, m.last_day
                       ORDER BY SUM(a.correct) DESC, COUNT(*) ASC, a.user_id ASC LIMIT ?""",
                    (guild_id, since.isoformat(), max(0, limit)),
                ).fetchall()
        return [
            LeaderboardRow(rank, int(user_id), int(right), int(answered),
                           _current_streak(streak, date.fromisoformat(last) if last else None, today), best)
            for rank, (user_id, right, answered, streak, best, last) in enumerate(rows, start=1)
        ]

    def due_items(
        self, guild_id: int, user_id: int, now: datetime | None = None, limit: int = 10
    ) -> list[QuizItem]:
        """The member's items whose review is due, most overdue first; retired items never come back."""
        with self._read("listing due reviews") as conn:
            rows = conn.execute(
                f"""SELECT i.body FROM reviews r JOIN items i ON i.id = r.item_id
                   WHERE r.guild_id = ? AND r.user_id = ? AND r.due <= ? AND i.retired = 0
                       AND i.id NOT IN ({_WITHDRAWN})
                   ORDER BY r.due ASC, i.position ASC LIMIT ?""",
                (guild_id, user_id, int(_utc(now).timestamp()), guild_id, max(0, limit)),
            ).fetchall()
        return [QuizItem.from_json(body) for (body,) in rows]

    SERVER_DEFAULT = 0  # the user id under which a server's default exam date is kept

    def set_exam_date(self, guild_id: int, user_id: int, day: date | None) -> None:
        """A member's exam date (user_id SERVER_DEFAULT: the server's); None clears it."""
        with self._write("saving an exam date") as conn:
            if day is None:
                conn.execute("DELETE FROM exam_dates WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
            else:
                conn.execute(
                    """INSERT INTO exam_dates (guild_id, user_id, exam_day) VALUES (?, ?, ?)
                       ON CONFLICT (guild_id, user_id) DO UPDATE SET exam_day = excluded.exam_day""",
                    (guild_id, user_id, day.isoformat()),
                )

    def exam_date(self, guild_id: int, user_id: int) -> date | None:
        """The member's exam date, else the server's default, else None."""
        with self._read("reading an exam date") as conn:
            row = conn.execute(
                """SELECT exam_day FROM exam_dates WHERE guild_id = ? AND user_id IN (?, ?)
                   ORDER BY user_id = ? LIMIT 1""",
                (guild_id, user_id, self.SERVER_DEFAULT, self.SERVER_DEFAULT),
            ).fetchone()
        return date.fromisoformat(row[0]) if row else None

    def mistakes(self, guild_id: int, user_id: int, limit: int = 10) -> list[QuizItem]:
        """The member's items whose latest answer was wrong, most recent first: asked again until each is
        answered right once (then its latest answer is right and it leaves the list)."""
        with self._read("listing mistakes") as conn:
            rows = conn.execute(
                f"""SELECT i.body FROM attempts a JOIN items i ON i.id = a.item_id
                   WHERE a.guild_id = ? AND a.user_id = ? AND a.correct = 0 AND i.retired = 0
                       AND a.id = (SELECT MAX(b.id) FROM attempts b WHERE b.guild_id = a.guild_id
                                   AND b.user_id = a.user_id AND b.item_id = a.item_id)
                       AND i.id NOT IN ({_WITHDRAWN})
                   ORDER BY a.id DESC LIMIT ?""",
                (guild_id, user_id, guild_id, max(0, limit)),
            ).fetchall()
        return [QuizItem.from_json(body) for (body,) in rows]

    def leeches(self, guild_id: int, user_id: int, item_ids: Iterable[str]) -> dict[str, int]:
        """Of `item_ids`, those the member has missed LEECH_MISSES times or more, with the count."""
        ids = list(dict.fromkeys(item_ids))
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        with self._read("counting missed answers") as conn:
            rows = conn.execute(
                f"""SELECT item_id, COUNT(*) FROM attempts
                   WHERE guild_id = ? AND user_id = ? AND correct = 0 AND item_id IN ({marks})
                   GROUP BY item_id HAVING COUNT(*) >= ?""",
                (guild_id, user_id, *ids, LEECH_MISSES),
            ).fetchall()
        return {str(item_id): int(n) for item_id, n in rows}

    def group_suspects(self, guild_id: int, limit: int = 10) -> list[GroupSuspect]:
        """Items still served that most of the server's members who answered them keep missing, the most
        missed first."""
        with self._read("finding the items the group keeps missing") as conn:
            rows = conn.execute(
                f"""SELECT item_id, COUNT(*), SUM(CASE WHEN misses >= ? THEN 1 ELSE 0 END),
                       SUM(answers - misses) * 1.0 / SUM(answers)
                   FROM (SELECT item_id, user_id, COUNT(*) AS answers,
                             SUM(CASE WHEN correct = 0 THEN 1 ELSE 0 END) AS misses
                         FROM attempts WHERE guild_id = ? GROUP BY item_id, user_id) per_member
                   WHERE item_id IN (SELECT id FROM items WHERE retired = 0)
                       AND item_id NOT IN ({_WITHDRAWN})
                   GROUP BY item_id
                   HAVING COUNT(*) >= ? AND SUM(CASE WHEN misses >= ? THEN 1 ELSE 0 END) * 2 > COUNT(*)
                   ORDER BY SUM(CASE WHEN misses >= ? THEN 1 ELSE 0 END) * 1.0 / COUNT(*) DESC, COUNT(*) DESC,
                       item_id
                   LIMIT ?""",
                (SUSPECT_MISSES, guild_id, guild_id, SUSPECT_MIN_MEMBERS, SUSPECT_MISSES, SUSPECT_MISSES,
                 max(0, limit)),
            ).fetchall()
        return [GroupSuspect(str(i), int(n), int(m), float(acc)) for i, n, m, acc in rows]

    def group_recall(self, guild_id: int, active_since: datetime, now: datetime) -> list[ItemRecall]:
        """Per item still served and not withdrawn: how many of the server's members who answered anything
        since `active_since` have a card for it, and their mean predicted recall at `now`. Averaged in
        SQLite: bringing 30,000 cards into Python took a quarter second, and calling quiz.schedule.recall_at
        from SQL once a card 45 ms of the drill selection's 107 (benchmarks/stats_load.py)."""
        with self._read("reading the group's recall") as conn:
            rows = conn.execute(
                f"""SELECT r.item_id, COUNT(*), AVG({_RECALL_SQL}) FROM reviews r
                   WHERE r.guild_id = ? AND r.user_id IN (SELECT DISTINCT user_id FROM attempts
                                                          WHERE guild_id = ? AND answered_at >= ?)
                   GROUP BY r.item_id""",
                (_utc(now).timestamp(), _utc(now).timestamp(), guild_id, guild_id, _utc(active_since).isoformat()),
            ).fetchall()
            # Served items are filtered here, not joined in SQL: the join cost 20 of the query's 66 ms.
            served = {i for (i,) in conn.execute("SELECT id FROM items WHERE retired = 0").fetchall()}
            served -= {i for (i,) in conn.execute(_WITHDRAWN, (guild_id,)).fetchall()}
        rows = [row for row in rows if row[0] in served]
        return [ItemRecall(str(i), int(n), float(mean)) for i, n, mean in rows]

    def answered_item_ids(self, guild_id: int) -> set[str]:
        """Every item someone in the server has answered."""
        with self._read("reading answered items") as conn:
            # one index probe an item, not a pass over every answer
            return {row[0] for row in conn.execute(
                """SELECT id FROM items WHERE EXISTS
                       (SELECT 1 FROM attempts a WHERE a.guild_id = ? AND a.item_id = items.id)""",
                (guild_id,))}

    def missed(self, guild_id: int, user_id: int) -> list[QuizItem]:
        """Every item still served that the member has answered wrong at least once, in guide order."""
        with self._read("listing missed questions") as conn:
            rows = conn.execute(
                """SELECT i.body FROM items i WHERE i.retired = 0 AND i.id IN
                       (SELECT item_id FROM attempts WHERE guild_id = ? AND user_id = ? AND correct = 0)
                   ORDER BY i.position""",
                (guild_id, user_id),
            ).fetchall()
        return [QuizItem.from_json(body) for (body,) in rows]

    def drill_mix(self, guild_id: int, user_id: int, now: datetime | None, count: int, seed: int) -> list[QuizItem]:
        """A member's own drill (the playground's): their due reviews first, then items they never answered
        (chosen by `seed`, one per note where possible). The server's daily drill is quiz.group_drill."""
        when = int(_utc(now).timestamp())
        with self._read("choosing drill items") as conn:
            due = conn.execute(
                f"""SELECT i.body FROM reviews r JOIN items i ON i.id = r.item_id
                   WHERE r.guild_id = ? AND r.user_id = ? AND r.due <= ? AND i.retired = 0
                       AND i.id NOT IN ({_WITHDRAWN})
                   ORDER BY r.due ASC, i.position ASC""",
                (guild_id, user_id, when, guild_id),
            ).fetchall()
            unseen = conn.execute(
                f"""SELECT body FROM items WHERE retired = 0 AND id NOT IN
                   (SELECT item_id FROM attempts WHERE guild_id = ? AND user_id = ?)
                   AND id NOT IN ({_WITHDRAWN}) ORDER BY position""",
                (guild_id, user_id, guild_id),
            ).fetchall()
        picked = [QuizItem.from_json(body) for (body,) in due][: max(0, count)]
        fresh = [QuizItem.from_json(body) for (body,) in unseen]
        random.Random(seed).shuffle(fresh)
        notes = {item.chunk_id for item in picked}
        for prefer_new_note in (True, False):
            for item in fresh:
                if len(picked) >= count:
                    break
                if item in picked or (prefer_new_note and item.chunk_id in notes):
                    continue
                picked.append(item)
                notes.add(item.chunk_id)
        return picked

    # --- members' reports on items ---------------------------------------------------------------

    def report_item(self, guild_id: int, user_id: int, item_id: str, reason: str = "", *,
                    by_manager: bool = False, now: datetime | None = None) -> ReportResult:
        """Record a member's report of an item once; reporting again changes nothing (recorded=False)."""
        with self._write("recording a report") as conn:
            recorded = conn.execute(
                """INSERT INTO item_reports (guild_id, item_id, user_id, reason, by_manager, reported_at)
                   VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, item_id, user_id) DO NOTHING""",
                (guild_id, item_id, user_id, reason.strip()[:MAX_REASON], int(by_manager), _utc(now).isoformat()),
            ).rowcount
            reports, managers = conn.execute(
                "SELECT COUNT(*), MAX(by_manager) FROM item_reports WHERE guild_id = ? AND item_id = ?",
                (guild_id, item_id),
            ).fetchone()
        return ReportResult(bool(recorded), int(reports), int(reports) >= REPORTS_TO_WITHDRAW or bool(managers))

    def has_reported(self, guild_id: int, user_id: int, item_id: str) -> bool:
        with self._read("reading reports") as conn:
            return conn.execute(
                "SELECT 1 FROM item_reports WHERE guild_id = ? AND user_id = ? AND item_id = ?",
                (guild_id, user_id, item_id),
            ).fetchone() is not None

    def withdrawn_items(self, guild_id: int) -> frozenset[str]:
        """Ids of the items no longer served in this server."""
        with self._read("reading reports") as conn:
            return frozenset(row[0] for row in conn.execute(_WITHDRAWN, (guild_id,)).fetchall())

    def reported_items(self, guild_id: int) -> list[ItemReport]:
        """Every item reported in this server: withdrawn first, then by reports, the latest first."""
        with self._read("reading reports") as conn:
            rows = conn.execute(
                """SELECT item_id, COUNT(*), MAX(by_manager), MAX(reported_at) FROM item_reports
                   WHERE guild_id = ? GROUP BY item_id""",
                (guild_id,),
            ).fetchall()
            reasons = conn.execute(
                """SELECT item_id, reason FROM item_reports WHERE guild_id = ? AND reason != ''
                   ORDER BY reported_at, user_id""",
                (guild_id,),
            ).fetchall()
        said: dict[str, list[str]] = {}
        for item_id, reason in reasons:
            said.setdefault(item_id, []).append(reason)
        found = [
            ItemReport(item_id, int(count), bool(manager), int(count) >= REPORTS_TO_WITHDRAW or bool(manager),
                       tuple(said.get(item_id, ())), datetime.fromisoformat(last))
            for item_id, count, manager, last in rows
        ]
        found.sort(key=lambda r: (not r.withdrawn, -r.reports, -r.last_reported.timestamp()))
        return found

    # --- per-server config ----------------------------------------------------------------------

    def get_config(self, guild_id: int) -> GuildConfig:
        """The server's settings; defaults when it never set any."""
        with self._read("reading server settings") as conn:
            return self._load_config(conn, guild_id)

    def set_config(self, config: GuildConfig) -> None:
        with self._write("saving server settings") as conn:
            self._save_config(conn, config)

    def update_config(self, guild_id: int, change: Callable[[GuildConfig], GuildConfig]) -> GuildConfig:
        """Read, change and save a server's settings in one transaction, so that two admins' changes (a Q&A
        channel added while the drill is paused) never overwrite each other. `change` may raise ValueError."""
        with self._write("saving server settings") as conn:
            conn.lock(f"config:{guild_id}")
            config = change(self._load_config(conn, guild_id))
            self._save_config(conn, config)
        return config

    @staticmethod
    def _load_config(conn: Backend, guild_id: int) -> GuildConfig:
        row = conn.execute(
            """SELECT drill_channel_id, drill_time, timezone, drill_count, paused, qa_channel_ids
               FROM guild_config WHERE guild_id = ?""",
            (guild_id,),
        ).fetchone()
        return _config(guild_id, row) if row else GuildConfig(guild_id)

    @staticmethod
    def _save_config(conn: Backend, config: GuildConfig) -> None:
        conn.execute(
            """INSERT INTO guild_config (guild_id, drill_channel_id, drill_time, timezone, drill_count,
                   paused, qa_channel_ids) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (guild_id) DO UPDATE SET drill_channel_id = excluded.drill_channel_id,
                   drill_time = excluded.drill_time, timezone = excluded.timezone,
                   drill_count = excluded.drill_count, paused = excluded.paused,
                   qa_channel_ids = excluded.qa_channel_ids""",
            (config.guild_id, config.drill_channel_id, config.drill_time, config.timezone,
             config.drill_count, int(config.paused), json.dumps(list(config.qa_channel_ids))),
        )

    def configs(self) -> list[GuildConfig]:
        """Every server that saved settings (the drill loop schedules from these)."""
        with self._read("listing server settings") as conn:
            rows = conn.execute(
                """SELECT guild_id, drill_channel_id, drill_time, timezone, drill_count, paused,
                       qa_channel_ids FROM guild_config ORDER BY guild_id"""
            ).fetchall()
        return [_config(row[0], row[1:]) for row in rows]

    # --- shard leases (several processes) --------------------------------------------------------

    def claim_shards(self, shard_count: int, shard_ids: Sequence[int], holder: str, now: float,
                     lease_seconds: float) -> list[ShardLease]:
        """Claim all of `shard_ids` for `holder`, or none: returns the shards another process holds with a
        lease renewed in the last `lease_seconds` (empty when the claim was made)."""
        with self._write("claiming shards") as conn:
            conn.lock(f"shards:{shard_count}")
            rows = conn.execute("SELECT shard_id, holder, renewed_at FROM shard_leases WHERE shard_count = ?",
                                (shard_count,)).fetchall()
            held = [ShardLease(int(i), str(h), float(at)) for i, h, at in rows
                    if int(i) in shard_ids and h != holder and float(at) > now - lease_seconds]
            if held:
                return held
            for shard_id in shard_ids:
                conn.execute(
                    """INSERT INTO shard_leases (shard_count, shard_id, holder, renewed_at) VALUES (?, ?, ?, ?)
                       ON CONFLICT (shard_count, shard_id) DO UPDATE SET holder = excluded.holder,
                           renewed_at = excluded.renewed_at""",
                    (shard_count, shard_id, holder, now))
        return []

    def renew_shards(self, shard_count: int, shard_ids: Sequence[int], holder: str, now: float) -> bool:
        """Renew the holder's leases; False when one of them is no longer the holder's."""
        marks = ", ".join("?" * len(shard_ids))
        with self._write("renewing shard leases") as conn:
            renewed = conn.execute(
                f"""UPDATE shard_leases SET renewed_at = ? WHERE shard_count = ? AND holder = ?
                    AND shard_id IN ({marks})""", (now, shard_count, holder, *shard_ids)).rowcount
        return renewed == len(shard_ids)

    def release_shards(self, shard_count: int, holder: str) -> None:
        """At a clean stop: the shards are free for the next process at once."""
        with self._write("releasing shard leases") as conn:
            conn.execute("DELETE FROM shard_leases WHERE shard_count = ? AND holder = ?", (shard_count, holder))

    # --- daily drills ---------------------------------------------------------------------------

    def claim_drill(
        self, guild_id: int, day: date, item_ids: Iterable[str], now: datetime | None = None
    ) -> Drill | None:
        """Claim the server's drill for `day` before sending it; None if that day was already claimed
        (by this process before a restart, or by another one)."""
        ids = list(item_ids)
        with self._write("claiming a drill") as conn:
            row = conn.execute(
                """INSERT INTO drills (guild_id, day, nonce, item_ids, claimed_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (guild_id, day) DO NOTHING RETURNING id""",
                (guild_id, day.isoformat(), drill_nonce(guild_id, day), json.dumps(ids),
                 _utc(now).isoformat()),
            ).fetchone()
            if row is None:
                return None
            return self._drill(conn, "id = ?", (row[0],))

    def mark_drill_posted(
        self, drill_id: int, channel_id: int, message_id: int, now: datetime | None = None
    ) -> Drill:
        with self._write("marking a drill as posted") as conn:
            updated = conn.execute(
                "UPDATE drills SET channel_id = ?, message_id = ?, posted_at = ? WHERE id = ?",
                (channel_id, message_id, _utc(now).isoformat(), drill_id),
            ).rowcount
            if not updated:
                raise StoreError(f"quiz store {self.label}: no drill with id {drill_id}")
            drill = self._drill(conn, "id = ?", (drill_id,))
        assert drill is not None
        return drill

    def unposted_drills(self) -> list[Drill]:
        """Claimed but never marked posted: at start-up, look for each in its channel before re-sending."""
        with self._read("listing unposted drills") as conn:
            rows = conn.execute(
                f"SELECT {_DRILL_COLUMNS} FROM drills WHERE message_id IS NULL ORDER BY day, id"
            ).fetchall()
            return [_drill_from_row(row) for row in rows]

    def drills_to_close(self, posted_before: datetime, posted_after: datetime) -> list[Drill]:
        """Posted drills, still open, posted between the two times (older ones are not closed late)."""
        with self._read("listing drills to close") as conn:
            rows = conn.execute(
                f"""SELECT {_DRILL_COLUMNS} FROM drills WHERE message_id IS NOT NULL AND closed_at IS NULL
                       AND posted_at <= ? AND posted_at > ? ORDER BY posted_at, id""",
                (_utc(posted_before).isoformat(), _utc(posted_after).isoformat()),
            ).fetchall()
            return [_drill_from_row(row) for row in rows]

    def close_drill(self, drill_id: int, now: datetime | None = None) -> bool:
        """Claim the posting of a drill's results: True for the one caller that closed it."""
        with self._write("closing a drill") as conn:
            return bool(conn.execute("UPDATE drills SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                                     (_utc(now).isoformat(), drill_id)).rowcount)

    def drill_for_day(self, guild_id: int, day: date) -> Drill | None:
        with self._read("reading a drill") as conn:
            return self._drill(conn, "guild_id = ? AND day = ?", (guild_id, day.isoformat()))

    @staticmethod
    def _drill(conn: Backend, where: str, args: tuple[object, ...]) -> Drill | None:
        row = conn.execute(f"SELECT {_DRILL_COLUMNS} FROM drills WHERE {where}", args).fetchone()
        return _drill_from_row(row) if row else None

    def get_drill(self, drill_id: int) -> Drill | None:
        with self._read("reading a drill") as conn:
            return self._drill(conn, "id = ?", (drill_id,))

    def previous_drill(self, guild_id: int, day: date) -> Drill | None:
        """The latest posted drill of the server before `day` (its results open the next drill)."""
        with self._read("reading a drill") as conn:
            return self._drill(conn, "guild_id = ? AND day < ? AND message_id IS NOT NULL ORDER BY day DESC LIMIT 1",
                               (guild_id, day.isoformat()))

    def drill_results(self, drill_id: int) -> list[DrillResult]:
        """Per member: how many of the drill's questions they answered, and how many right."""
        with self._read("reading drill results") as conn:
            rows = conn.execute(
                """SELECT user_id, COUNT(*), SUM(correct) FROM attempts WHERE context = ?
                   GROUP BY user_id ORDER BY SUM(correct) DESC, user_id""",
                (f"drill:{drill_id}",),
            ).fetchall()
        return [DrillResult(int(u), int(n), int(c)) for u, n, c in rows]

    def drill_question_results(self, drill_id: int) -> dict[str, QuestionResult]:
        """Per item of a drill: how many answered it, how many right."""
        with self._read("reading drill results") as conn:
            rows = conn.execute(
                "SELECT item_id, COUNT(*), SUM(correct) FROM attempts WHERE context = ? GROUP BY item_id",
                (f"drill:{drill_id}",),
            ).fetchall()
        return {str(i): QuestionResult(int(n), int(c)) for i, n, c in rows}

    # --- feedback on answers --------------------------------------------------------------------

    def record_feedback(
        self,
        guild_id: int | None,
        user_id: int,
        question: str,
        chunk_ids: Sequence[str],
        helpful: bool,
        message_id: int,
        now: datetime | None = None,
    ) -> FeedbackTally:
        """One vote per (message, member); voting again replaces the vote. Returns the message's tally."""
        with self._write("recording feedback") as conn:
            conn.execute(
                """INSERT INTO feedback (message_id, user_id, guild_id, question, chunk_ids, helpful,
                       voted_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (message_id, user_id) DO UPDATE SET helpful = excluded.helpful,
                       voted_at = excluded.voted_at""",
                (message_id, user_id, guild_id, question, json.dumps(list(chunk_ids)), int(helpful),
                 _utc(now).isoformat()),
            )
            yes, no = conn.execute(
                """SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) FROM feedback
                   WHERE message_id = ?""",
                (message_id,),
            ).fetchone()
        return FeedbackTally(int(yes), int(no))

    def remember_answer(self, message_id: int, guild_id: int, user_id: int, question: str,
                        chunk_ids: Sequence[str], answerable: bool, now: datetime | None = None) -> None:
        with self._write("remembering an answer") as conn:
            conn.execute(
                """INSERT INTO shown_answers (message_id, guild_id, user_id, question, chunk_ids,
                       answerable, shown_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (message_id) DO UPDATE SET guild_id = excluded.guild_id,
                       user_id = excluded.user_id, question = excluded.question, chunk_ids = excluded.chunk_ids,
                       answerable = excluded.answerable, shown_at = excluded.shown_at""",
                (message_id, guild_id, user_id, question, json.dumps(list(chunk_ids)), int(answerable),
                 _utc(now).isoformat()),
            )

    def shown_answer(self, message_id: int) -> ShownAnswer | None:
        with self._read("reading an answer") as conn:
            row = conn.execute(
                "SELECT question, chunk_ids, answerable FROM shown_answers WHERE message_id = ?", (message_id,)
            ).fetchone()
        return ShownAnswer(row[0], tuple(json.loads(row[1])), bool(row[2])) if row else None


# quiz.schedule.recall_at in SQL (tests/integration/test_group_drill.py checks they agree); both `?` are
# now, in unix seconds.
_RECALL_SQL = (f"CASE WHEN r.reviewed_at IS NULL OR r.stability IS NULL OR r.stability = 0 THEN 0.0 ELSE "
               f"pow(1 + {RECALL_FACTOR!r} * (CASE WHEN ? > r.reviewed_at THEN (? - r.reviewed_at) / 86400.0 "
               f"ELSE 0.0 END) / r.stability, {RECALL_DECAY!r}) END")


_DRILL_COLUMNS = "id, guild_id, day, nonce, item_ids, channel_id, message_id, claimed_at, posted_at, closed_at"


def _drill_from_row(row: tuple[Any, ...]) -> Drill:
    drill_id, guild_id, day, nonce, item_ids, channel_id, message_id, claimed_at, posted_at, closed_at = row
    return Drill(
        id=int(drill_id),
        guild_id=int(guild_id),
        day=date.fromisoformat(str(day)),
        nonce=str(nonce),
        item_ids=tuple(json.loads(str(item_ids))),
        channel_id=int(channel_id) if channel_id is not None else None,
        message_id=int(message_id) if message_id is not None else None,
        claimed_at=datetime.fromisoformat(str(claimed_at)),
        posted_at=datetime.fromisoformat(str(posted_at)) if posted_at else None,
        closed_at=datetime.fromisoformat(str(closed_at)) if closed_at else None,
    )


def _config(guild_id: int, row: tuple[Any, ...]) -> GuildConfig:
    channel, drill_time, timezone, count, paused, qa_ids = row
    return GuildConfig(
        guild_id=guild_id,
        drill_channel_id=int(channel) if channel is not None else None,
        drill_time=str(drill_time),
        timezone=str(timezone),
        drill_count=int(count),
        paused=bool(paused),
        qa_channel_ids=tuple(int(c) for c in json.loads(str(qa_ids))),
    )


def _next_streak(streak: int, last: date | None, today: date) -> int:
    """Consecutive days with an answer: the same day keeps it, the next day extends it, a gap resets it."""
    if last is None:
        return 1
    if today == last or today < last:
        return max(streak, 1)  # same day, or a late answer dated before the last one
    return streak + 1 if today - last == timedelta(days=1) else 1


def _current_streak(streak: int, last: date | None, today: date) -> int:
    """The streak as it stands today: still alive if the last answer was today or yesterday."""
    if last is None or today - last > timedelta(days=1):
        return 0
    return streak
