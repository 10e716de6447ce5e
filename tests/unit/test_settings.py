from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, read_dotenv


def test_defaults_without_environment():
    s = Settings.from_env({})
    assert s.discord_token is None
    assert s.corpus_dir == Path("corpus") and s.database_path == Path("data/studybot.db")
    assert s.ask_cooldown_seconds == 5.0 and s.dev_guild_id is None


def test_values_and_clear_errors():
    s = Settings.from_env({"DISCORD_TOKEN": "abc", "DEV_GUILD_ID": "42", "LOG_LEVEL": "debug",
                           "ASK_COOLDOWN_SECONDS": "0"})
    assert s.discord_token == "abc" and s.dev_guild_id == 42 and s.log_level == "DEBUG"
    assert "abc" not in repr(s)  # the token never shows up in logs of the settings
    with pytest.raises(SettingsError, match="DEV_GUILD_ID"):
        Settings.from_env({"DEV_GUILD_ID": "my server"})
    with pytest.raises(SettingsError, match="LOG_LEVEL"):
        Settings.from_env({"LOG_LEVEL": "LOUD"})
    with pytest.raises(SettingsError, match="ASK_COOLDOWN_SECONDS"):
        Settings.from_env({"ASK_COOLDOWN_SECONDS": "-1"})
    with pytest.raises(SettingsError, match="ANSWER_HITS"):
        Settings.from_env({"ANSWER_HITS": "0"})
    with pytest.raises(SettingsError, match="ANSWER_HITS"):
        Settings.from_env({"ANSWER_HITS": "2.7"})
    with pytest.raises(SettingsError, match="DRILL_CHECK_SECONDS must be above zero"):
        Settings.from_env({"DRILL_CHECK_SECONDS": "0"})
    assert Settings.from_env({"DRILL_CLOSE_HOURS": "6"}).drill_close_hours == 6
    sharded = Settings.from_env({"SHARD_COUNT": "4", "SHARD_IDS": "3,1", "DATABASE_URL": "postgresql://u@h/db"})
    assert (sharded.shard_count, sharded.shard_ids, sharded.syncs_commands) == (4, (1, 3), False)
    assert sharded.holds_guild(1 << 22) and not sharded.holds_guild(2 << 22) and sharded.holds_guild(7 << 22)
    assert Settings.from_env({}).holds_guild(12345) and Settings.from_env({}).syncs_commands
    assert Settings.from_env({"SHARD_COUNT": "2"}).syncs_commands
    for bad, says in [({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
                      ({"SHARD_COUNT": "2", "SHARD_IDS": "0,2"}, "distinct numbers from 0 to 1"),
                      ({"SHARD_COUNT": "2", "SHARD_IDS": "0,0"}, "distinct"),
                      ({"SHARD_COUNT": "2", "SHARD_IDS": "a"}, "separated by commas"),
                      ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be 1 or more"),
                      ({"SHARD_COUNT": "4", "SHARD_IDS": "0,1"}, "must share one PostgreSQL"),
                      ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be a PostgreSQL URL"),
                      ({"DATABASE_URL": "postgresql://u:p@h:port/db"}, "DATABASE_URL is malformed")]:
        with pytest.raises(SettingsError, match=says):
            Settings.from_env(bad)
    assert "secret" not in repr(Settings.from_env({"DATABASE_URL": "postgresql://u:secret@h/db"}))
    with pytest.raises(SettingsError, match="DRILL_CLOSE_HOURS must be a whole number from 0 to 23, got 24"):
        Settings.from_env({"DRILL_CLOSE_HOURS": "24"})


def test_dotenv_fills_in_what_the_environment_lacks(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text('# comment\nDISCORD_TOKEN="from-file"\nexport LOG_LEVEL=WARNING\nbroken line\n\n')
    assert read_dotenv(env_file) == {"DISCORD_TOKEN": "from-file", "LOG_LEVEL": "WARNING"}
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    s = Settings.from_env(dotenv=env_file)
    assert s.discord_token == "from-file" and s.log_level == "ERROR"
    assert read_dotenv(tmp_path / "missing") == {}
