"""Run the real StudyBot (real index, model and SQLite) against the fake Discord, with a test clock.

One `BotWorld` per test: a database in the test's tmp folder, the module's loaded index/answerer/items,
and a clock the test moves. Each `world.run()` is one bot process: a new StudyBot on a new QuizStore
connection to the same database file, so stopping and starting again is a real restart.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.bot import StudyBot
from bot.services import Services
from quiz.store import QuizStore

from .fake_discord import BotMessage, FakeDiscord, InteractionRecord, payloads


class FakeClock:
    """The bot's clock (aware UTC); only moves when the test says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class BotWorld:
    def __init__(self, fake: FakeDiscord, base: Services, db_path: Path, clock: FakeClock,
                 database_url: str | None = None, **settings: Any) -> None:
        """`database_url`: the quiz store on that PostgreSQL database instead of the SQLite file `db_path`."""
        self.fake = fake
        self.base = base
        self.clock = clock
        defaults = {"ask_cooldown_seconds": 0.0, "drill_check_seconds": 0.2}
        self.settings = dataclasses.replace(base.settings, database_path=db_path, database_url=database_url,
                                            **(defaults | settings))
        self.store: QuizStore | None = None  # the running bot's connection
        self.bot: StudyBot | None = None

    @property
    def db_path(self) -> Path:
        return self.settings.database_path

    def services(self) -> Services:
        """What Services.load gives a new process: a new store connection, items synced into it."""
        store = QuizStore(self.settings.quiz_database)
        store.sync_items(self.base.items)
        return dataclasses.replace(self.base, settings=self.settings, quiz_store=store)

    @contextlib.asynccontextmanager
    async def run(self, **run_kwargs: Any) -> AsyncIterator[StudyBot]:
        services = await asyncio.to_thread(self.services)
        self.store = services.store
        self.bot = StudyBot(self.settings, services, clock=self.clock)
        try:
            async with self.fake.run_bot(self.bot, **run_kwargs) as bot:
                yield bot
        finally:
            services.close()
            self.store = None

    def open_store(self) -> QuizStore:
        """A second connection, as a test's window into the database (close it after use)."""
        return QuizStore(self.settings.quiz_database)

    def sql(self, statement: str, *args: Any) -> list[tuple]:
        """Run SQL on the bot's database from outside, as an operator would; `?` placeholders."""
        if self.settings.database_url:
            import psycopg

            with psycopg.connect(self.settings.database_url, autocommit=True) as conn:
                cursor = conn.execute(statement.replace("?", "%s"), args or None)
                return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        import sqlite3

        conn = sqlite3.connect(self.db_path)
        try:
            with conn:
                return conn.execute(statement, args).fetchall()
        finally:
            conn.close()

    # --- driving --------------------------------------------------------------------------------

    async def ask(self, question: str, *, user: Any, channel_id: int | None = None,
                  timeout: float = 10.0) -> tuple[InteractionRecord, list[BotMessage]]:
        """/ask and wait for the whole answer: the deferral, then follow-ups until the one with buttons."""
        rec = await self.fake.send_slash_command("ask", {"question": question}, user=user, channel_id=channel_id)
        await rec.wait_response(timeout)
        await self.fake.wait_for(lambda: rec.followups and (rec.followups[-1].custom_ids
                                                            or rec.followups[-1].ephemeral),
                                 timeout, description=f"the answer to {question!r}")
        return rec, list(rec.followups)

    async def respond(self, rec: InteractionRecord, timeout: float = 5.0) -> BotMessage:
        """The message a component/command answered with (a reveal, a notice...)."""
        cb = await rec.wait_response(timeout)
        if cb.type == payloads.CALLBACK_DEFERRED_CHANNEL_MESSAGE:  # acknowledged first, answered after
            return await rec.wait_followup(timeout=timeout)
        assert cb.message is not None, f"{rec.name} answered with callback type {cb.type}, not a message"
        return cb.message

    async def idle(self, seconds: float = 0.3) -> None:
        """Let the bot run a while (e.g. a few drill-loop ticks) and finish what it is sending."""
        await asyncio.sleep(seconds)
        await self.fake.settle()
