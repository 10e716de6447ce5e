-- V2: what the bot showed for each answered question, so a 👍/👎 clicked later (even after a restart)
-- is stored with the question and the notes it rated.

CREATE TABLE shown_answers (
    message_id INTEGER PRIMARY KEY,          -- the bot's answer message (the one carrying the buttons)
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,                -- who asked
    question TEXT NOT NULL,
    chunk_ids TEXT NOT NULL,                 -- JSON list, best first
    answerable INTEGER NOT NULL,
    shown_at TEXT NOT NULL
);
