"""`python -m bot migrate-db --to URL`: a real SQLite quiz store copied into a real PostgreSQL, once."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from quiz.item import QuizItem
from quiz.records import GuildConfig
from quiz.store import QuizStore

from ..conftest import ROOT

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ITEMS = [QuizItem.create(chunk_id=f"c{n}", kind="which", question=f"Which one is {n}?", options=(f"A{n}", f"B{n}"),
                         answer=f"A{n}", explanation=f"Note {n}", section="1.1 S", difficulty=0.5,
                         topic_path=("1. X", "1.1 S")) for n in range(3)]


def migrate(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_PATH": str(db), "HF_HUB_OFFLINE": "1", "DISCORD_TOKEN": ""}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "bot", "migrate-db", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_every_score_answer_review_and_drill_moves_once(tmp_path: Path, postgres_url: str) -> None:
    db = tmp_path / "bot.db"
    with QuizStore(db) as old:
        old.sync_items(ITEMS, now=NOW)
        for day in range(3):
            old.record_answer(1, 10, ITEMS[day].id, f"A{day}", True, f"m{day}", now=NOW + timedelta(days=day))
        old.record_answer(1, 20, ITEMS[0].id, "B0", False, "m9", now=NOW)
        old.claim_drill(1, date(2025, 3, 1), [ITEMS[1].id], now=NOW)
        old.set_config(GuildConfig(1, drill_channel_id=55, drill_time="07:30", timezone="Europe/Paris"))
        old.report_item(1, 20, ITEMS[2].id, "two right", now=NOW)
        before = (old.leaderboard(1, 10, NOW), old.stats(1, 10, NOW + timedelta(days=2)), old.due_items(1, 20, NOW
                  + timedelta(days=30)), old.unposted_drills())

    done = migrate(db, "--to", postgres_url)
    assert done.returncode == 0, done.stderr
    assert "copied 16 rows" in done.stdout and "attempts 4" in done.stdout

    with QuizStore(postgres_url) as new:
        after = (new.leaderboard(1, 10, NOW), new.stats(1, 10, NOW + timedelta(days=2)), new.due_items(1, 20, NOW
                 + timedelta(days=30)), new.unposted_drills())
        assert after == before
        assert new.get_config(1).timezone == "Europe/Paris" and new.has_reported(1, 20, ITEMS[2].id)
        # new rows take new ids after the copied ones
        assert new.record_answer(1, 30, ITEMS[1].id, "A1", True, "m10", now=NOW).recorded
        assert new.claim_drill(1, date(2025, 3, 2), [ITEMS[0].id], now=NOW) is not None

    again = migrate(db, "--to", postgres_url)
    assert again.returncode == 2 and "already holds data" in again.stderr and "Traceback" not in again.stderr


def test_a_wrong_target_or_a_missing_file_is_one_line(tmp_path: Path) -> None:
    not_pg = migrate(tmp_path / "bot.db", "--to", "mysql://x@y/z")
    assert not_pg.returncode == 2 and "must be a PostgreSQL URL" in not_pg.stderr
    missing = migrate(tmp_path / "none.db", "--to", "postgresql://bot:pw@127.0.0.1:1/quiz")
    assert missing.returncode == 2 and "no SQLite quiz store" in missing.stderr
    with QuizStore(tmp_path / "bot.db"):
        pass
    unreachable = migrate(tmp_path / "bot.db", "--to", "postgresql://bot:pw@127.0.0.1:1/quiz")
    assert unreachable.returncode == 2 and "cannot reach the PostgreSQL server" in unreachable.stderr
    assert "pw@" not in unreachable.stderr and "Traceback" not in unreachable.stderr
